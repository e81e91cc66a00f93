package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// GeoJSONHandler serves published activities (kind "Activity") or organisations as a GeoJSON
// FeatureCollection for map frontends. It takes the catalogue filter as query parameters:
// categories, neighbourhoods (global IDs, comma-separated), targetGroups, accessibility,
// languages, organisationKinds (comma-separated), age, freeOnly, acceptsCard, query,
// near=lat,lon,radiusKm and within=minLat,minLon,maxLat,maxLon. Bad input is HTTP 400 with
// the usual error shape, code BAD_USER_INPUT and the field named.
func GeoJSONHandler(r *Resolver, bundle *i18n.Bundle, kind string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(allowReplica(req.Context()), loadersKey{}, newLoaders(r.Portal, r.Cards))
		features, truncated, err := geoFeatures(ctx, r, req.URL.Query(), kind)
		if err != nil {
			writeGeoError(w, req, bundle, err)
			return
		}
		w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=60")
		json.NewEncoder(w).Encode(featureCollection(kind, features, truncated)) //nolint:errcheck // the client went away
	})
}

func geoFeatures(ctx context.Context, r *Resolver, q url.Values, kind string) ([]portal.Feature, bool, error) {
	in, err := filterFromQuery(q)
	if err != nil {
		return nil, false, err
	}
	f, err := toFilter(ctx, in)
	if err != nil {
		return nil, false, err
	}
	if kind == "Activity" {
		return r.Portal.ActivityFeatures(ctx, f)
	}
	return r.Portal.OrganisationFeatures(ctx, f)
}

// filterFromQuery reads the catalogue filter from query parameters.
func filterFromQuery(q url.Values) (*model.CatalogueFilterInput, error) {
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	f := &model.CatalogueFilterInput{
		Categories:     list(q, "categories"),
		Neighbourhoods: list(q, "neighbourhoods"),
		Languages:      list(q, "languages"),
	}
	for _, v := range list(q, "targetGroups") {
		f.TargetGroups = append(f.TargetGroups, portal.TargetGroup(v))
	}
	for _, v := range list(q, "accessibility") {
		f.Accessibility = append(f.Accessibility, portal.AccessibilityFeature(v))
	}
	for _, v := range list(q, "organisationKinds") {
		f.OrganisationKinds = append(f.OrganisationKinds, portal.OrganisationKind(v))
	}
	var err error
	if f.Age, err = intParam(q, "age"); err != nil {
		return nil, err
	}
	if f.FreeOnly, err = boolParam(q, "freeOnly"); err != nil {
		return nil, err
	}
	if f.AcceptsCard, err = boolParam(q, "acceptsCard"); err != nil {
		return nil, err
	}
	if q.Has("query") {
		s := q.Get("query")
		f.Query = &s
	}
	if f.Near, f.Within, err = placeParams(q); err != nil {
		return nil, err
	}
	return f, nil
}

func placeParams(q url.Values) (*model.NearInput, *model.BoundingBoxInput, error) {
	var near *model.NearInput
	var within *model.BoundingBoxInput
	if q.Has("near") {
		v, err := floats(q.Get("near"), 3, "filter.near")
		if err != nil {
			return nil, nil, err
		}
		near = &model.NearInput{Lat: v[0], Lon: v[1], RadiusKm: v[2]}
	}
	if q.Has("within") {
		v, err := floats(q.Get("within"), 4, "filter.within")
		if err != nil {
			return nil, nil, err
		}
		within = &model.BoundingBoxInput{MinLat: v[0], MinLon: v[1], MaxLat: v[2], MaxLon: v[3]}
	}
	return near, within, nil
}

func list(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func intParam(q url.Values, key string) (*int, error) {
	if !q.Has(key) {
		return nil, nil
	}
	n, err := strconv.Atoi(q.Get(key))
	if err != nil {
		return nil, apperr.Invalid("filter."+key, "BAD_USER_INPUT", nil)
	}
	return &n, nil
}

func boolParam(q url.Values, key string) (*bool, error) {
	if !q.Has(key) {
		return nil, nil
	}
	b, err := strconv.ParseBool(q.Get(key))
	if err != nil {
		return nil, apperr.Invalid("filter."+key, "BAD_USER_INPUT", nil)
	}
	return &b, nil
}

func floats(s string, n int, field string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, apperr.Invalid(field, "BAD_USER_INPUT", nil)
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, apperr.Invalid(field, "BAD_USER_INPUT", nil)
		}
		out[i] = v
	}
	return out, nil
}

// featureCollection builds the GeoJSON document; "truncated" says MaxFeatures cut it.
func featureCollection(kind string, fs []portal.Feature, truncated bool) map[string]any {
	features := make([]map[string]any, len(fs))
	for i, f := range fs {
		cats := f.Categories
		if cats == nil {
			cats = []string{}
		}
		features[i] = map[string]any{
			"type":     "Feature",
			"id":       relay.GlobalID(kind, f.ID),
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{f.Lon, f.Lat}},
			"properties": map[string]any{
				"id": relay.GlobalID(kind, f.ID), "name": f.Name, "slug": f.Slug, "categories": cats, "free": f.Free,
			},
		}
	}
	return map[string]any{"type": "FeatureCollection", "features": features, "truncated": truncated}
}

func writeGeoError(w http.ResponseWriter, req *http.Request, bundle *i18n.Bundle, err error) {
	e := appError(err)
	chain := i18n.FromContext(req.Context()).Chain
	if e == nil {
		httpserver.LoggerFromContext(req.Context()).ErrorContext(req.Context(), "geojson", "err", err)
		httpserver.WriteError(w, http.StatusInternalServerError, bundle.Localize(chain, string(apperr.Internal), nil), string(apperr.Internal))
		return
	}
	id := e.MessageID
	if id == "" {
		id = string(e.Code)
	}
	status := http.StatusBadRequest
	if e.Code == apperr.TenantNotFound || e.Code == apperr.NotFound {
		status = http.StatusNotFound
	} else if e.Code == apperr.ServiceUnavailable {
		status = http.StatusServiceUnavailable
		httpserver.SetRetryAfter(w.Header())
		w.Header().Set("Cache-Control", "no-store")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{ //nolint:errcheck // the client went away
		"message": bundle.Localize(chain, id, e.Data), "extensions": map[string]any{"code": e.Code, "field": e.Field},
	}}})
}
