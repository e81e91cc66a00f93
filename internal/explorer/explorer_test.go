package explorer_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/fritid/fritid/internal/explorer"
)

// newServer serves the explorer as the app mounts it.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	ex := explorer.New("fritid explorer", "/graphql")
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", ex.Page())
	mux.Handle("GET "+explorer.AssetPath+"{file}", ex.Assets())
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// fetch GETs path on s with the given request headers ("Name: value").
func fetch(t *testing.T, s *httptest.Server, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// pageRefs are what the page loads and how: the src of each script, the href of each
// stylesheet, and whether anything is inline.
type pageRefs struct {
	scripts, styles []string
	inline          []string
	endpoint        string
}

// parsePage walks the page's HTML.
func parsePage(t *testing.T, body []byte) pageRefs {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var refs pageRefs
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			refs.visit(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return refs
}

// visit records one element's references.
func (p *pageRefs) visit(n *html.Node) {
	attr := map[string]string{}
	for _, a := range n.Attr {
		attr[a.Key] = a.Val
	}
	switch {
	case n.Data == "script" && attr["src"] == "", n.Data == "style", attr["style"] != "":
		p.inline = append(p.inline, n.Data)
	case n.Data == "script":
		p.scripts = append(p.scripts, attr["src"])
	case n.Data == "link":
		p.styles = append(p.styles, attr["href"])
	case attr["id"] == "graphiql":
		p.endpoint = attr["data-endpoint"]
	}
	for k, v := range attr {
		if strings.HasPrefix(k, "on") || strings.HasPrefix(strings.TrimSpace(v), "javascript:") {
			p.inline = append(p.inline, n.Data+" "+k)
		}
	}
}

func TestPage(t *testing.T) {
	s := newServer(t)
	res, body := fetch(t, s, "/")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self';"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
		t.Errorf("CSP %q allows inline code or another origin", csp)
	}
	refs := parsePage(t, body)
	if len(refs.inline) > 0 {
		t.Errorf("inline code or style the CSP would block: %v", refs.inline)
	}
	if refs.endpoint != "/graphql" {
		t.Errorf("endpoint = %q", refs.endpoint)
	}
	if len(refs.scripts) != 4 || len(refs.styles) != 2 {
		t.Errorf("scripts %v, styles %v", refs.scripts, refs.styles)
	}
	for _, ref := range refs.scripts {
		checkAsset(t, s, ref, "text/javascript; charset=utf-8")
	}
	for _, ref := range refs.styles {
		checkAsset(t, s, ref, "text/css; charset=utf-8")
	}
}

// checkAsset checks that ref is a same-origin path served whole with the content type, may
// be cached long, and is the committed file.
func checkAsset(t *testing.T, s *httptest.Server, ref, contentType string) {
	t.Helper()
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, explorer.AssetPath) {
		t.Errorf("%q is not a same-origin explorer path", ref)
		return
	}
	res, body := fetch(t, s, ref)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != contentType {
		t.Errorf("%s: %d %q", ref, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("%s: Cache-Control %q", ref, cc)
	}
	want, err := os.ReadFile(path.Join("assets", path.Base(u.Path)))
	if err != nil || !bytes.Equal(body, want) || len(body) < 50 {
		t.Errorf("%s: %d bytes, not the committed file (%v)", ref, len(body), err)
	}
	if bytes.Contains(body, []byte("sourceMappingURL")) {
		t.Errorf("%s points at a source map that is not served", ref)
	}
}

func TestAssets(t *testing.T) {
	s := newServer(t)
	_, body := fetch(t, s, "/")
	ref := parsePage(t, body).scripts[2]
	res, _ := fetch(t, s, ref)
	etag := res.Header.Get("ETag")
	u, _ := url.Parse(ref)
	for _, tt := range []struct {
		name, path string
		headers    []string
		status     int
		cache      string
	}{
		{"Current", ref, nil, 200, "public, max-age=31536000, immutable"},
		{"Unversioned", u.Path, nil, 200, "no-cache"},
		{"OldVersion", u.Path + "?v=0123456789abcdef", nil, 200, "no-cache"},
		{"Revalidated", u.Path, []string{"If-None-Match: " + etag}, 304, "no-cache"},
		{"Unknown", explorer.AssetPath + "graphiql.min.js.map", nil, 404, ""},
		{"Page", explorer.AssetPath + "page.html", nil, 404, ""},
		{"Traversal", explorer.AssetPath + "..%2fexplorer.go", nil, 404, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := fetch(t, s, tt.path, tt.headers...)
			if res.StatusCode != tt.status || res.Header.Get("Cache-Control") != tt.cache {
				t.Errorf("%s: %d %q, want %d %q", tt.path, res.StatusCode, res.Header.Get("Cache-Control"), tt.status, tt.cache)
			}
		})
	}
}

// TestFirstRequestsAtOnce sends the first requests of a new explorer, a file before the
// page and several at once: the files are versioned once, on first use, and every answer
// links and carries the same versions.
func TestFirstRequestsAtOnce(t *testing.T) {
	s := newServer(t)
	const n = 8
	etags, pages := make([]string, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { // no t.Fatal here: answers are checked after Wait
			defer wg.Done()
			if res, err := http.Get(s.URL + explorer.AssetPath + "graphiql.min.js"); err == nil {
				etags[i] = res.Header.Get("ETag")
				res.Body.Close()
			}
			if res, err := http.Get(s.URL + "/"); err == nil {
				body, _ := io.ReadAll(res.Body)
				pages[i] = string(body)
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	ref := parsePage(t, []byte(pages[0])).scripts[2]
	for i := range n {
		if etags[i] == "" || etags[i] != etags[0] || pages[i] == "" || pages[i] != pages[0] {
			t.Fatalf("answer %d differs: ETag %q, want %q; or another page", i, etags[i], etags[0])
		}
	}
	if !strings.HasSuffix(ref, "?v="+strings.Trim(etags[0], `"`)) {
		t.Errorf("the page links %s, the file's ETag is %s", ref, etags[0])
	}
}

// TestBundleExports checks the committed GraphiQL build is the browser (UMD) build that
// explorer.js relies on: it reads React and ReactDOM from globals and carries createFetcher.
func TestBundleExports(t *testing.T) {
	for file, wants := range map[string][]string{
		"graphiql.min.js":             {"GraphiQL=t(e.React,e.ReactDOM)", "createFetcher:"},
		"react.production.min.js":     {"React={}"},
		"react-dom.production.min.js": {"ReactDOM={}", "createRoot"},
	} {
		body, err := os.ReadFile(path.Join("assets", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range wants {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
	}
}
