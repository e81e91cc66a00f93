package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/fritid/fritid/internal/platform/clientnet"
)

// addressKeys are the span attributes in which HTTP instrumentation records a client's or a
// peer's IP address, in the semantic conventions' current and older names.
var addressKeys = map[attribute.Key]bool{
	"client.address":       true,
	"network.peer.address": true,
	"http.client_ip":       true,
	"net.sock.peer.addr":   true,
	"net.peer.ip":          true,
}

// maskingExporter exports spans with every IP address among their attributes replaced by
// its network (clientnet.Mask), as the logs have it: the HTTP instrumentation records the
// address of the peer and the first X-Forwarded-For entry, and has no option to leave them out.
type maskingExporter struct{ sdktrace.SpanExporter }

func (e maskingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		out[i] = maskedSpan{s}
	}
	return e.SpanExporter.ExportSpans(ctx, out)
}

// maskedSpan is a span whose address attributes read as networks.
type maskedSpan struct{ sdktrace.ReadOnlySpan }

func (s maskedSpan) Attributes() []attribute.KeyValue {
	attrs := s.ReadOnlySpan.Attributes()
	var out []attribute.KeyValue
	for i, kv := range attrs {
		if !addressKeys[kv.Key] {
			continue
		}
		if out == nil {
			out = append([]attribute.KeyValue(nil), attrs...)
		}
		out[i] = kv.Key.String(clientnet.Mask(kv.Value.Emit()))
	}
	if out == nil {
		return attrs
	}
	return out
}
