package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
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
		e, detail := classify(ctx, out, err)
		code := e.Code
		switch {
		case code == apperr.BadRequest && len(out.Path) == 0:
			// About the request itself: gqlgen answers some of these with 200.
			setRequestStatus(ctx, http.StatusBadRequest)
		case code == apperr.Internal && ctx.Err() != nil:
			// The client went away (or the server is stopping): the failure follows from
			// that, and nobody reads the answer.
			log.DebugContext(ctx, "request ended early", "request_id", requestID(ctx), "path", out.Path.String(), "err", err)
		case code == apperr.Internal:
			log.ErrorContext(ctx, "internal error", "request_id", requestID(ctx), "path", out.Path.String(), "err", err)
		}
		out.Message = localize(bundle, chain, e)
		out.Extensions = map[string]any{"code": code}
		if e.Field != "" {
			out.Extensions["field"] = e.Field
		}
		if detail != "" {
			out.Extensions["detail"] = detail
		}
		if e.Reason != "" {
			out.Extensions["reason"] = e.Reason
		}
		if row, ok := e.Data["Row"]; ok && code == apperr.BadUserInput {
			out.Extensions["row"] = row // the row of an uploaded sheet the error is about
		}
		if fs := card.FindingsOf(err); len(fs) > 0 {
			out.Extensions["findings"] = findings(fs)
		}
		if fs := content.FindingsOf(err); len(fs) > 0 {
			out.Extensions["findings"] = contentFindings(ctx, fs)
		}
		if uses := portal.UsesOf(err); len(uses) > 0 {
			out.Extensions["usedBy"] = imageUses(uses)
		}
		if retry, ok := e.Data["RetryAfter"]; ok && code == apperr.RateLimited {
			out.Extensions["retryAfter"] = retry
		}
		out.Err = nil
		return out
	}
}

// classify returns the application error err stands for, and for a GraphQL document that
// does not parse or validate gqlparser's explanation (English) as a technical detail. A
// value gqlgen could not read as an argument (a custom scalar's parse error) or a variable
// of the wrong type is the client's: BAD_USER_INPUT on the argument path (see input.go).
func classify(ctx context.Context, out *gqlerror.Error, err error) (*apperr.Error, string) {
	arg, isArg := argumentField(ctx, out)
	if e := appError(err); e != nil {
		if e.Field == "" && isArg {
			return e.WithField(arg), ""
		}
		return e, ""
	}
	var gerr *gqlerror.Error
	switch {
	case !errors.As(err, &gerr):
		return &apperr.Error{Code: apperr.Internal}, "" // a resolver's plain error
	case gerr.Err != nil && isArg:
		return apperr.Invalid(arg, "ValueInvalid", nil), ""
	case gerr.Err != nil && gerr.Err.Error() == "introspection disabled":
		return apperr.New(apperr.ValidationFailed, "IntrospectionDisabled"), "" // gqlgen's, on __schema or __type
	case gerr.Err != nil:
		return &apperr.Error{Code: apperr.Internal}, "" // a resolver's plain error or a panic
	}
	if field, messageID, ok := variableField(ctx, gerr); ok {
		return apperr.Invalid(field, messageID, nil), ""
	}
	return requestError(gerr) // gqlgen's own error about the request
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

// localize returns e's message in the first language of chain that has it: its MessageID's,
// or its code's generic message.
func localize(bundle *i18n.Bundle, chain []string, e *apperr.Error) string {
	id := e.MessageID
	if id == "" {
		id = string(e.Code)
	}
	return bundle.Localize(chain, id, e.Data)
}

// detailOf shortens gqlparser's technical message for a client: never more than 200
// bytes, without a final full stop.
func detailOf(msg string) string {
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	return strings.TrimSuffix(msg, ".")
}

// recoverFunc turns a panic in a resolver into an INTERNAL error, logging the stack.
func recoverFunc(log *slog.Logger, requestID RequestIDFunc) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", requestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", p)
	}
}

// imageUses lists the places a refused deleteImage found the image in, for
// extensions.usedBy: the kind of place and the global IDs of its organisation and activity.
func imageUses(uses []*portal.ImageUse) []map[string]any {
	out := make([]map[string]any, len(uses))
	for i, u := range uses {
		out[i] = map[string]any{
			"kind":           string(u.Kind),
			"organisationId": relay.GlobalID("Organisation", u.OrganisationID),
		}
		if u.ActivityID != nil {
			out[i]["activityId"] = relay.GlobalID("Activity", *u.ActivityID)
		}
	}
	return out
}

// findings lists a refused card's findings for extensions.findings: what was found, how
// serious, and only the agency and date a caseworker needs.
// contentFindings are the findings of content checks that refused a publication.
func contentFindings(ctx context.Context, fs []content.Finding) []map[string]any {
	out := make([]map[string]any, len(fs))
	for i, f := range fs {
		out[i] = map[string]any{"code": f.Code, "severity": f.Severity, "path": f.Path, "message": f.Message(ctx)}
	}
	return out
}

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
