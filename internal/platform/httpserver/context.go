package httpserver

import (
	"context"
	"log/slog"
	"sync"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	loggerKey
	operationKey
)

// WithRequestID returns a copy of ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request id stored in ctx, or "" if none.
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withLogger returns a copy of ctx carrying log.
func withLogger(ctx context.Context, log *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey, log)
}

// LoggerFromContext returns the request-scoped logger set by RequestLog, which
// carries the request_id attribute. Outside a request it returns
// slog.Default(), with request_id attached when ctx has one.
func LoggerFromContext(ctx context.Context) *slog.Logger {
	if log, ok := ctx.Value(loggerKey).(*slog.Logger); ok && log != nil {
		return log
	}
	if id := RequestIDFromContext(ctx); id != "" {
		return slog.Default().With(slog.String("request_id", id))
	}
	return slog.Default()
}

// operationSlot lets an inner handler report the GraphQL operation name to
// the access log written by RequestLog.
type operationSlot struct {
	mu   sync.Mutex
	name string
}

func (s *operationSlot) set(name string) {
	s.mu.Lock()
	s.name = name
	s.mu.Unlock()
}

func (s *operationSlot) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

func withOperationSlot(ctx context.Context, s *operationSlot) context.Context {
	return context.WithValue(ctx, operationKey, s)
}

// SetOperationName records the GraphQL operation name of the current request
// so that RequestLog includes it in the access log line. Names are reduced to
// the same bounded form as metric labels (see OperationLabel). It does
// nothing when ctx does not come from a request served through RequestLog.
func SetOperationName(ctx context.Context, name string) {
	if s, ok := ctx.Value(operationKey).(*operationSlot); ok {
		s.set(OperationLabel(name))
	}
}
