package main

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
)

// hitsSQL is the API's ranked page of the published organisations, activities,
// neighbourhoods, pages and articles of municipality m that match the words $4 (through
// its search index and dictionary, see fritid_search_query), first $3.
const hitsSQL = `
SELECT r.kind, r.id, r.rank FROM (
	SELECT s.kind, s.id, max((ts_rank(s.head, q.m) + CASE WHEN s.title @@ q.a THEN 1 ELSE 0 END +
		CASE WHEN q.some AND s.matches @@ q.a THEN 2 ELSE 0 END)::float8) AS rank
	FROM (SELECT all_words AS a, CASE WHEN few THEN any_word ELSE all_words END AS m,
		few AND any_word <> all_words AS some
		FROM fritid_search_query((SELECT id FROM m), $4::text[], 20)) q
	JOIN search_items s ON s.municipality_id = (SELECT id FROM m) AND s.matches @@ q.m
		AND (s.published_from IS NULL OR (s.published_from <= now() AND
			(s.published_until IS NULL OR s.published_until > now())))
	GROUP BY s.kind, s.id
) r ORDER BY r.rank DESC, r.id DESC LIMIT $3`

// searchSQL is the page of hits with what the benchmark selects of each kind.
var searchSQL = `
WITH m AS (SELECT id FROM municipalities WHERE slug = $1), h AS (` + hitsSQL + `)
SELECT h.kind, h.rank, n.id::text, nt.name, COALESCE(oc.ids, '{}'), COALESCE(oc.names, '{}'), ` + activityColumns + `
FROM h
LEFT JOIN activities a ON h.kind = 'Activity' AND a.id = h.id
LEFT JOIN organisations o ON o.id = CASE WHEN h.kind = 'Organisation' THEN h.id ELSE a.organisation_id END
LEFT JOIN venues v ON v.id = a.venue_id
LEFT JOIN neighbourhoods n ON h.kind = 'Neighbourhood' AND n.id = h.id
LEFT JOIN LATERAL (SELECT nt.name FROM neighbourhood_translations nt
	WHERE nt.neighbourhood_id = n.id AND nt.locale = ANY($2) ORDER BY array_position($2, nt.locale) LIMIT 1) nt ON true
` + activityTextSQL + `
` + organisationTextSQL + `
` + fmt.Sprintf(categoriesSQL, "activity_categories", "activity_id = a.id", "ac") + `
` + fmt.Sprintf(categoriesSQL, "organisation_categories", "organisation_id = o.id AND h.kind = 'Organisation'", "oc") + `
ORDER BY h.rank DESC, h.id DESC`

// search answers the Search operation.
func search(ctx context.Context, pool *pgxpool.Pool, municipality string, chain []string, first int, query string) (any, error) {
	rows, err := pool.Query(ctx, searchSQL, municipality, chain, first, searchWords(query))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out searchData
	out.Search.Edges = make([]searchEdge, 0, first)
	for rows.Next() {
		var kind string
		var e searchEdge
		var nID, nName *string
		var orgCatIDs, orgCatNames []string
		var r activityRow
		if err := rows.Scan(append([]any{&kind, &e.Rank, &nID, &nName, &orgCatIDs, &orgCatNames}, r.targets()...)...); err != nil {
			return nil, err
		}
		switch kind {
		case "Activity":
			a := r.activity()
			a.Typename = "Activity"
			e.Node = a
		case "Organisation":
			e.Node = &organisation{Typename: "Organisation", ID: globalID("Organisation", deref(r.orgID)), Name: deref(r.orgName),
				Summary: deref(r.orgSummary), Categories: categories(orgCatIDs, orgCatNames)}
		default:
			e.Node = &neighbourhood{Typename: "Neighbourhood", ID: globalID("Neighbourhood", deref(nID)), Name: deref(nName)}
		}
		out.Search.Edges = append(out.Search.Edges, e)
	}
	return out, rows.Err()
}

// searchData is the data of a Search answer.
type searchData struct {
	Search struct {
		Edges []searchEdge `json:"edges"`
	} `json:"search"`
}

type searchEdge struct {
	Rank float64 `json:"rank"`
	Node any     `json:"node"`
}

// searchWords returns the words of a search as the API takes them: letters and digits, at
// most 8 words of at most 40 characters.
func searchWords(q string) []string {
	ws := wordRE.FindAllString(strings.ToLower(q), 8)
	for i, w := range ws {
		if utf8.RuneCountInString(w) > 40 {
			ws[i] = string([]rune(w)[:40])
		}
	}
	return ws
}
