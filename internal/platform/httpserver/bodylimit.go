package httpserver

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// BodyLimit rejects request bodies larger than n bytes with 413 and the body
// {"errors":[{"message":"request body too large","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}.
//
// A declared Content-Length above n is rejected before the handler runs.
// Bodies without a length (chunked) are read through http.MaxBytesReader; once
// the handler has read past the limit, whatever response it starts is
// replaced by the 413. A limit of n <= 0 disables the check.
func BodyLimit(n int64) func(http.Handler) http.Handler { return bodyLimit(n, nil) }

// bodyLimit is BodyLimit with the 413's message from msg (English when nil).
func bodyLimit(n int64, msg MessageFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if n <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				writeTooLarge(w, r, msg)
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			serveLimited(next, w, r, n, msg)
		})
	}
}

// BodyLimits is BodyLimit with two limits: upload for multipart/form-data bodies (file
// uploads), other for every other body (a JSON query and its variables), so that a large
// JSON document is refused before it is decoded.
func BodyLimits(upload, other int64) func(http.Handler) http.Handler {
	return bodyLimits(upload, other, nil)
}

// bodyLimits is BodyLimits with the 413's message from msg (English when nil).
func bodyLimits(upload, other int64, msg MessageFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		up, rest := bodyLimit(upload, msg)(next), bodyLimit(other, msg)(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/form-data") {
				up.ServeHTTP(w, r)
				return
			}
			rest.ServeHTTP(w, r)
		})
	}
}

// serveLimited runs next with a size-limited body and a writer that swaps the
// handler's response for a 413 once the limit has been hit.
func serveLimited(next http.Handler, w http.ResponseWriter, r *http.Request, n int64, msg MessageFunc) {
	body := &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, n)}
	lw := &limitWriter{ResponseWriter: w, body: body, tooLarge: func(w http.ResponseWriter) { writeTooLarge(w, r, msg) }}
	r2 := r.WithContext(r.Context())
	r2.Body = body
	next.ServeHTTP(lw, r2)
	if body.exceeded.Load() && !lw.started {
		lw.start()
	}
}

// writeTooLarge writes the 413 response and asks the server to close the
// connection instead of draining the rest of the body.
func writeTooLarge(w http.ResponseWriter, r *http.Request, msg MessageFunc) {
	w.Header().Set("Connection", "close")
	WriteError(w, http.StatusRequestEntityTooLarge, msg.message(r, CodePayloadTooLarge, "request body too large"), CodePayloadTooLarge)
}

// limitedBody records whether reading hit the size limit.
type limitedBody struct {
	io.ReadCloser
	exceeded atomic.Bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if err != nil && errors.As(err, &mbe) {
		b.exceeded.Store(true)
	}
	return n, err
}

// limitWriter replaces the handler's response with a 413 when the body limit
// was exceeded before the response started.
type limitWriter struct {
	http.ResponseWriter
	body     *limitedBody
	tooLarge func(http.ResponseWriter) // writes the 413
	started  bool
	rejected bool
}

// start begins the response: it writes the 413 if the body was too large and
// reports whether the handler's own output may pass through.
func (l *limitWriter) start() bool {
	if !l.started {
		l.started = true
		if l.body.exceeded.Load() {
			l.rejected = true
			l.tooLarge(l.ResponseWriter)
		}
	}
	return !l.rejected
}

func (l *limitWriter) WriteHeader(code int) {
	if code < 200 && code != http.StatusSwitchingProtocols {
		if !l.started {
			l.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if l.start() {
		l.ResponseWriter.WriteHeader(code)
	}
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if !l.start() {
		return len(p), nil
	}
	return l.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (l *limitWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// Flush starts the response and flushes it when supported.
func (l *limitWriter) Flush() {
	if l.start() {
		_ = http.NewResponseController(l.ResponseWriter).Flush()
	}
}
