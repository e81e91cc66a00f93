package httpserver

import (
	"net/http"
	"strconv"
)

// CodeServiceUnavailable marks an answer given while the database cannot be reached.
const CodeServiceUnavailable = "SERVICE_UNAVAILABLE"

// RetryAfterSeconds is the Retry-After of an answer given while the database cannot be
// reached: about how long the embedded PostgreSQL takes to restart.
const RetryAfterSeconds = 2

// SetRetryAfter sets the Retry-After header of an HTTP 503 answer.
func SetRetryAfter(h http.Header) {
	h.Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
}

// WriteUnavailable writes HTTP 503 with Retry-After and a GraphQL-shaped error coded
// SERVICE_UNAVAILABLE with the (localised) message msg.
func WriteUnavailable(w http.ResponseWriter, msg string) {
	SetRetryAfter(w.Header())
	WriteError(w, http.StatusServiceUnavailable, msg, CodeServiceUnavailable)
}
