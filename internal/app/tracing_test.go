package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/fritid/fritid/internal/app"
	"github.com/fritid/fritid/internal/platform/config"
)

// otlpReceiver is a local OTLP/HTTP trace receiver: it decodes what the exporter posts
// and keeps the spans.
type otlpReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	services []string
	spans    []*tracepb.Span
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	rc := &otlpReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *otlpReceiver) serve(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	rc.requests++
	rc.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "not an OTLP/HTTP protobuf trace export", http.StatusBadRequest)
		return
	}
	if err := proto.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.name" {
				rc.services = append(rc.services, a.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.ScopeSpans {
			rc.spans = append(rc.spans, ss.Spans...)
		}
	}
	rc.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out) //nolint:errcheck // the exporter retries
}

// received returns the number of requests and the spans received so far.
func (rc *otlpReceiver) received() (int, []*tracepb.Span) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests, append([]*tracepb.Span(nil), rc.spans...)
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the log lines that contain substr.
func (b *syncBuffer) lines(substr string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// spanTree indexes spans by id.
type spanTree map[string]*tracepb.Span

func newSpanTree(spans []*tracepb.Span) spanTree {
	tree := spanTree{}
	for _, s := range spans {
		tree[hex.EncodeToString(s.SpanId)] = s
	}
	return tree
}

// descends reports whether s is below the span with id ancestor.
func (tree spanTree) descends(s *tracepb.Span, ancestor string) bool {
	for s != nil && len(s.ParentSpanId) > 0 {
		parent := hex.EncodeToString(s.ParentSpanId)
		if parent == ancestor {
			return true
		}
		s = tree[parent]
	}
	return false
}

// attr returns the attribute key of s as a string, and whether s has it.
func attr(s *tracepb.Span, key string) (string, bool) {
	for _, a := range s.Attributes {
		if a.Key == key {
			return anyString(a.Value), true
		}
	}
	return "", false
}

// anyString renders an attribute value, lists included, as text.
func anyString(v *commonpb.AnyValue) string {
	if arr := v.GetArrayValue(); arr != nil {
		parts := make([]string, len(arr.Values))
		for i, e := range arr.Values {
			parts[i] = anyString(e)
		}
		return strings.Join(parts, ",")
	}
	if s, ok := v.GetValue().(*commonpb.AnyValue_StringValue); ok {
		return s.StringValue
	}
	return v.String()
}

// spanText is everything a span says in words: name, attributes, events, status.
func spanText(s *tracepb.Span) string {
	parts := []string{s.Name, s.GetStatus().GetMessage()}
	for _, a := range s.Attributes {
		parts = append(parts, a.Key+"="+anyString(a.Value))
	}
	for _, e := range s.Events {
		parts = append(parts, e.Name)
		for _, a := range e.Attributes {
			parts = append(parts, a.Key+"="+anyString(a.Value))
		}
	}
	return strings.Join(parts, " ")
}

// newTracedServer is a fritid exporting its spans to rc, logging to logs.
func newTracedServer(t *testing.T, rc *otlpReceiver, logs *syncBuffer, tweak ...func(*config.Config)) *testServer {
	t.Helper()
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rc.URL, "OTEL_SERVICE_NAME": "fritid-test"}
	return newServerWith(t, env, app.NewLogger(&config.Config{LogLevel: "info"}, logs), tweak...)
}

// flushSpans waits for every request in flight to end (closing the test server), then
// exports every span, and returns what the receiver holds.
func flushSpans(t *testing.T, s *testServer, rc *otlpReceiver) []*tracepb.Span {
	t.Helper()
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.app.Tracing.ForceFlush(ctx); err != nil {
		t.Fatalf("flush spans: %v", err)
	}
	_, spans := rc.received()
	return spans
}

const (
	callerTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerParent = "00f067aa0ba902b7"
	traceparent  = "traceparent: 00-" + callerTrace + "-" + callerParent + "-01"
)

