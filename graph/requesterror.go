package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// requestErrorWriter brings gqlgen's answers to request errors (unparseable body, document
// that does not parse or validate, limits) in line with the GraphQL-over-HTTP spec: no
// "data" entry, since execution never started, and status 200 rather than 422 when the
// response is application/json (4xx stays for application/graphql-response+json).
// gqlgen marks a request error by setting a 4xx status before it writes the body.
// An answer that has nothing but SERVICE_UNAVAILABLE errors is HTTP 503 with Retry-After.
type requestErrorWriter struct {
	http.ResponseWriter
	requestError bool
	wroteHeader  bool
	body         bytes.Buffer
	// status, when set by the time the header is written, is the status a request error
	// asked for (429 for a spent budget, 413 for an over-long query).
	status *int
}

func (w *requestErrorWriter) WriteHeader(status int) {
	w.wroteHeader = true
	if status >= 400 && status < 500 {
		w.requestError = true
		if w.status != nil && *w.status != 0 {
			w.ResponseWriter.WriteHeader(*w.status)
			return
		}
		if status == http.StatusUnprocessableEntity && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			status = http.StatusOK
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *requestErrorWriter) Write(p []byte) (int, error) {
	if w.requestError {
		return w.body.Write(p)
	}
	if !w.wroteHeader && unavailableAnswer(p) {
		httpserver.SetRetryAfter(w.Header())
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.wroteHeader = true
	return w.ResponseWriter.Write(p)
}

// unavailableAnswer reports whether a GraphQL response answered nothing because the
// database could not be reached: it has errors, every one SERVICE_UNAVAILABLE, and no data
// (null, or only null fields). gqlgen writes a response with one Write.
func unavailableAnswer(body []byte) bool {
	if !bytes.Contains(body, []byte(apperr.ServiceUnavailable)) {
		return false
	}
	var resp struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct {
				Code apperr.Code `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &resp) != nil || len(resp.Errors) == 0 {
		return false
	}
	for _, e := range resp.Errors {
		if e.Extensions.Code != apperr.ServiceUnavailable {
			return false
		}
	}
	for _, v := range resp.Data {
		if string(v) != "null" {
			return false
		}
	}
	return true
}

// finish writes a buffered request-error body without its "data" entry.
func (w *requestErrorWriter) finish() {
	if !w.requestError || w.body.Len() == 0 {
		return
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(w.body.Bytes(), &resp); err != nil {
		w.ResponseWriter.Write(w.body.Bytes()) //nolint:errcheck // the client went away
		return
	}
	delete(resp, "data")
	json.NewEncoder(w.ResponseWriter).Encode(resp) //nolint:errcheck // the client went away
}

func (w *requestErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type statusKey struct{}

// withRequestStatus gives the request a slot in which a request error (one found before
// execution) can ask for its HTTP status.
func withRequestStatus(r *http.Request) (*http.Request, *int) {
	status := new(int)
	return r.WithContext(context.WithValue(r.Context(), statusKey{}, status)), status
}

// setRequestStatus asks for status as the answer's HTTP status, should the request fail
// before execution.
func setRequestStatus(ctx context.Context, status int) {
	if p, ok := ctx.Value(statusKey{}).(*int); ok {
		*p = status
	}
}
