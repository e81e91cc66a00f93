package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/explorer"
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
	if res.StatusCode != 200 || !strings.Contains(string(page), `data-endpoint="/graphql"`) ||
		res.Header.Get("Content-Security-Policy") != explorer.CSP {
		t.Errorf("explorer: %d %q %.100s", res.StatusCode, res.Header.Get("Content-Security-Policy"), page)
	}
	assets := regexp.MustCompile(`(?:src|href)="(/explorer/[^"]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(assets) < 4 {
		t.Errorf("explorer page loads %d files", len(assets))
	}
	prod := newServer(t, func(c *config.Config) { c.Env, c.SecretKey = config.Production, strings.Repeat("s", 40) })
	for _, srv := range []struct {
		url  string
		want int
	}{{dev.URL, http.StatusOK}, {prod.URL, http.StatusNotFound}} {
		for _, path := range []string{"/", "/explorer/graphiql.min.js", "/explorer/explorer.js"} {
			res, err = http.Get(srv.url + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != srv.want {
				t.Errorf("%s%s: status %d, want %d", srv.url, path, res.StatusCode, srv.want)
			}
		}
	}
	for _, m := range assets {
		res, err = http.Get(dev.URL + strings.ReplaceAll(m[1], "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		ct := res.Header.Get("Content-Type")
		if res.StatusCode != 200 || n < 50 || !(strings.HasPrefix(ct, "text/javascript") || strings.HasPrefix(ct, "text/css")) {
			t.Errorf("%s: %d %q %d bytes", m[1], res.StatusCode, ct, n)
		}
	}
}

func TestCacheControl(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "admin@example.no")
	admin := login(t, s, "admin@example.no")
	get := func(query string, headers ...string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/graphql?query="+url.QueryEscape(query), nil)
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Set(k, strings.TrimSpace(v))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for name, tt := range map[string]struct {
		res  *http.Response
		want string
	}{
		"anonymous GET query":    {get(`{ categories { slug } }`), "public, max-age=60"},
		"signed-in GET query":    {get(`{ categories { slug } }`, admin), "no-store"},
		"anonymous GET, errors":  {get(`{ category(slug: "x", id: "y") { slug } }`), "no-store"},
		"anonymous GET, invalid": {get(`{ nosuchfield }`), "no-store"},
	} {
		if got := tt.res.Header.Get("Cache-Control"); got != tt.want {
			t.Errorf("%s: Cache-Control %q, want %q", name, got, tt.want)
		}
		if !strings.Contains(strings.Join(tt.res.Header.Values("Vary"), ","), "Authorization") {
			t.Errorf("%s: Vary %v lacks Authorization", name, tt.res.Header.Values("Vary"))
		}
	}
	body, _ := json.Marshal(map[string]any{"query": `{ categories { slug } }`})
	res, err := http.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("POST: Cache-Control %q", got)
	}
}
