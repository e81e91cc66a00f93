package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// requestErrorWriter brings gqlgen's answers to request errors (unparseable body, document
// that does not parse or validate, limits) in line with the GraphQL-over-HTTP spec: no
// "data" entry, since execution never started, and status 200 rather than 422 when the
// response is application/json (4xx stays for application/graphql-response+json).
// gqlgen marks a request error by setting a 4xx status before it writes the body.
type requestErrorWriter struct {
	http.ResponseWriter
	requestError bool
	body         bytes.Buffer
}

func (w *requestErrorWriter) WriteHeader(status int) {
	if status >= 400 && status < 500 {
		w.requestError = true
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
	return w.ResponseWriter.Write(p)
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
