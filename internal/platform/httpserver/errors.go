package httpserver

import (
	"encoding/json"
	"net/http"
)

// Error codes used in the extensions.code field of error responses written by
// this package.
const (
	// CodeInternal marks an unexpected server failure, such as a panic.
	CodeInternal = "INTERNAL"
	// CodePayloadTooLarge marks a request body over the configured limit.
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
)

// MessageFunc returns the message of an error response this package writes, by its
// code, in the language of request r; "" keeps the English default.
type MessageFunc func(r *http.Request, code string) string

// message returns f's message for code, or english when f is nil or has none.
func (f MessageFunc) message(r *http.Request, code, english string) string {
	if f == nil {
		return english
	}
	if m := f(r, code); m != "" {
		return m
	}
	return english
}

type errorBody struct {
	Errors []errorEntry `json:"errors"`
}

type errorEntry struct {
	Message    string         `json:"message"`
	Extensions errorExtension `json:"extensions"`
}

type errorExtension struct {
	Code string `json:"code"`
}

// WriteError writes a GraphQL-shaped JSON error response:
// {"errors":[{"message":msg,"extensions":{"code":code}}]}.
func WriteError(w http.ResponseWriter, status int, msg, code string) {
	writeJSON(w, status, errorBody{Errors: []errorEntry{{
		Message:    msg,
		Extensions: errorExtension{Code: code},
	}}})
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
