package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

// TestBadInput sends what a careless or hostile client sends; each answer is a clear error
// with a code, and the server stays healthy.
func TestBadInput(t *testing.T) {
	s := newServer(t)
	deep := "{ categories " + strings.Repeat("{ children ", 20) + "{ name }" + strings.Repeat(" }", 20) + " }"
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&aliases, " a%d: municipality { name }", i)
	}
	aliases.WriteString(" }")
	pages := `{ organisations(first: 100) { nodes { activities(first: 100) { nodes { organisation {
		activities(first: 100) { nodes { id title } } } } } } } }`
	huge := []byte(`{"query":"{ municipality { name } }","variables":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`)
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantStatus  int
		wantCode    string
	}{
		{"ErrMalformedJSON", "application/json", []byte(`{"query": "{ municipality { name } }"`), 400, "BAD_REQUEST"},
		{"ErrNotGraphQLContentType", "text/plain", []byte(`{ municipality { name } }`), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"ErrFormContentType", "application/x-www-form-urlencoded", []byte(`query=%7B%7D`), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"ErrUnparseableQuery", "application/json", []byte(`{"query": "{ municipality { name "}`), 200, "GRAPHQL_PARSE_FAILED"},
		{"ErrUnknownField", "application/json", []byte(`{"query": "{ mayor }"}`), 200, "GRAPHQL_VALIDATION_FAILED"},
		{"ErrTooDeep", "application/json", jsonQuery(deep), 200, "QUERY_TOO_DEEP"},
		{"ErrTooComplex", "application/json", jsonQuery(pages), 200, "QUERY_TOO_COMPLEX"},
		{"ErrTooManyAliases", "application/json", jsonQuery(aliases.String()), 200, "QUERY_TOO_COMPLEX"},
		{"ErrTooManyTokens", "application/json", jsonQuery("{" + strings.Repeat(" a:__typename", 3400) + " }"), 200, "GRAPHQL_PARSE_FAILED"},
		{"ErrBodyTooLarge", "application/json", huge, 413, "PAYLOAD_TOO_LARGE"},
		{"ErrVariablesNotObject", "application/json", []byte(`{"query": "{ municipality { name } }", "variables": [1]}`), 400, "BAD_REQUEST"},
		{"ErrWrongVariableType", "application/json", []byte(`{"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": {"x": 1}}}`), 200, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, http.MethodPost, "/graphql", tt.contentType, tt.body, "Accept: application/json")
			if r.Status != tt.wantStatus || r.code() != tt.wantCode {
				t.Errorf("status %d code %q (%+v), want %d %q", r.Status, r.code(), r.Errors, tt.wantStatus, tt.wantCode)
			}
			if len(r.Errors) > 0 && r.Errors[0].Message == "" {
				t.Error("error without a message")
			}
			s.healthy(t)
		})
	}
}

// TestRequestErrorsWithGraphQLResponseJSON checks the status codes the GraphQL-over-HTTP
// spec asks for when the client accepts application/graphql-response+json.
func TestRequestErrorsWithGraphQLResponseJSON(t *testing.T) {
	s := newServer(t)
	deep := "{ categories " + strings.Repeat("{ children ", 20) + "{ name }" + strings.Repeat(" }", 20) + " }"
	for _, tt := range []struct {
		name, query string
		want        int
	}{
		{"Parse", "{ municipality {", 400},
		{"Validation", "{ mayor }", 400},
		{"TooDeep", deep, 400},
		{"Fine", "{ municipality { name } }", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, http.MethodPost, "/graphql", "application/json", jsonQuery(tt.query), "Accept: application/graphql-response+json")
			if r.Status != tt.want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/graphql-response+json") {
				t.Errorf("status %d content type %q, want %d", r.Status, r.Header.Get("Content-Type"), tt.want)
			}
		})
	}
}

