package graph

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// EventFeedHandler serves the municipality's published events as an iCalendar feed
// (text/calendar): ?lang= (an enabled language; the municipality's default without it),
// and the filters of events: &category=, &neighbourhood=, &organisation= (each a global
// ID or a slug), &holidayProgramme= (the umbrella event's global ID or slug), &age=
// (0-120) and &freeOnly=true. Entries link to publicURL + /arrangementer/<slug>?lang=.
// Bad parameters answer 400 with the parameter named.
func EventFeedHandler(r *Resolver, bundle *i18n.Bundle, publicURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := allowReplica(req.Context())
		t, err := tenant.Current(ctx)
		if err != nil {
			writeGeoError(w, req, bundle, err)
			return
		}
		q := req.URL.Query()
		lang := q.Get("lang")
		if !q.Has("lang") {
			lang = t.Municipality.DefaultLocale
		}
		var f events.Filter
		refs := []struct{ name, typ string }{{"category", "Category"}, {"neighbourhood", "Neighbourhood"},
			{"organisation", "Organisation"}, {"holidayProgramme", "Event"}}
		for _, p := range refs {
			v := q.Get(p.name)
			if v == "" {
				continue
			}
			id, err := r.Calendar.FeedRef(ctx, p.typ, v, p.name)
			if err != nil {
				writeGeoError(w, req, bundle, err)
				return
			}
			switch p.name {
			case "category":
				f.Categories = []uuid.UUID{id}
			case "neighbourhood":
				f.Neighbourhoods = []uuid.UUID{id}
			case "organisation":
				f.Organisation = &id
			default:
				f.HolidayProgramme = &id
			}
		}
		if v := q.Get("age"); v != "" {
			age, err := strconv.Atoi(v)
			if err != nil || age < 0 || age > 120 {
				writeGeoError(w, req, bundle, apperr.Invalid("age", "AgeRange", nil))
				return
			}
			f.Age = &age
		}
		if v := q.Get("freeOnly"); v != "" {
			free, err := strconv.ParseBool(v)
			if err != nil {
				writeGeoError(w, req, bundle, apperr.Invalid("freeOnly", "BooleanInvalid", nil))
				return
			}
			f.FreeOnly = free
		}
		host := t.Municipality.Slug
		if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
			host = t.Municipality.Slug + "." + strings.ToLower(u.Hostname())
		}
		feed, err := r.Calendar.ICalFeed(ctx, lang, f,
			events.ICalOptions{Name: t.Municipality.Name, PublicURL: publicURL, Host: host})
		if err != nil {
			writeGeoError(w, req, bundle, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/calendar; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("ETag", feed.ETag)
		h.Set("Last-Modified", feed.Updated.UTC().Format(http.TimeFormat))
		if inm := req.Header.Get("If-None-Match"); inm != "" && inm == feed.ETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(feed.Body) //nolint:errcheck // the client went away
	})
}
