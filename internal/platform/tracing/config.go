// Package tracing is fritid's OpenTelemetry tracing: spans for HTTP requests, GraphQL
// operations and resolvers, and SQL statements, exported over OTLP/HTTP when the standard
// OTEL_* variables ask for it and off otherwise, W3C trace context in and out, and the
// trace and span ids in every log line written in a traced request.
package tracing

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DefaultServiceName is the service.name of fritid's spans unless OTEL_SERVICE_NAME says
// otherwise.
const DefaultServiceName = "fritid"

// Config says whether and where spans are exported.
type Config struct {
	// Endpoint is the OTLP/HTTP URL spans are posted to (…/v1/traces); empty turns
	// tracing off.
	Endpoint string
	// ServiceName is the service.name resource attribute.
	ServiceName string
}

// Enabled reports whether spans are recorded and exported.
func (c Config) Enabled() bool { return c.Endpoint != "" }

// FromEnv reads the OpenTelemetry variables that turn tracing on:
//
//   - OTEL_SDK_DISABLED=true turns it off whatever else is set.
//   - OTEL_TRACES_EXPORTER: "otlp" or "none"; unset means "otlp" when an endpoint is set and
//     "none" otherwise, so that nothing is sent anywhere unless asked for.
//   - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as is, or OTEL_EXPORTER_OTLP_ENDPOINT with
//     /v1/traces appended; with OTEL_TRACES_EXPORTER=otlp and neither set, the default
//     http://localhost:4318/v1/traces.
//   - OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL: only
//     http/protobuf is spoken.
//   - OTEL_SERVICE_NAME: the service name (default "fritid").
//
// The exporter's other settings (headers, timeout, compression, certificates), the sampler
// (OTEL_TRACES_SAMPLER) and the batch processor (OTEL_BSP_*) are read by the OpenTelemetry
// SDK itself. The error says which variable is wrong and what it may be.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{ServiceName: DefaultServiceName}
	if s := strings.TrimSpace(getenv("OTEL_SERVICE_NAME")); s != "" {
		c.ServiceName = s
	}
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return c, nil
	}
	endpoint, err := tracesEndpoint(getenv)
	if err != nil {
		return c, err
	}
	switch exp := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))); exp {
	case "none":
		return c, nil
	case "":
		if endpoint == "" {
			return c, nil
		}
	case "otlp":
		if endpoint == "" {
			endpoint = "http://localhost:4318/v1/traces"
		}
	default:
		return c, fmt.Errorf("OTEL_TRACES_EXPORTER = %q: fritid exports traces with \"otlp\" (or \"none\")", exp)
	}
	if err := checkProtocol(getenv); err != nil {
		return c, err
	}
	c.Endpoint = endpoint
	return c, nil
}

// tracesEndpoint returns the traces URL from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_EXPORTER_OTLP_ENDPOINT, or "" when neither is set.
func tracesEndpoint(getenv func(string) string) (string, error) {
	name, raw := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
	if raw == "" {
		name, raw = "OTEL_EXPORTER_OTLP_ENDPOINT", strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
		if raw == "" {
			return "", nil
		}
		raw = strings.TrimRight(raw, "/") + "/v1/traces"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s = %q: must be an http:// or https:// URL, such as http://collector:4318", name, raw)
	}
	return raw, nil
}

// checkProtocol refuses an OTLP protocol other than http/protobuf.
func checkProtocol(getenv func(string) string) error {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		switch p := strings.TrimSpace(getenv(name)); p {
		case "":
			continue
		case "http/protobuf":
			return nil
		default:
			return fmt.Errorf("%s = %q: %w", name, p, errProtocol)
		}
	}
	return nil
}

var errProtocol = errors.New("fritid sends traces over OTLP/HTTP: use http/protobuf (port 4318), not gRPC")
