package main

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The response, in the shape the API gives for the benchmark's selection.
type (
	response struct {
		Data data `json:"data"`
	}
	data struct {
		Activities connection `json:"activities"`
	}
	connection struct {
		Edges []edge `json:"edges"`
	}
	edge struct {
		Node activity `json:"node"`
	}
	activity struct {
		ID           string       `json:"id"`
		Title        string       `json:"title"`
		Summary      string       `json:"summary"`
		TextLocale   *string      `json:"textLocale"`
		PriceOre     int          `json:"priceOre"`
		Free         bool         `json:"free"`
		Organisation organisation `json:"organisation"`
		Categories   []category   `json:"categories"`
		Venue        *venue       `json:"venue"`
	}
	organisation struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Summary string `json:"summary"`
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

// listQuery is one page of published activities of a municipality: by name, or best match
// first when words is set.
type listQuery struct {
	municipality string
	chain        []string
	first        int
	words        string
}

// The page of activities, by name or by relevance, as the API's list query selects it,
// each row numbered in order.
const (
	byName = `SELECT a.id, a.organisation_id, a.venue_id, a.price_ore,
			row_number() OVER (ORDER BY a.sort_name COLLATE "nb-x-icu", a.id) AS ord
		FROM activities a, m WHERE a.municipality_id = m.id AND a.published
		ORDER BY a.sort_name COLLATE "nb-x-icu", a.id LIMIT $3`
	byRelevance = `SELECT a.id, a.organisation_id, a.venue_id, a.price_ore,
			row_number() OVER (ORDER BY r.rank DESC, a.id DESC) AS ord
		FROM activities a, m,
		LATERAL (SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), $4)) + word_similarity($5, t.title))::float8 AS rank
			FROM activity_translations t WHERE t.activity_id = a.id) r
		WHERE a.municipality_id = m.id AND a.published
		AND a.id IN (SELECT t.activity_id FROM activity_translations t WHERE t.municipality_id = m.id AND (
			(fritid_ts_config(t.locale) = 'norwegian' AND t.search @@ to_tsquery('norwegian', $4))
			OR (fritid_ts_config(t.locale) = 'english' AND t.search @@ to_tsquery('english', $4))
			OR (fritid_ts_config(t.locale) = 'simple' AND t.search @@ to_tsquery('simple', $4))
			OR $5 <% t.title))
		ORDER BY r.rank DESC, a.id DESC LIMIT $3`
)

// details joins a page (CTE "page", numbered by "ord") with its texts in the chain ($2),
// organisation, categories and venue.
const details = `
SELECT p.id::text, p.price_ore, t.title, t.summary, t.locale,
	o.id::text, o.name, COALESCE(ot.summary, ''),
	v.id::text, v.name, v.street, v.postal_code, v.place,
	COALESCE(c.ids, '{}'), COALESCE(c.names, '{}')
FROM page p
JOIN organisations o ON o.id = p.organisation_id
LEFT JOIN venues v ON v.id = p.venue_id
LEFT JOIN LATERAL (SELECT t.title, t.summary, t.locale FROM activity_translations t
	WHERE t.activity_id = p.id AND t.locale = ANY($2) ORDER BY array_position($2, t.locale) LIMIT 1) t ON true
LEFT JOIN LATERAL (SELECT ot.summary FROM organisation_translations ot
	WHERE ot.organisation_id = o.id AND ot.locale = ANY($2) ORDER BY array_position($2, ot.locale) LIMIT 1) ot ON true
LEFT JOIN LATERAL (SELECT array_agg(c.id::text ORDER BY c.sort_order) AS ids, array_agg(ct.name ORDER BY c.sort_order) AS names
	FROM activity_categories ac JOIN categories c ON c.id = ac.category_id,
	LATERAL (SELECT ct.name FROM category_translations ct WHERE ct.category_id = c.id AND ct.locale = ANY($2)
		ORDER BY array_position($2, ct.locale) LIMIT 1) ct
	WHERE ac.activity_id = p.id) c ON true
ORDER BY p.ord`

// sql returns the whole statement and its arguments.
func (q listQuery) sql() (string, []any) {
	head := `WITH m AS (SELECT id FROM municipalities WHERE slug = $1), `
	args := []any{q.municipality, q.chain, q.first}
	pageSQL := byName
	if q.words != "" {
		pageSQL = byRelevance
		words := queryWords(q.words)
		joined := strings.Join(words, " ")
		if utf8.RuneCountInString(joined) < 5 {
			joined = ""
		}
		args = append(args, strings.Join(withPrefix(words), " & "), joined)
	}
	return head + `page AS (` + pageSQL + `)` + details, args
}

// run returns the page's edges.
func (q listQuery) run(ctx context.Context, pool *pgxpool.Pool) ([]edge, error) {
	text, args := q.sql()
	rows, err := pool.Query(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	edges := make([]edge, 0, q.first)
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		edges = append(edges, edge{Node: a})
	}
	return edges, rows.Err()
}

// scanActivity reads one row of the details statement.
func scanActivity(rows pgx.Rows) (activity, error) {
	var a activity
	var title, summary, locale, venueID, venueName, street, postal, place *string
	var catIDs, catNames []string
	err := rows.Scan(&a.ID, &a.PriceOre, &title, &summary, &locale,
		&a.Organisation.ID, &a.Organisation.Name, &a.Organisation.Summary,
		&venueID, &venueName, &street, &postal, &place, &catIDs, &catNames)
	if err != nil {
		return a, err
	}
	a.ID, a.Organisation.ID = globalID("Activity", a.ID), globalID("Organisation", a.Organisation.ID)
	a.Title, a.Summary, a.TextLocale, a.Free = deref(title), deref(summary), locale, a.PriceOre == 0
	a.Categories = make([]category, len(catIDs))
	for i := range catIDs {
		a.Categories[i] = category{ID: globalID("Category", catIDs[i]), Name: catNames[i]}
	}
	if venueID != nil {
		a.Venue = &venue{ID: globalID("Venue", *venueID), Name: deref(venueName)}
		if deref(street) != "" || deref(postal) != "" || deref(place) != "" {
			a.Venue.Address = &address{Street: deref(street), Place: deref(place)}
		}
	}
	return a, nil
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

// queryWords are the search words of q, as the API splits them: at most 8, in lower case,
// each at most 40 letters.
func queryWords(q string) []string {
	words := wordRE.FindAllString(strings.ToLower(q), 8)
	for i, w := range words {
		if utf8.RuneCountInString(w) > 40 {
			words[i] = string([]rune(w)[:40])
		}
	}
	return words
}

// withPrefix makes each word a prefix match ("svøm:*").
func withPrefix(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w + ":*"
	}
	return out
}
