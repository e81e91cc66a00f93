// Package explorer serves GraphiQL, the in-browser GraphQL explorer, entirely from the
// binary: the page, GraphiQL and React are embedded at build time, so the explorer works
// offline and no request leaves for a CDN or a font service.
//
// The browser files in assets/ are the minified builds of the npm packages pinned in
// package.json and package-lock.json; refresh.sh copies them in again (see its comment).
// explorer.js and explorer.css are ours: the page's start-up code and layout, kept out of
// the page so that its Content-Security-Policy can allow scripts and styles from 'self' only.
package explorer

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sync"
	"time"
)

// AssetPath is the path under which Assets must be mounted, with a {file} wildcard after it
// ("GET /explorer/{file}"); the page refers to its files there.
const AssetPath = "/explorer/"

// CSP is the page's Content-Security-Policy: scripts, styles and requests to this origin
// only. Fonts and images may also be data: URLs, as GraphiQL's stylesheet inlines its fonts.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// assetCache is how long a browser may keep an asset fetched under its current version.
const assetCache = 365 * 24 * time.Hour

var (
	//go:embed assets/*.js assets/*.css
	assetFS embed.FS
	//go:embed page.html
	pageHTML string
	page     = template.Must(template.New("page").Parse(pageHTML))
)

// The files the page loads, in order: React before GraphiQL, GraphiQL before explorer.js.
var (
	styles  = []string{"graphiql.min.css", "explorer.css"}
	scripts = []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "explorer.js"}
)

// asset is one embedded file with its content type and version (a hash of its content).
type asset struct {
	body        []byte
	contentType string
	version     string
}

// Explorer serves the explorer page and its files.
type Explorer struct {
	// content is made on the first request, not when the server starts: versioning the
	// files hashes 1.6 MB, a few milliseconds that no start should wait for.
	content func() *content
}

// content is the explorer's page and files, with each file's version.
type content struct {
	page   []byte
	assets map[string]asset
}

// New returns an Explorer whose page is titled title and sends queries to endpoint, a path
// on the same origin such as "/graphql". The files are fixed at build time, so like
// template.Must it panics if one is missing: a broken build, which the tests catch.
func New(title, endpoint string) *Explorer {
	for _, name := range assetNames() {
		if _, err := fs.Stat(assetFS, "assets/"+name); err != nil {
			panic(fmt.Sprintf("explorer asset: %v", err))
		}
	}
	return &Explorer{content: sync.OnceValue(func() *content { return load(title, endpoint) })}
}

// assetNames returns the names of the files the page loads.
func assetNames() []string { return append(append([]string{}, styles...), scripts...) }

// load reads and versions the files and writes the page that links them.
func load(title, endpoint string) *content {
	c := &content{assets: map[string]asset{}}
	for _, name := range assetNames() {
		body, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			panic(fmt.Sprintf("explorer asset: %v", err))
		}
		sum := sha256.Sum256(body)
		c.assets[name] = asset{body: body, contentType: contentType(name), version: hex.EncodeToString(sum[:8])}
	}
	data := struct {
		Title, Endpoint string
		Styles, Scripts []string
	}{title, endpoint, c.urls(styles), c.urls(scripts)}
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("explorer page: %v", err))
	}
	c.page = buf.Bytes()
	return c
}

// urls returns the same-origin, versioned addresses of the named assets.
func (c *content) urls(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = AssetPath + n + "?v=" + c.assets[n].version
	}
	return out
}

// Page serves the explorer's HTML page with its Content-Security-Policy.
func (e *Explorer) Page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		w.Write(e.content().page)
	})
}

// Assets serves the page's files by the {file} path value, 404 for any other name. A
// request for the current version (?v= as the page links it) may be cached for a year;
// any other is revalidated by ETag.
func (e *Explorer) Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := e.content().assets[r.PathValue("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", `"`+a.version+`"`)
		if r.URL.Query().Get("v") == a.version {
			h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d, immutable", int(assetCache.Seconds())))
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
}

// contentType returns the Content-Type of an asset by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	return "application/octet-stream"
}
