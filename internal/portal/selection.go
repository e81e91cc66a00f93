package portal

import (
	"slices"
	"strings"
)

// Fields names the API fields of an item that a read must fill, by their GraphQL names
// (fields of nested objects are not listed); nil fills every field. A list read with
// Fields selects only the columns and texts those fields need. A name it does not know
// makes it read everything, so a new field is never left empty.
type Fields map[string]bool

// selection is what a read of one kind of item selects: columns of its table (the alias's
// SQL list) and texts along the locale chain.
type selection struct {
	columns string
	texts   []string // text columns, in the order of the kind's textFields
	locale  bool     // text_locale
}

// itemColumns tells, for one kind of item, which columns and texts each field needs.
type itemColumns struct {
	alias   string
	base    []string            // always read: keys and what access checks use
	columns map[string][]string // field -> columns besides base
	texts   map[string]string   // field -> text column
	all     []string            // every text column, in order
}

var (
	activityColumns = itemColumns{alias: "a",
		base: []string{"id", "municipality_id", "organisation_id", "venue_id", "status", "published"},
		columns: map[string][]string{"__typename": nil, "id": nil, "organisation": nil, "categories": nil,
			"venue": nil, "neighbourhoods": nil, "images": nil, "textLocale": nil, "title": nil, "summary": nil,
			"description": nil, "priceNote": nil, "status": nil, "distanceKm": nil,
			"slug": {"slug"}, "schedule": {"slots"}, "targetGroups": {"target_groups"},
			"ageMin": {"age_min"}, "ageMax": {"age_max"},
			"accessibility": {"accessibility"}, "free": {"price_ore"}, "priceOre": {"price_ore"},
			"languages": {"languages"}, "location": {"lat", "lon"}, "signupUrl": {"signup_url"},
			"contact": {"email", "phone"}, "acceptsCard": {"accepts_card"}, "createdAt": {"created_at"},
			"updatedAt": {"updated_at"}, "pausesInSchoolHolidays": {"pauses_in_school_holidays"},
			"pausesOnPublicHolidays": {"pauses_on_public_holidays"},
			"occurrences":            {"slots", "pauses_in_school_holidays", "pauses_on_public_holidays"},
			"servedMunicipalities":   nil},
		texts: map[string]string{"title": "title", "summary": "summary", "description": "description",
			"priceNote": "price_note", "schedule": "schedule"},
		all: activityTextFields}
	organisationColumns = itemColumns{alias: "o",
		base: []string{"id", "municipality_id", "status"},
		columns: map[string][]string{"__typename": nil, "id": nil, "categories": nil, "links": nil,
			"neighbourhoods": nil, "activities": nil, "textLocale": nil, "summary": nil, "description": nil,
			"status": nil, "distanceKm": nil, "slug": {"slug"}, "name": {"name"}, "kind": {"kind"}, "orgNumber": {"org_number"},
			"logo": {"logo_id"}, "cover": {"cover_id"}, "contact": {"email", "phone", "contact_person"},
			"website": {"website"}, "address": {"street", "postal_code", "place"}, "location": {"lat", "lon"},
			"createdAt": {"created_at"}, "updatedAt": {"updated_at"},
			"scope": {"scope"}, "region": {"region"}, "homeMunicipality": nil, "servedMunicipalities": nil},
		texts: map[string]string{"summary": "summary", "description": "description"},
		all:   organisationTextFields}
)

// selectionOf returns what a read of fields f selects.
func (c itemColumns) selectionOf(f Fields) selection {
	all := selection{columns: c.alias + ".*", texts: c.all, locale: true}
	if f == nil {
		return all
	}
	cols := append([]string(nil), c.base...)
	seen := make(map[string]bool, len(f)+len(cols))
	for _, col := range cols {
		seen[col] = true
	}
	for name := range f {
		more, ok := c.columns[name]
		if !ok {
			return all
		}
		for _, col := range more {
			if !seen[col] {
				seen[col] = true
				cols = append(cols, col)
			}
		}
	}
	s := selection{locale: f["textLocale"]}
	for _, t := range c.all { // in a fixed order, so the statement's text repeats
		for name, col := range c.texts {
			if col == t && f[name] {
				s.texts = append(s.texts, t)
				break
			}
		}
	}
	slices.Sort(cols[len(c.base):])
	s.columns = c.alias + "." + strings.Join(cols, ", "+c.alias+".")
	return s
}