func TestTracingFollowsARequestToItsStatements(t *testing.T) {
	t.Parallel()
	rc, logs := newOTLPReceiver(t), &syncBuffer{}
	s := newTracedServer(t, rc, logs)
	ok(t, s.post(t, `query Catalogue {
		organisations(first: 5) { edges { node { id name } } } }`, nil, traceparent, "X-Request-Id: traced-read"))
	spans := flushSpans(t, s, rc)
	tree := newSpanTree(spans)

	var server, operation *tracepb.Span
	for _, sp := range spans {
		switch {
		case hex.EncodeToString(sp.ParentSpanId) == callerParent:
			server = sp
		case sp.Name == "query Catalogue":
			operation = sp
		}
	}
	if server == nil || hex.EncodeToString(server.TraceId) != callerTrace {
		t.Fatalf("no server span continuing the caller's trace %s among %d spans", callerTrace, len(spans))
	}
	if server.Kind != tracepb.Span_SPAN_KIND_SERVER || server.Name != "POST /graphql" {
		t.Errorf("server span %q of kind %v, want POST /graphql, SERVER", server.Name, server.Kind)
	}
	if operation == nil || !bytes.Equal(operation.ParentSpanId, server.SpanId) {
		t.Fatalf("no operation span \"query Catalogue\" below the server span")
	}
	if name, _ := attr(operation, "graphql.operation.name"); name != "Catalogue" {
		t.Errorf("graphql.operation.name = %q", name)
	}
	if cost, ok := attr(operation, "graphql.operation.cost"); !ok || cost == "" {
		t.Errorf("the operation span has no cost")
	}
	opID, serverID := hex.EncodeToString(operation.SpanId), hex.EncodeToString(server.SpanId)
	var statements, resolvers int
	for _, sp := range spans {
		if _, ok := attr(sp, "db.statement"); ok {
			if !tree.descends(sp, serverID) || hex.EncodeToString(sp.TraceId) != callerTrace {
				t.Errorf("SQL span %q is not below the request's span", sp.Name)
			}
			if tree.descends(sp, opID) {
				statements++
			}
		}
		if sp.Name == "Query.organisations" && tree.descends(sp, opID) {
			resolvers++
		}
	}
	if statements == 0 || resolvers != 1 {
		t.Errorf("below the operation: %d SQL spans, %d Query.organisations spans; want some and 1", statements, resolvers)
	}
	if _, ok := attr(operation, "graphql.document"); ok {
		t.Error("the operation span records the document")
	}
	lines := logs.lines("request_id=traced-read")
	if len(lines) == 0 {
		t.Fatal("no log line of the request")
	}
	for _, l := range lines {
		if !strings.Contains(l, "trace_id="+callerTrace) || !strings.Contains(l, "span_id=") {
			t.Errorf("log line without the trace id: %s", l)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.services) == 0 || rc.services[0] != "fritid-test" {
		t.Errorf("service.name %v, want fritid-test from OTEL_SERVICE_NAME", rc.services)
	}
}

func TestTracingRecordsNoPersonalData(t *testing.T) {
	t.Parallel()
	rc, logs := newOTLPReceiver(t), &syncBuffer{}
	s := newTracedServer(t, rc, logs)
	createAdmin(t, s, "kari@example.no")
	ok(t, s.post(t, loginMutation, map[string]any{"e": "Kari@Example.no", "p": "riktig hest batteri"},
		"X-Forwarded-For: 203.0.113.9"))
	if r := s.post(t, loginMutation, map[string]any{"e": "kari@example.no", "p": "gal hest batteri"}); r.code() == "" {
		t.Fatal("a wrong password signed in")
	}
	in := map[string]any{"name": "Stavern Sjakklubb", "kind": "VOLUNTARY", "orgNumber": "974760673", "summary": "Sjakk",
		"owner": map[string]any{"email": "Leder@Sjakk.no", "password": "lang og hemmelig frase", "displayName": "Leif Leder"}}
	ok(t, s.post(t, registerMutation, map[string]any{"in": in}))
	spans := flushSpans(t, s, rc)

	personal := []string{"kari@example.no", "leder@sjakk.no", "riktig hest", "gal hest", "hemmelig", "leif leder",
		"203.0.113.9"}
	var userStatements, networks int
	for _, sp := range spans {
		if a, ok := attr(sp, "client.address"); ok && (a == "203.0.113.0/24" || a == "127.0.0.0/24") {
			networks++
		}
		text := strings.ToLower(spanText(sp))
		for _, secret := range personal {
			if strings.Contains(text, secret) {
				t.Errorf("span %q records %q: %s", sp.Name, secret, text)
			}
		}
		if st, ok := attr(sp, "db.statement"); ok && strings.Contains(st, "users") {
			userStatements++
		}
	}
	if networks == 0 {
		t.Errorf("no span gives the client's network as client.address")
	}
	if userStatements < 2 {
		t.Errorf("%d SQL spans on users among %d spans; the logins and the registration read and write users",
			userStatements, len(spans))
	}
}

func TestTracingCarriesTheTraceToTheIssuer(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	iss := newIssuer(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.URL.Path+" "+r.Header.Get("Traceparent"))
			mu.Unlock()
			h.ServeHTTP(w, r)
		})
	})
	rc := newOTLPReceiver(t)
	s := newTracedServer(t, rc, &syncBuffer{}, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
	})
	now := time.Now()
	token := iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "abc-123",
		"email": "innbygger@example.no", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	ok(t, s.post(t, `{ viewer { roles } }`, nil, "Authorization: Bearer "+token, traceparent))
	mu.Lock()
	defer mu.Unlock()
	var discovery string
	for _, l := range seen {
		if strings.HasPrefix(l, "/.well-known/openid-configuration ") {
			discovery = l
		}
	}
	if !strings.Contains(discovery, "00-"+callerTrace+"-") {
		t.Errorf("the discovery request did not carry the request's trace: %q", seen)
	}
}

func TestTracingIsOffUnlessAskedFor(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"Unset":    {},
		"Disabled": {"OTEL_SDK_DISABLED": "true"},
		"None":     {"OTEL_TRACES_EXPORTER": "none"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc, logs := newOTLPReceiver(t), &syncBuffer{}
			if len(env) > 0 {
				env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rc.URL
			}
			s := newServerWith(t, env, app.NewLogger(&config.Config{LogLevel: "info"}, logs))
			if s.app.Tracing.Enabled() {
				t.Fatal("tracing is on")
			}
			r := ok(t, s.post(t, `{ organisations(first: 1) { edges { node { id } } } }`, nil, traceparent,
				"X-Request-Id: untraced"))
			if r.Header.Get("Traceparent") != "" {
				t.Error("the answer carries a traceparent")
			}
			spans := flushSpans(t, s, rc)
			if n, _ := rc.received(); n != 0 || len(spans) != 0 {
				t.Errorf("%d exports with tracing off", n)
			}
			lines := logs.lines("request_id=untraced")
			if len(lines) == 0 {
				t.Fatal("no log line of the request")
			}
			for _, l := range lines {
				if strings.Contains(l, "trace_id=") {
					t.Errorf("a trace id without tracing: %s", l)
				}
			}
		})
	}
}
