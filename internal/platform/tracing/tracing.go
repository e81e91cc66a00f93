package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of fritid's own spans.
const ScopeName = "github.com/fritid/fritid"

// Tracing is the process's tracer provider: the OpenTelemetry SDK with an OTLP/HTTP
// exporter when tracing is on, a no-op provider that records and sends nothing when off.
type Tracing struct {
	provider trace.TracerProvider
	sdk      *sdktrace.TracerProvider // nil when off
	prop     propagation.TextMapPropagator
}

// Off returns tracing turned off.
func Off() *Tracing {
	return &Tracing{provider: noop.NewTracerProvider(), prop: propagation.TraceContext{}}
}

// New starts tracing as cfg says: off (see Off) when cfg has no endpoint, else an SDK
// tracer provider that batches spans to cfg.Endpoint. Call Shutdown to flush them.
func New(ctx context.Context, cfg Config) (*Tracing, error) {
	if !cfg.Enabled() {
		return Off(), nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(cfg.Endpoint))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter for %s: %w", cfg.Endpoint, err)
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", cfg.ServiceName)))
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(maskingExporter{exp}), sdktrace.WithResource(res))
	return &Tracing{provider: sdk, sdk: sdk, prop: propagation.TraceContext{}}, nil
}

// Enabled reports whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t.sdk != nil }

// Provider returns the tracer provider (a no-op one when tracing is off).
func (t *Tracing) Provider() trace.TracerProvider { return t.provider }

// Tracer returns the tracer of fritid's own spans.
func (t *Tracing) Tracer() trace.Tracer { return t.provider.Tracer(ScopeName) }

// Propagator returns the W3C trace context propagator (traceparent, tracestate).
func (t *Tracing) Propagator() propagation.TextMapPropagator { return t.prop }

// ForceFlush exports every span ended so far.
func (t *Tracing) ForceFlush(ctx context.Context) error {
	if t.sdk == nil {
		return nil
	}
	return t.sdk.ForceFlush(ctx)
}

// Shutdown exports the spans still queued and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.sdk == nil {
		return nil
	}
	return t.sdk.Shutdown(ctx)
}

// Middleware returns the HTTP server middleware that continues an incoming traceparent
// and records one server span per request, named by method and route(path) (a bounded
// name). When tracing is off it returns the handler unchanged.
func (t *Tracing) Middleware(route func(path string) string) func(http.Handler) http.Handler {
	if !t.Enabled() {
		return func(h http.Handler) http.Handler { return h }
	}
	return func(h http.Handler) http.Handler {
		return otelhttp.NewHandler(h, "http",
			otelhttp.WithTracerProvider(t.provider),
			otelhttp.WithPropagators(t.prop),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
				return r.Method + " " + route(r.URL.Path)
			}))
	}
}

// Client returns an HTTP client for the server's own outgoing calls that records a client
// span and sends traceparent, or nil (the default client) when tracing is off.
func (t *Tracing) Client() *http.Client {
	if !t.Enabled() {
		return nil
	}
	return &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport,
		otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(t.prop))}
}
