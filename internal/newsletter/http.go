package newsletter

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
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
//	POST /newsletter/inbound?recipient=...    a message the mail server received for a return
//	                                         path or mailto: unsubscribe address (raw RFC 5322),
//	                                         authorised by the inbound secret

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

// Inbound takes one message the mail server received for a return path or a mailto:
// unsubscribe address: the raw message is the body, the envelope recipient the query
// parameter recipient, and "Authorization: Bearer <FRITID_NEWSLETTER_INBOUND_SECRET>" the
// right. It answers 200 with {"outcome": "BOUNCED" | "COMPLAINED" | "UNSUBSCRIBED" |
// "IGNORED"} for every message it could take, whatever it says, so that the mail server
// neither retries nor bounces it; 401 for a wrong secret, 404 without one configured,
// 413 for a message above the body limit, 500 (retry later) when fritid failed.
func (h *Handlers) Inbound(w http.ResponseWriter, r *http.Request) {
	secret, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	out, err := h.Service.ReceiveMail(r.Context(), secret, r.URL.Query().Get("recipient"), r.Body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.Log.InfoContext(r.Context(), "newsletter mail received", "outcome", out)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"outcome": out}) //nolint:errcheck // the client went away
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
