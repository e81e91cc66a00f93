package portal

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal/geo"
)

// Order is how a catalogue list is sorted.
type Order string

// The orders. RELEVANCE needs a text query and DISTANCE a point to be near.
const (
	OrderRelevance Order = "RELEVANCE"
	OrderName      Order = "NAME"
	OrderDistance  Order = "DISTANCE"
	OrderUpdatedAt Order = "UPDATED_AT"
)

// Near asks for items within RadiusKm of a point.
type Near struct {
	Point    geo.Point
	RadiusKm float64
}

// Filter narrows a list of activities or organisations. Empty fields do not filter.
type Filter struct {
	// CategoryIDs match an item in any of them; a parent category includes its children.
	CategoryIDs       []uuid.UUID
	TargetGroups      []TargetGroup
	Age               *int
	FreeOnly          bool
	Accessibility     []AccessibilityFeature
	Languages         []string
	NeighbourhoodIDs  []uuid.UUID
	OrganisationKinds []OrganisationKind
	AcceptsCard       *bool
	Query             string
	Near              *Near
	Within            *geo.BBox

	// OrganisationID and VenueID scope activities to one organisation or venue.
	OrganisationID *uuid.UUID
	VenueID        *uuid.UUID
	// Statuses keeps activities in these statuses; it narrows what the scope may see and
	// never widens it (see activityVisible).
	Statuses []ActivityStatus
}

// MaxQueryLength is the longest text query accepted.
const MaxQueryLength = 200

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// queryWords returns the words of a text query: letters and digits only, so nothing the
// user types reaches the query syntax, at most 8 words of at most 40 characters.
func queryWords(q string) []string {
	words := wordRE.FindAllString(strings.ToLower(q), 8)
	for i, w := range words {
		if utf8.RuneCountInString(w) > 40 {
			words[i] = string([]rune(w)[:40])
		}
	}
	return words
}

// tsQuery returns a prefix query for the words: "svøm:* & hall:*".
func tsQuery(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w + ":*"
	}
	return strings.Join(parts, " & ")
}

// validate checks the parts of a filter that the database cannot: ranges, sizes, text.
func (f *Filter) validate(field string) error {
	if f.Age != nil && (*f.Age < 0 || *f.Age > 120) {
		return apperr.Invalid(field+".age", "AgeRange", nil)
	}
	if f.Query != "" {
		if utf8.RuneCountInString(f.Query) > MaxQueryLength {
			return apperr.Invalid(field+".query", "QueryTooLong", map[string]any{"Max": MaxQueryLength})
		}
		if len(queryWords(f.Query)) == 0 {
			return apperr.Invalid(field+".query", "QueryEmpty", nil)
		}
	}
	if f.Near != nil {
		if err := geo.ValidatePoint(f.Near.Point, field+".near"); err != nil {
			return err
		}
		if err := geo.ValidateRadius(f.Near.RadiusKm, field+".near.radiusKm"); err != nil {
			return err
		}
	}
	if f.Within != nil {
		if err := geo.ValidateBBox(*f.Within, field+".within"); err != nil {
			return err
		}
	}
	for _, l := range f.Languages {
		if len(l) > 35 || !localeRE.MatchString(l) {
			return apperr.Invalid(field+".languages", "LocaleInvalid", nil)
		}
	}
	if n := len(f.CategoryIDs) + len(f.NeighbourhoodIDs) + len(f.Languages) + len(f.TargetGroups) + len(f.Accessibility) + len(f.OrganisationKinds); n > 200 {
		return apperr.Invalid(field, "FilterTooLarge", nil)
	}
	return nil
}

var localeRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// checkOrder returns order, or the default for the filter, or BAD_USER_INPUT when the order
// needs what the filter lacks.
func checkOrder(order *Order, f *Filter, field string) (Order, error) {
	if order == nil {
		switch {
		case f.Query != "":
			return OrderRelevance, nil
		case f.Near != nil:
			return OrderDistance, nil
		}
		return OrderName, nil
	}
	switch *order {
	case OrderRelevance:
		if f.Query == "" {
			return "", apperr.Invalid(field, "RelevanceNeedsQuery", nil)
		}
	case OrderDistance:
		if f.Near == nil {
			return "", apperr.Invalid(field, "DistanceNeedsNear", nil)
		}
	}
	return *order, nil
}

// queryWordsJoined returns the query's words separated by spaces, for trigram similarity;
// "" (which matches nothing) when they are too short for similarity to mean anything.
func queryWordsJoined(q string) string {
	s := strings.Join(queryWords(q), " ")
	if utf8.RuneCountInString(s) < 5 {
		return ""
	}
	return s
}

// SearchWords returns the words of a text query as search matches them, for other lists
// that filter by words (fritid_search_query). Errors: BAD_USER_INPUT naming field when the
// query is longer than MaxQueryLength or has no word.
func SearchWords(query, field string) ([]string, error) {
	if utf8.RuneCountInString(query) > MaxQueryLength {
		return nil, apperr.Invalid(field, "QueryTooLong", map[string]any{"Max": MaxQueryLength})
	}
	words := queryWords(query)
	if len(words) == 0 {
		return nil, apperr.Invalid(field, "QueryEmpty", nil)
	}
	return words, nil
}
