package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// FeedSize is how many articles a feed holds at most.
const FeedSize = 50

// ArticleFeedHandler serves the municipality's public articles in one language as RSS 2.0
// (atom false) or Atom: ?lang= (required, an enabled language), &category= and
// &neighbourhood= (a global ID or a slug). Links point to publicURL + /nyheter/<slug>?lang=.
// Bad parameters answer 400 with the parameter named.
func ArticleFeedHandler(r *Resolver, bundle *i18n.Bundle, publicURL string, atom bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := allowReplica(req.Context())
		q := req.URL.Query()
		lang := q.Get("lang")
		if lang == "" {
			writeGeoError(w, req, bundle, apperr.Invalid("lang", "LocaleNotEnabled", map[string]any{"Locale": ""}))
			return
		}
		var f content.ArticleFilter
		for _, p := range []struct{ name, typ string }{{"category", "Category"}, {"neighbourhood", "Neighbourhood"}} {
			v := q.Get(p.name)
			if v == "" {
				continue
			}
			id, err := r.Content.FeedRef(ctx, p.typ, v, p.name)
			if err != nil {
				writeGeoError(w, req, bundle, err)
				return
			}
			if p.typ == "Category" {
				f.Categories = []uuid.UUID{id}
			} else {
				f.Neighbourhoods = []uuid.UUID{id}
			}
		}
		items, err := r.Content.FeedArticles(ctx, lang, f, FeedSize)
		if err != nil {
			writeGeoError(w, req, bundle, err)
			return
		}
		t, err := tenant.Current(ctx)
		if err != nil {
			writeGeoError(w, req, bundle, err)
			return
		}
		fd := feedData{title: t.Municipality.Name, lang: lang, self: selfURL(req), home: publicURL + "/nyheter?lang=" +
			url.QueryEscape(lang), publicURL: publicURL, items: items, updated: t.Municipality.UpdatedAt}
		for _, it := range items {
			if it.UpdatedAt.After(fd.updated) {
				fd.updated = it.UpdatedAt
			}
		}
		var doc any
		ctype := "application/rss+xml; charset=utf-8"
		if atom {
			doc, ctype = fd.atom(), "application/atom+xml; charset=utf-8"
		} else {
			doc = fd.rss()
		}
		body, err := xml.MarshalIndent(doc, "", "  ")
		if err != nil {
			writeGeoError(w, req, bundle, err)
			return
		}
		body = append([]byte(xml.Header), body...)
		sum := sha256.Sum256(body)
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		h.Set("Last-Modified", fd.updated.UTC().Format(http.TimeFormat))
		if inm := req.Header.Get("If-None-Match"); inm != "" && inm == h.Get("ETag") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body) //nolint:errcheck // the client went away
	})
}

// selfURL is the absolute URL the feed was fetched at.
func selfURL(req *http.Request) string {
	scheme := "http"
	if req.TLS != nil || req.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + req.Host + req.URL.RequestURI()
}

type feedData struct {
	title, lang, self, home, publicURL string
	items                              []*content.FeedItem
	updated                            time.Time
}

func (d *feedData) link(it *content.FeedItem) string {
	return d.publicURL + "/nyheter/" + url.PathEscape(it.Slug) + "?lang=" + url.QueryEscape(d.lang)
}

// RSS 2.0 with the content and Atom namespaces (content:encoded, atom:link rel=self).
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Description string   `xml:"description,omitempty"`
	Content     htmlText `xml:"content:encoded"`
	Categories  []string `xml:"category"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// htmlText is HTML carried as text: encoding/xml escapes it, so a reader unescapes it back.
type htmlText struct {
	Value string `xml:",chardata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

func (d *feedData) rss() *rssDoc {
	doc := &rssDoc{Version: "2.0", ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS: "http://www.w3.org/2005/Atom", Channel: rssChannel{Title: d.title, Link: d.home,
			Description: d.title, Language: d.lang, LastBuildDate: d.updated.UTC().Format(time.RFC1123Z),
			Self: atomLink{Href: d.self, Rel: "self", Type: "application/rss+xml"}, Items: []rssItem{}}}
	for _, it := range d.items {
		doc.Channel.Items = append(doc.Channel.Items, rssItem{Title: it.Title, Link: d.link(it),
			GUID: rssGUID{IsPermaLink: "false", Value: it.GlobalID()}, PubDate: it.PublishedAt.UTC().Format(time.RFC1123Z),
			Description: it.Summary, Content: htmlText{bodyHTML(it)}, Categories: it.Categories})
	}
	return doc
}

func bodyHTML(it *content.FeedItem) string {
	if it.Body == nil {
		return ""
	}
	return it.Body.HTML
}

// Atom (RFC 4287).
type atomDoc struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Link       atomLink       `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Summary    string         `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
	Categories []atomCategory `xml:"category"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

func (d *feedData) atom() *atomDoc {
	doc := &atomDoc{Lang: d.lang, Title: d.title, ID: d.self, Updated: d.updated.UTC().Format(time.RFC3339),
		Links: []atomLink{{Href: d.self, Rel: "self", Type: "application/atom+xml"},
			{Href: d.home, Rel: "alternate", Type: "text/html"}},
		Author: atomPerson{Name: d.title}}
	for _, it := range d.items {
		doc.Entries = append(doc.Entries, atomEntry{Title: it.Title, ID: tagURI(d.publicURL, it),
			Link:      atomLink{Href: d.link(it), Rel: "alternate", Type: "text/html"},
			Published: it.PublishedAt.UTC().Format(time.RFC3339), Updated: it.UpdatedAt.UTC().Format(time.RFC3339),
			Summary: it.Summary, Content: atomText{Type: "html", Value: bodyHTML(it)}, Categories: cats(it.Categories)})
	}
	return doc
}

func cats(names []string) []atomCategory {
	out := make([]atomCategory, len(names))
	for i, n := range names {
		out[i] = atomCategory{Term: n}
	}
	return out
}

// tagURI is an entry's stable ID (RFC 4151): the public host, the article's creation date
// and its global ID.
func tagURI(publicURL string, it *content.FeedItem) string {
	host := publicURL
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "tag:" + strings.ToLower(host) + "," + it.CreatedAt.UTC().Format("2006-01-02") + ":" + it.GlobalID()
}
