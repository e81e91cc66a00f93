package httpserver

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Chain wraps h in the given middleware; mws[0] is the outermost, so it sees
// the request first and the response last.
func Chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Middleware returns the standard middleware stack for cfg, outermost first:
// TrustProxies, Recover, RequestLog, BodyLimits and CORS. Pass it to Chain.
func Middleware(cfg Config, log *slog.Logger, m *Metrics) []func(http.Handler) http.Handler {
	cfg = cfg.withDefaults()
	return []func(http.Handler) http.Handler{
		TrustProxies(cfg.TrustedProxies),
		recoverWith(log, cfg.Message),
		RequestLog(log, m),
		bodyLimits(cfg.MaxBodyBytes, cfg.MaxJSONBodyBytes, cfg.Message),
		CORS(cfg.CORSOrigins),
	}
}

// Recover turns a panic in the wrapped handler into a 500 response with the
// body {"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}
// and logs the panic value with the request id and stack trace. A panic with
// http.ErrAbortHandler is passed on so net/http aborts the connection.
func Recover(log *slog.Logger) func(http.Handler) http.Handler { return recoverWith(log, nil) }

// recoverWith is Recover with the 500's message from msg (English when nil).
func recoverWith(log *slog.Logger, msg MessageFunc) func(http.Handler) http.Handler {
	log = orDefault(log)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rw := &trackingWriter{ResponseWriter: w}
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				logPanic(log, w, r, p)
				if !rw.wrote {
					WriteError(w, http.StatusInternalServerError, msg.message(r, CodeInternal, "internal error"), CodeInternal)
				}
			}()
			next.ServeHTTP(rw, r)
		})
	}
}

// logPanic logs a recovered panic. The request id is read from the response
// header set by RequestLog, which runs inside Recover.
func logPanic(log *slog.Logger, w http.ResponseWriter, r *http.Request, p any) {
	log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
		slog.String("request_id", w.Header().Get(RequestIDHeader)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Any("panic", p),
		slog.String("stack", string(debug.Stack())),
	)
}

// orDefault returns log, or slog.Default() when log is nil.
func orDefault(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.Default()
	}
	return log
}

// trackingWriter remembers whether a response has been started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		t.wrote = true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// Flush forwards to the underlying writer when it supports flushing.
func (t *trackingWriter) Flush() {
	t.wrote = true
	_ = http.NewResponseController(t.ResponseWriter).Flush()
}
