package httpserver

import (
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/clientnet"
)

// RequestIDHeader is the header that carries the request id in both
// directions.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen is the longest incoming request id that is accepted.
const maxRequestIDLen = 64

// RequestLog assigns every request an id, stores it and a request-scoped
// logger in the request context, echoes it in the X-Request-Id response
// header, writes one access log line per request and records HTTP metrics in
// m (which may be nil).
//
// An incoming X-Request-Id is kept when it is at most 64 characters of
// [A-Za-z0-9._-]; otherwise a new UUID is generated. The access log line
// holds method, path (without query string), route, status, duration in
// milliseconds (duration_ms), bytes written, the network of the client's
// address (client_net, see clientnet.Mask: of the peer, or of the client a
// trusted proxy names, see TrustProxies), its user agent (at most 256 bytes), the request id and, when
// reported via SetOperationName, the GraphQL operation name. It is logged at
// info level, or at debug level for the health and metrics endpoints.
func RequestLog(log *slog.Logger, m *Metrics) func(http.Handler) http.Handler {
	log = orDefault(log)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serveLogged(next, log, m, w, r)
		})
	}
}

// serveLogged serves one request through next and logs it afterwards, also
// when next panics.
func serveLogged(next http.Handler, log *slog.Logger, m *Metrics, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r.Header.Get(RequestIDHeader))
	w.Header().Set(RequestIDHeader, id)
	reqLog := log.With(slog.String("request_id", id))
	slot := &operationSlot{}
	ctx := withOperationSlot(withLogger(WithRequestID(r.Context(), id), reqLog), slot)
	rec := &statusRecorder{ResponseWriter: w}
	panicked := true
	defer func() {
		status := rec.statusOr(http.StatusOK)
		if panicked && !rec.wroteHeader {
			status = http.StatusInternalServerError
		}
		d := time.Since(start)
		route := RouteLabel(r.URL.Path)
		m.observeHTTP(r.Method, route, status, d)
		logAccess(reqLog, r, route, status, d, rec.bytes, slot.get())
	}()
	next.ServeHTTP(rec, r.WithContext(ctx))
	panicked = false
}

// logAccess writes the access log line for one request.
func logAccess(log *slog.Logger, r *http.Request, route string, status int, d time.Duration, bytes int64, op string) {
	level := slog.LevelInfo
	if quietRoute(route) {
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", Milliseconds(d)),
		slog.Int64("bytes", bytes),
		slog.String("client_net", clientnet.Mask(r.RemoteAddr)),
		slog.String("user_agent", truncate(r.UserAgent(), maxUserAgentLen)),
	}
	if op != "" {
		attrs = append(attrs, slog.String("operation", op))
	}
	log.LogAttrs(r.Context(), level, "http request", attrs...)
}

// maxUserAgentLen is the most of a User-Agent header an access log line keeps.
const maxUserAgentLen = 256

// Milliseconds is d in milliseconds, to the microsecond: how logs give durations.
func Milliseconds(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)) / float64(time.Millisecond)
}

// truncate cuts s to at most n bytes, on a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// quietRoute reports whether requests to route are logged at debug level.
func quietRoute(route string) bool {
	switch route {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return false
}

// requestID returns incoming when it is a valid request id, else a new UUID.
func requestID(incoming string) string {
	if ValidRequestID(incoming) {
		return incoming
	}
	return uuid.NewString()
}

// ValidRequestID reports whether id is acceptable as a client-supplied request
// id: 1 to 64 characters of [A-Za-z0-9._-].
func ValidRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isTokenChar(id[i]) {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c is in [A-Za-z0-9._-].
func isTokenChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '-'
}

// isAlnum reports whether c is in [A-Za-z0-9].
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// statusRecorder captures the status code and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader && (code >= 200 || code == http.StatusSwitchingProtocols) {
		s.status = code
		s.wroteHeader = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wroteHeader {
		s.status = http.StatusOK
		s.wroteHeader = true
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// statusOr returns the recorded status, or def when none was written.
func (s *statusRecorder) statusOr(def int) int {
	if s.wroteHeader {
		return s.status
	}
	return def
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush forwards to the underlying writer when it supports flushing.
func (s *statusRecorder) Flush() {
	if !s.wroteHeader {
		s.status = http.StatusOK
		s.wroteHeader = true
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}
