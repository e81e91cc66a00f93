package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// RequestIDFunc returns the request ID of a request's context, for logs.
type RequestIDFunc func(ctx context.Context) string

// errorPresenter is the one place errors become GraphQL errors: extensions.code is always
// set, the message is localised, extensions.field names bad input, and anything that is
// not an application error is logged with the request ID and shown as "internal error".
func errorPresenter(bundle *i18n.Bundle, log *slog.Logger, requestID RequestIDFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		chain := i18n.FromContext(ctx).Chain
		code, messageID, data, field := classify(ctx, out, err)
		switch {
		case code == apperr.Internal && ctx.Err() != nil:
			// The client went away (or the server is stopping): the failure follows from
			// that, and nobody reads the answer.
			log.DebugContext(ctx, "request ended early", "request_id", requestID(ctx), "path", out.Path.String(), "err", err)
		case code == apperr.Internal:
			log.ErrorContext(ctx, "internal error", "request_id", requestID(ctx), "path", out.Path.String(), "err", err)
		}
		if messageID == "" {
			messageID = string(code)
		}
		out.Message = bundle.Localize(chain, messageID, data)
		out.Extensions = map[string]any{"code": code}
		if field != "" {
			out.Extensions["field"] = field
		}
		if e := apperr.As(err); e != nil && e.Reason != "" {
			out.Extensions["reason"] = e.Reason
		}
		if fs := card.FindingsOf(err); len(fs) > 0 {
			out.Extensions["findings"] = findings(fs)
		}
		if retry, ok := data["RetryAfter"]; ok && code == apperr.RateLimited {
			out.Extensions["retryAfter"] = retry
		}
		out.Err = nil
		return out
	}
}

// gqlgenCodes maps the codes gqlgen and gqlparser set on their own errors to ours.
var gqlgenCodes = map[string]apperr.Code{
	"GRAPHQL_PARSE_FAILED":      apperr.ParseFailed,
	"GRAPHQL_VALIDATION_FAILED": apperr.ValidationFailed,
	"COMPLEXITY_LIMIT_EXCEEDED": apperr.QueryTooComplex,
	"PERSISTED_QUERY_NOT_FOUND": apperr.PersistedQueryNotFound,
}

// classify returns the code, message ID, template data and field for an error. A value
// gqlgen could not read as an argument (a custom scalar's parse error) or a variable of
// the wrong type is the client's: BAD_USER_INPUT on the argument path (see input.go).
func classify(ctx context.Context, out *gqlerror.Error, err error) (apperr.Code, string, map[string]any, string) {
	arg, isArg := argumentField(ctx, out)
	if e := appError(err); e != nil {
		if e.Field == "" && isArg {
			return e.Code, e.MessageID, e.Data, arg
		}
		return e.Code, e.MessageID, e.Data, e.Field
	}
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) {
		return apperr.Internal, "", nil, "" // a resolver's plain error
	}
	if gerr.Err != nil {
		if isArg {
			return apperr.BadUserInput, "ValueInvalid", nil, arg
		}
		return apperr.Internal, "", nil, "" // a resolver's plain error or a panic
	}
	if field, messageID, ok := variableField(ctx, gerr); ok {
		return apperr.BadUserInput, messageID, nil, field
	}
	// gqlgen's own error about the request: parse, validation, limits, transport.
	reason := map[string]any{"Reason": reasonOf(gerr.Message)}
	if c, ok := gerr.Extensions["code"].(string); ok {
		if code, ok := gqlgenCodes[c]; ok {
			if code == apperr.QueryTooComplex {
				return code, "", complexityData(gerr.Message), ""
			}
			return code, "", reason, ""
		}
	}
	if strings.Contains(gerr.Message, "token limit") {
		return apperr.ParseFailed, "", reason, ""
	}
	return apperr.BadRequest, "", reason, ""
}

// appError returns the *apperr.Error in err's chain; a driver error that did not pass
// through database.MapError but says the database cannot be reached becomes
// SERVICE_UNAVAILABLE. Otherwise it returns nil.
func appError(err error) *apperr.Error {
	if e := apperr.As(err); e != nil {
		return e
	}
	if database.IsUnavailable(err) {
		return &apperr.Error{Code: apperr.ServiceUnavailable, Err: err}
	}
	return nil
}

// reasonOf shortens gqlgen's technical message for a client: never the request body
// echoed back, never more than 200 bytes.
func reasonOf(msg string) string {
	if i := strings.Index(msg, " body:"); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	return strings.TrimSuffix(msg, ".")
}

// complexityData reads the numbers back out of gqlgen's complexity message.
func complexityData(msg string) map[string]any {
	var n, limit int
	fmt.Sscanf(msg, "operation has complexity %d, which exceeds the limit of %d", &n, &limit) //nolint:errcheck // zero values are fine
	return map[string]any{"Complexity": n, "Limit": limit}
}

// recoverFunc turns a panic in a resolver into an INTERNAL error, logging the stack.
func recoverFunc(log *slog.Logger, requestID RequestIDFunc) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", requestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", p)
	}
}

// findings lists a refused card's findings for extensions.findings: what was found, how
// serious, and only the agency and date a caseworker needs.
func findings(fs []*card.Finding) []map[string]any {
	out := make([]map[string]any, len(fs))
	for i, f := range fs {
		m := map[string]any{"code": f.Code, "severity": f.Severity}
		if f.Agency != "" {
			m["agency"] = f.Agency
		}
		if f.Date != nil {
			m["date"] = f.Date.Format(time.RFC3339)
		}
		if f.Field != "" {
			m["field"] = f.Field
		}
		out[i] = m
	}
	return out
}
