package newsletter

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// The plain HTTP endpoints of newsletters, beside GraphQL:
//
//	POST /newsletter/unsubscribe?token=...   RFC 8058 one-click unsubscribe (the URL of every
//	                                         list e-mail's List-Unsubscribe header)
//	GET  /newsletter/subscribers.csv?list=... the subscribers as CSV, authorised as the
//	                                         subscribers query (ADMIN, SUBSCRIBERS_READ keys)

// statuses maps error codes to HTTP statuses for these endpoints.
var statuses = map[apperr.Code]int{
	apperr.BadUserInput:       http.StatusBadRequest,
	apperr.Conflict:           http.StatusConflict,
	apperr.NotFound:           http.StatusNotFound,
	apperr.TenantNotFound:     http.StatusNotFound,
	apperr.Unauthenticated:    http.StatusUnauthorized,
	apperr.Forbidden:          http.StatusForbidden,
	apperr.ServiceUnavailable: http.StatusServiceUnavailable,
}

// Handlers serves the endpoints; the tenant and auth middleware run before them.
type Handlers struct {
	Service *Service
	Bundle  *i18n.Bundle
	Log     *slog.Logger
}

// OneClick unsubscribes per RFC 8058: a mail client POSTs
// "List-Unsubscribe=One-Click" to the URL of the List-Unsubscribe header, without cookies
// or any other state; the token in the URL is the right. It answers 200 with an empty body,
// again for a subscription gone already.
func (h *Handlers) OneClick(w http.ResponseWriter, r *http.Request) {
	if err := h.Service.Unsubscribe(r.Context(), r.URL.Query().Get("token")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// ExportCSV writes a list's subscribers as CSV; the query parameters are the subscribers
// query's: list (global ID, required), status, changedSince (RFC 3339).
func (h *Handlers) ExportCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := SubscriberFilter{ListID: q.Get("list")}
	if v := q.Get("status"); v != "" {
		st := Status(v)
		if st != Pending && st != Confirmed {
			h.writeError(w, r, apperr.Invalid("status", "NewsletterStatusInvalid", nil))
			return
		}
		f.Status = &st
	}
	if v := q.Get("changedSince"); v != "" {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			h.writeError(w, r, apperr.Invalid("changedSince", "NewsletterTimeInvalid", nil))
			return
		}
		f.ChangedSince = &at
	}
	var buf bytes.Buffer
	if err := h.Service.ExportSubscribers(r.Context(), f, &buf); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// writeError writes err as a GraphQL-shaped JSON error with its HTTP status.
func (h *Handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	chain := i18n.FromContext(r.Context()).Chain
	e := apperr.As(err)
	if e == nil {
		h.Log.ErrorContext(r.Context(), "newsletter endpoint", "err", err)
		e = apperr.New(apperr.Internal, "")
	}
	status, ok := statuses[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	id := e.MessageID
	if id == "" {
		id = string(e.Code)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{ //nolint:errcheck // the client went away
		"message": h.Bundle.Localize(chain, id, e.Data), "extensions": map[string]any{"code": e.Code, "field": e.Field},
	}}})
}
