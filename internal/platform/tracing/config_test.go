package tracing

import (
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		endpoint string // "" : off
		err      string // a substring of the error
	}{
		{name: "OffByDefault"},
		{name: "ServiceNameAloneIsOff", env: map[string]string{"OTEL_SERVICE_NAME": "fritid-oslo"}},
		{name: "Endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"},
			endpoint: "http://collector:4318/v1/traces"},
		{name: "TracesEndpointAsIs", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b/otlp/traces"}, endpoint: "https://b/otlp/traces"},
		{name: "ExporterOTLPDefaultsToLocalhost", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"},
			endpoint: "http://localhost:4318/v1/traces"},
		{name: "ExporterNone", env: map[string]string{"OTEL_TRACES_EXPORTER": "none",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}},
		{name: "SDKDisabled", env: map[string]string{"OTEL_SDK_DISABLED": "TRUE",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}},
		{name: "HTTPProtobuf", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, endpoint: "http://collector:4318/v1/traces"},
		{name: "ErrGRPC", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, err: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"},
		{name: "ErrExporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, err: "OTEL_TRACES_EXPORTER"},
		{name: "ErrEndpointNotURL", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
			err: "OTEL_EXPORTER_OTLP_ENDPOINT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Endpoint != tt.endpoint || c.Enabled() != (tt.endpoint != "") {
				t.Errorf("endpoint %q (enabled %v), want %q", c.Endpoint, c.Enabled(), tt.endpoint)
			}
		})
	}
}

func TestServiceName(t *testing.T) {
	for env, want := range map[string]string{"": DefaultServiceName, "fritid-oslo": "fritid-oslo"} {
		c, _ := FromEnv(func(k string) string {
			if k == "OTEL_SERVICE_NAME" {
				return env
			}
			return ""
		})
		if c.ServiceName != want {
			t.Errorf("OTEL_SERVICE_NAME=%q: service name %q, want %q", env, c.ServiceName, want)
		}
	}
}
