package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// operationTracer records a span per operation, named by its type and name ("query
// Nested"), with its cost; and a span per resolver that is not a plain field read (those
// reach the services and the database). It never records the document, variables or
// results, which may hold personal data; errors are recorded by code only.
//
// NewHandler installs it only when tracing is on, so that fields pay nothing for it when
// it is off.
type operationTracer struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = operationTracer{}

func (operationTracer) ExtensionName() string                   { return "Tracing" }
func (operationTracer) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation starts the operation's span; it ends with the operation's (last)
// response.
func (t operationTracer) InterceptOperation(
	ctx context.Context, next graphql.OperationHandler,
) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	kind, name := operationKind(opCtx), operationName(opCtx)
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", kind)}
	spanName := kind
	if name != "" {
		spanName += " " + name
		attrs = append(attrs, attribute.String("graphql.operation.name", name))
	}
	if report, ok := opCtx.Stats.GetExtension("cost").(costReport); ok {
		attrs = append(attrs, attribute.Int64("graphql.operation.cost", report.Requested))
	}
	ctx, span := t.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil || kind != string(ast.Subscription) {
			endOperation(span, resp)
		}
		return resp
	}
}

// endOperation ends an operation's span, marking it failed with the first error's code.
func endOperation(span trace.Span, resp *graphql.Response) {
	if resp != nil && len(resp.Errors) > 0 {
		code, _ := resp.Errors[0].Extensions["code"].(apperr.Code)
		if code == "" {
			code = apperr.Internal
		}
		span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
		span.SetStatus(codes.Error, string(code))
	}
	span.End()
}

// InterceptField records a span around a resolver that is not a plain field read.
func (t operationTracer) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, span := t.tracer.Start(ctx, fc.Object+"."+fc.Field.Name)
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, string(apperr.CodeOf(err)))
	}
	return res, err
}

// operationKind returns "query", "mutation" or "subscription".
func operationKind(opCtx *graphql.OperationContext) string {
	if opCtx.Operation == nil {
		return "operation"
	}
	return string(opCtx.Operation.Operation)
}

// operationName returns the operation's name, or "" for an anonymous one.
func operationName(opCtx *graphql.OperationContext) string {
	if opCtx.OperationName != "" {
		return opCtx.OperationName
	}
	if opCtx.Operation != nil {
		return opCtx.Operation.Name
	}
	return ""
}
