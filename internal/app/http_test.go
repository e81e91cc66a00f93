package app_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

func TestMultipartTransport(t *testing.T) {
	s := newServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("operations", `{"query":"{ municipality { name } }"}`)
	mw.WriteField("map", `{}`)
	mw.Close()
	r := s.do(t, http.MethodPost, "/graphql", mw.FormDataContentType(), body.Bytes())
	if r.Status != 200 || get(r.Data, "municipality.name") != "Demo kommune" {
		t.Errorf("%+v", r)
	}
}

func TestCORS(t *testing.T) {
	s := newServer(t, func(c *config.Config) { c.CORSOrigins = []string{"https://portal.larvik.no"} })
	for _, tt := range []struct {
		origin, want string
	}{
		{"https://portal.larvik.no", "https://portal.larvik.no"},
		{"https://evil.example", ""},
	} {
		req, _ := http.NewRequest(http.MethodOptions, s.URL+"/graphql", nil)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-municipality")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
			t.Errorf("%s: Allow-Origin = %q, want %q", tt.origin, got, tt.want)
		}
		if tt.want != "" && res.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("%s: credentials not allowed", tt.origin)
		}
	}
}

func TestExplorerOnlyInDevelopment(t *testing.T) {
	dev := newServer(t)
	res, err := http.Get(dev.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "/graphql") {
		t.Errorf("explorer: %d %.100s", res.StatusCode, page)
	}
	prod := newServer(t, func(c *config.Config) { c.Env = config.Production })
	res, err = http.Get(prod.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("production explorer status = %d", res.StatusCode)
	}
}
