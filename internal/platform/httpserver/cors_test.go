package httpserver

import (
	"net/http"
	"strings"
	"testing"
)

const appOrigin = "https://app.example"

// corsRequest sends a GET with the given Origin and returns the response.
func corsRequest(t *testing.T, origins []string, origin string) *http.Response {
	t.Helper()
	srv := serve(t, Chain(okHandler, CORS(origins)))
	req := newRequest(t, http.MethodGet, srv, "/graphql", nil)
	req.Header.Set("Origin", origin)
	res, body := do(t, srv, req)
	wantStatus(t, res, body, http.StatusOK)
	return res
}

func TestCORSAllowedOrigin(t *testing.T) {
	res := corsRequest(t, []string{appOrigin, "https://other.example"}, appOrigin)
	h := res.Header
	if got := h.Get("Access-Control-Allow-Origin"); got != appOrigin {
		t.Errorf("Allow-Origin = %q", got)
	}
	if got := h.Get("Access-Control-Allow-Credentials"); got != "true" {
		t.Errorf("Allow-Credentials = %q", got)
	}
	expose := strings.ToLower(h.Get("Access-Control-Expose-Headers"))
	for _, want := range []string{"x-request-id", "content-language"} {
		if !strings.Contains(expose, want) {
			t.Errorf("Expose-Headers %q lacks %s", expose, want)
		}
	}
}

func TestCORSDisallowedOrigin(t *testing.T) {
	for name, origins := range map[string][]string{
		"other origin":  {appOrigin},
		"empty list":    nil,
		"star is mixed": {"*", appOrigin},
	} {
		t.Run(name, func(t *testing.T) {
			res := corsRequest(t, origins, "https://evil.example")
			for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
				if v := res.Header.Get(k); v != "" {
					t.Errorf("%s = %q, want none", k, v)
				}
			}
		})
	}
}

func TestCORSWildcardWithoutCredentials(t *testing.T) {
	res := corsRequest(t, []string{"*"}, "https://any.example")
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Allow-Origin = %q, want *", got)
	}
	if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("Allow-Credentials = %q, want none", got)
	}
}

func TestCORSPreflight(t *testing.T) {
	reached := false
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })
	srv := serve(t, Chain(h, CORS([]string{appOrigin})))
	req := newRequest(t, http.MethodOptions, srv, "/graphql", nil)
	req.Header.Set("Origin", appOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	// Browsers send the names lowercased and sorted.
	req.Header.Set("Access-Control-Request-Headers", "apollo-require-preflight,content-type,x-municipality")
	res, body := do(t, srv, req)
	if res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d; body %q", res.StatusCode, body)
	}
	want := map[string]string{
		"Access-Control-Allow-Origin":      appOrigin,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "POST",
		"Access-Control-Max-Age":           "600",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	allowed := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers"))
	if !strings.Contains(allowed, "x-municipality") || !strings.Contains(allowed, "content-type") {
		t.Errorf("Allow-Headers = %q", allowed)
	}
	if reached {
		t.Error("preflight reached the application handler")
	}
}

func TestCORSPreflightRejectsUnknownHeader(t *testing.T) {
	srv := serve(t, Chain(okHandler, CORS([]string{appOrigin})))
	req := newRequest(t, http.MethodOptions, srv, "/graphql", nil)
	req.Header.Set("Origin", appOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "x-unknown")
	res, _ := do(t, srv, req)
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Allow-Origin = %q, want none", got)
	}
}