func TestErrorMessagesAreLocalised(t *testing.T) {
	s := newServer(t)
	deep := "{ categories " + strings.Repeat("{ children ", 20) + "{ name }" + strings.Repeat(" }", 20) + " }"
	for lang, want := range map[string]string{
		"nb": "Spørringen er nøstet for dypt: dybde 22 er over grensen på 15.",
		"nn": "Spørjinga er nøsta for djupt: djupn 22 er over grensa på 15.",
		"en": "The query is nested too deeply: depth 22 is above the limit of 15.",
	} {
		r := s.post(t, deep, nil, "Accept-Language: "+lang)
		if len(r.Errors) == 0 || r.Errors[0].Message != want {
			t.Errorf("%s: %+v, want %q", lang, r.Errors, want)
		}
	}
}

func TestMethods(t *testing.T) {
	s := newServer(t)
	t.Run("GetQuery", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/graphql?query="+url.QueryEscape("{ municipality { name } }"), "", nil, "Accept-Language: en")
		if r.Status != 200 || get(r.Data, "municipality.name") != "Demo kommune" {
			t.Errorf("%+v", r)
		}
	})
	t.Run("ErrPut", func(t *testing.T) {
		r := s.do(t, http.MethodPut, "/graphql", "application/json", jsonQuery("{ municipality { name } }"))
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, POST" || r.code() == "" {
			t.Errorf("%+v", r)
		}
	})
}

func TestAutomaticPersistedQueries(t *testing.T) {
	s := newServer(t)
	query := "{ municipality { name } }"
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	send := func(withQuery bool) *gqlResponse {
		body := map[string]any{"extensions": ext}
		if withQuery {
			body["query"] = query
		}
		return s.do(t, http.MethodPost, "/graphql", "application/json", mustJSON(body))
	}
	if r := send(false); r.code() != "PERSISTED_QUERY_NOT_FOUND" || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %+v", r.Errors)
	}
	if r := send(true); get(r.Data, "municipality.name") != "Demo kommune" {
		t.Fatalf("register: %+v", r)
	}
	if r := send(false); get(r.Data, "municipality.name") != "Demo kommune" {
		t.Fatalf("by hash: %+v", r)
	}
}

func TestIntrospection(t *testing.T) {
	on := newServer(t)
	if r := on.post(t, `{ __schema { queryType { name } } }`, nil); get(r.Data, "__schema.queryType.name") != "Query" {
		t.Errorf("introspection on: %+v", r)
	}
	// Each custom scalar points at its specification.
	for scalar, url := range map[string]string{
		"JSON":    "https://www.rfc-editor.org/rfc/rfc8259",
		"Upload":  "https://github.com/jaydenseric/graphql-multipart-request-spec",
		"Date":    "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
		"GeoJSON": "https://www.rfc-editor.org/rfc/rfc7946",
		"Time":    "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
	} {
		r := on.post(t, `query($n: String!) { __type(name: $n) { specifiedByURL } }`, map[string]any{"n": scalar})
		if got := get(r.Data, "__type.specifiedByURL"); got != url {
			t.Errorf("%s: specifiedByURL %v, want %s", scalar, got, url)
		}
	}
	off := newServer(t, func(c *config.Config) { c.Introspection = false })
	if r := off.post(t, `{ __schema { queryType { name } } }`, nil); r.code() == "" {
		t.Errorf("introspection off still answers: %+v", r)
	}
}

func TestMetricsCountOperations(t *testing.T) {
	s := newServer(t)
	s.post(t, `query Categories { categories { name } }`, nil)
	s.post(t, `query Broken { mayor }`, nil)
	res, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`graphql_operations_total{operation="Categories",outcome="ok"} 1`,
		`http_requests_total{`,
		`go_sql_`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(s.URL + path)
		if err != nil || res.StatusCode != 200 {
			t.Errorf("%s: %v %v", path, res, err)
		}
		res.Body.Close()
	}
	// Roll the schema back: the server is alive but not ready.
	if _, err := s.app.Migrator().Down(t.Context()); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(s.URL + "/readyz")
	if err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with pending migrations: %v %v", res, err)
	}
}

func jsonQuery(q string) []byte { return mustJSON(map[string]any{"query": q}) }
