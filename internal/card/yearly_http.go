package card

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
)

// The plain HTTP endpoints of the card, beside GraphQL:
//
//	GET /card/yearly-report.csv?programme=...&year=...   the yearly report as CSV
//	GET /card/yearly-report.html?programme=...&year=...  the yearly report as a printable page
//
// Both take the query parameters of the cardYearlyReport query: programme (global ID,
// required), and year, or from and to (YYYY-MM-DD); both are authorised as it is (card
// coordinators and administrators, with the bearer token of their session).

// httpStatuses maps error codes to HTTP statuses for these endpoints.
var httpStatuses = map[apperr.Code]int{
	apperr.BadUserInput:    http.StatusBadRequest,
	apperr.NotFound:        http.StatusNotFound,
	apperr.TenantNotFound:  http.StatusNotFound,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.RateLimited:     http.StatusTooManyRequests,
	// A phone wallet that is not set up here.
	apperr.WalletNotAvailable: http.StatusNotImplemented,
}

// Handlers serves the card's HTTP endpoints; the tenant and auth middleware run before
// them.
type Handlers struct {
	Service *Service
	Bundle  *i18n.Bundle
	Log     *slog.Logger
}

// YearlyReportCSV writes a programme's yearly report as CSV, an attachment.
func (h *Handlers) YearlyReportCSV(w http.ResponseWriter, r *http.Request) {
	h.yearlyReport(w, r, "text/csv; charset=utf-8", func(rep *CardYearlyReport, buf *bytes.Buffer, tr Localizer,
		_ string,
	) error {
		w.Header().Set("Content-Disposition", `attachment; filename="`+yearlyFileName(rep)+`.csv"`)
		return rep.WriteCSV(buf, tr)
	})
}

// YearlyReportHTML writes a programme's yearly report as a printable HTML page.
func (h *Handlers) YearlyReportHTML(w http.ResponseWriter, r *http.Request) {
	h.yearlyReport(w, r, "text/html; charset=utf-8", func(rep *CardYearlyReport, buf *bytes.Buffer, tr Localizer,
		lang string,
	) error {
		return rep.WriteHTML(buf, tr, lang)
	})
}

// yearlyFileName is the name of a report's file: its programme's ID and period, ASCII.
func yearlyFileName(rep *CardYearlyReport) string {
	return "yearly-report-" + rep.ProgrammeID.String() + "-" + rep.From.Format(time.DateOnly) + "-" +
		rep.To.Format(time.DateOnly)
}

// yearlyReport parses the request, counts the report and writes it with write.
func (h *Handlers) yearlyReport(w http.ResponseWriter, r *http.Request, contentType string,
	write func(*CardYearlyReport, *bytes.Buffer, Localizer, string) error,
) {
	id, year, from, to, err := parseYearlyQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rep, err := h.Service.YearlyReport(r.Context(), id, year, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	loc := i18n.FromContext(r.Context())
	tr := func(id string, data map[string]any) string { return h.Bundle.Localize(loc.Chain, id, data) }
	lang := loc.Code
	if lang == "" {
		lang = "nb"
	}
	var buf bytes.Buffer
	if err := write(rep, &buf, tr, lang); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Language", lang)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// parseYearlyQuery reads the query parameters: programme, year, from and to.
func parseYearlyQuery(r *http.Request) (id uuid.UUID, year int, from, to time.Time, err error) {
	q := r.URL.Query()
	if id, err = relay.ParseTypedID(q.Get("programme"), "CardProgramme", "programme"); err != nil {
		return id, 0, from, to, err
	}
	if v := q.Get("year"); v != "" {
		if year, err = strconv.Atoi(v); err != nil {
			return id, 0, from, to, apperr.Invalid("year", msgYearInvalid, nil).WithReason("YEAR_OUT_OF_RANGE")
		}
	}
	for _, d := range []struct {
		field string
		to    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(d.field); v != "" {
			if *d.to, err = time.Parse(time.DateOnly, v); err != nil {
				return id, 0, from, to, apperr.Invalid(d.field, "DateInvalid", nil)
			}
		}
	}
	return id, year, from, to, nil
}

// writeError writes err as a GraphQL-shaped JSON error with its HTTP status.
func (h *Handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	chain := i18n.FromContext(r.Context()).Chain
	e := apperr.As(err)
	if e == nil {
		h.Log.ErrorContext(r.Context(), "card endpoint", "err", err)
		e = apperr.New(apperr.Internal, "")
	}
	status, ok := httpStatuses[e.Code]
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
