package main

import (
	"encoding/base64"
	"regexp"
)

// The response parts, in the shape the API gives for the benchmark's selections.
type (
	activity struct {
		Typename     string        `json:"__typename,omitempty"`
		ID           string        `json:"id"`
		Title        string        `json:"title"`
		Summary      string        `json:"summary"`
		TextLocale   *string       `json:"textLocale"`
		PriceOre     int           `json:"priceOre"`
		Free         bool          `json:"free"`
		Organisation *organisation `json:"organisation"`
		Categories   []category    `json:"categories"`
		Venue        *venue        `json:"venue"`
	}
	organisation struct {
		Typename   string     `json:"__typename,omitempty"`
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		Summary    string     `json:"summary"`
		Categories []category `json:"categories,omitempty"`
	}
	neighbourhood struct {
		Typename string `json:"__typename"`
		ID       string `json:"id"`
		Name     string `json:"name"`
	}
	category struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	venue struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		Address *address `json:"address"`
	}
	address struct {
		Street string `json:"street"`
		Place  string `json:"place"`
	}
)

// Texts in the request's locale chain ($2), for the lateral joins of both statements.
const (
	activityTextSQL = `LEFT JOIN LATERAL (SELECT t.title, t.summary, t.locale FROM activity_translations t
	WHERE t.activity_id = a.id AND t.locale = ANY($2) ORDER BY array_position($2, t.locale) LIMIT 1) t ON true`
	organisationTextSQL = `LEFT JOIN LATERAL (SELECT ot.summary FROM organisation_translations ot
	WHERE ot.organisation_id = o.id AND ot.locale = ANY($2) ORDER BY array_position($2, ot.locale) LIMIT 1) ot ON true`
	// categoriesSQL aggregates the categories in link table %[1]s of the row whose ID is %[2]s.
	categoriesSQL = `LEFT JOIN LATERAL (SELECT array_agg(c.id::text ORDER BY c.sort_order) AS ids, array_agg(ct.name ORDER BY c.sort_order) AS names
	FROM %[1]s l JOIN categories c ON c.id = l.category_id,
	LATERAL (SELECT ct.name FROM category_translations ct WHERE ct.category_id = c.id AND ct.locale = ANY($2)
		ORDER BY array_position($2, ct.locale) LIMIT 1) ct
	WHERE l.%[2]s) %[3]s ON true`
)

// activityRow holds the activity columns of a row, nullable where a join may miss.
type activityRow struct {
	id                                        *string
	priceOre                                  *int
	title, summary, locale                    *string
	orgID, orgName, orgSummary                *string
	venueID, venueName, street, postal, place *string
	catIDs, catNames                          []string
}

// targets returns the scan destinations, in the order of the activity columns.
func (r *activityRow) targets() []any {
	return []any{&r.id, &r.priceOre, &r.title, &r.summary, &r.locale, &r.orgID, &r.orgName, &r.orgSummary,
		&r.venueID, &r.venueName, &r.street, &r.postal, &r.place, &r.catIDs, &r.catNames}
}

// activityColumns are the columns targets reads, from aliases a, t, o, ot, v and ac.
const activityColumns = `a.id::text, a.price_ore, t.title, t.summary, t.locale,
	o.id::text, o.name, COALESCE(ot.summary, ''),
	v.id::text, v.name, v.street, v.postal_code, v.place, COALESCE(ac.ids, '{}'), COALESCE(ac.names, '{}')`

// activity builds the response part.
func (r *activityRow) activity() *activity {
	a := &activity{ID: globalID("Activity", deref(r.id)), Title: deref(r.title), Summary: deref(r.summary), TextLocale: r.locale,
		Organisation: &organisation{ID: globalID("Organisation", deref(r.orgID)), Name: deref(r.orgName), Summary: deref(r.orgSummary)},
		Categories:   categories(r.catIDs, r.catNames)}
	if r.priceOre != nil {
		a.PriceOre, a.Free = *r.priceOre, *r.priceOre == 0
	}
	if r.venueID != nil {
		a.Venue = &venue{ID: globalID("Venue", *r.venueID), Name: deref(r.venueName)}
		if deref(r.street) != "" || deref(r.postal) != "" || deref(r.place) != "" {
			a.Venue.Address = &address{Street: deref(r.street), Place: deref(r.place)}
		}
	}
	return a
}

func categories(ids, names []string) []category {
	out := make([]category, len(ids))
	for i := range ids {
		out[i] = category{ID: globalID("Category", ids[i]), Name: names[i]}
	}
	return out
}

// globalID is the API's opaque ID for an object of type typ.
func globalID(typ, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + id))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)
