package graph

import (
	"context"
	"math"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Limits bound what one GraphQL request may ask of the server. Zero means no limit.
type Limits struct {
	// MaxQueryBytes is the longest query text.
	MaxQueryBytes int
	// MaxTokens is the most tokens the parser reads.
	MaxTokens int
	// MaxAliases is the most aliased fields in a document.
	MaxAliases int
	// MaxDirectives is the most directives in one place (a field, a fragment, an operation).
	MaxDirectives int
	// MaxCost is the highest cost of one operation (see cost.go).
	MaxCost int64
	// Meter, when set, charges each operation's cost to its caller's budget per minute.
	Meter *Meter
}

// costLimit enforces Limits: the document's size before it is validated (validation of
// huge or repetitive documents is what is expensive), the operation's cost before it runs,
// and the caller's budget. It reports an operation's cost in extensions.cost when the
// request asks for it with extensions: {"cost": true}.
type costLimit struct {
	limits Limits
	cache  graphql.Cache[*ast.QueryDocument] // documents already parsed and validated
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = costLimit{}

func (costLimit) ExtensionName() string                   { return "CostLimit" }
func (costLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters checks the document's size, tokens, aliases and directives
// before gqlgen parses and validates it. A document in the query cache passed already.
func (c costLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	l := c.limits
	if l.MaxQueryBytes > 0 && len(p.Query) > l.MaxQueryBytes {
		setRequestStatus(ctx, http.StatusRequestEntityTooLarge)
		return limitError(apperr.PayloadTooLarge, "QueryTooLarge",
			map[string]any{"Size": len(p.Query), "Limit": l.MaxQueryBytes})
	}
	if p.Query == "" {
		return nil
	}
	if _, ok := c.cache.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.MaxTokens)
	if err != nil {
		return nil // gqlgen parses again and reports the same error
	}
	return checkDocument(doc, l)
}

// checkDocument counts the aliases and directives written in doc (not expanded: the
// document's own text).
func checkDocument(doc *ast.QueryDocument, l Limits) *gqlerror.Error {
	w := docWalker{limits: l}
	for _, op := range doc.Operations {
		w.directives(op.Directives)
		for _, v := range op.VariableDefinitions {
			w.directives(v.Directives)
		}
		w.set(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		w.directives(f.Directives)
		w.set(f.SelectionSet)
	}
	return w.err
}

type docWalker struct {
	limits  Limits
	aliases int
	err     *gqlerror.Error
}

func (w *docWalker) set(s ast.SelectionSet) {
	for _, sel := range s {
		if w.err != nil {
			return
		}
		switch x := sel.(type) {
		case *ast.Field:
			if x.Alias != "" && x.Alias != x.Name {
				w.aliases++
				if w.limits.MaxAliases > 0 && w.aliases > w.limits.MaxAliases {
					w.err = limitError(apperr.QueryTooComplex, "TooManyAliases", map[string]any{"Limit": w.limits.MaxAliases})
					return
				}
			}
			w.directives(x.Directives)
			w.set(x.SelectionSet)
		case *ast.InlineFragment:
			w.directives(x.Directives)
			w.set(x.SelectionSet)
		case *ast.FragmentSpread:
			w.directives(x.Directives)
		}
	}
}

func (w *docWalker) directives(d ast.DirectiveList) {
	if w.err == nil && w.limits.MaxDirectives > 0 && len(d) > w.limits.MaxDirectives {
		w.err = limitError(apperr.QueryTooComplex, "TooManyDirectives",
			map[string]any{"Count": len(d), "Limit": w.limits.MaxDirectives})
	}
}

// MutateOperationContext rejects an operation over the cost limit, then charges its cost
// to the caller's budget.
func (c costLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	cost := operationCost(opCtx.Doc, opCtx.Operation, opCtx.Variables)
	report := costReport{Requested: cost, Maximum: c.limits.MaxCost}
	if c.limits.MaxCost > 0 && cost > c.limits.MaxCost {
		return limitError(apperr.QueryTooComplex, "", map[string]any{"Complexity": cost, "Limit": c.limits.MaxCost})
	}
	if m := c.limits.Meter; m != nil {
		charge := m.Charge(ctx, cost)
		if !charge.OK {
			setRetryAfter(ctx, charge.RetryAfter)
			setRequestStatus(ctx, http.StatusTooManyRequests)
			return limitError(apperr.RateLimited, "CostBudgetSpent", map[string]any{
				"RetryAfter": charge.RetryAfter, "Cost": cost, "Budget": charge.Budget})
		}
		report.Throttle = &charge
	}
	opCtx.Stats.SetExtension("cost", report)
	return nil
}

// InterceptResponse adds extensions.cost when the request asked for it.
func (costLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	opCtx := graphql.GetOperationContext(ctx)
	if asked, _ := opCtx.Extensions["cost"].(bool); !asked {
		return resp
	}
	report, ok := opCtx.Stats.GetExtension("cost").(costReport)
	if !ok {
		return resp
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = report.JSON()
	return resp
}

// costReport is what extensions.cost tells a client.
type costReport struct {
	Requested int64
	Maximum   int64
	Throttle  *Charge
}

// JSON returns the report as sent: the operation's cost, the most one operation may cost,
// and the caller's budget per minute with what is left of it.
func (r costReport) JSON() map[string]any {
	out := map[string]any{"requestedQueryCost": r.Requested}
	if r.Maximum > 0 {
		out["maximumQueryCost"] = r.Maximum
	}
	if t := r.Throttle; t != nil && t.Budget > 0 {
		out["throttleStatus"] = map[string]any{
			"maximumAvailable":   t.Budget,
			"currentlyAvailable": t.Left,
			"restoreRate":        math.Round(float64(t.Budget)/60*100) / 100,
		}
	}
	return out
}

// limitError is a request error (execution never starts) with an application error inside,
// so the error presenter localises it.
func limitError(code apperr.Code, messageID string, data map[string]any) *gqlerror.Error {
	return &gqlerror.Error{
		Err:        &apperr.Error{Code: code, MessageID: messageID, Data: data},
		Message:    string(code),
		Extensions: map[string]any{"code": string(code)},
	}
}

// setRetryAfter sets the Retry-After header of the request's answer.
func setRetryAfter(ctx context.Context, seconds int) {
	if st, ok := ctx.Value(cacheKey{}).(*cacheState); ok {
		st.header.Set("Retry-After", strconv.Itoa(seconds))
	}
}
