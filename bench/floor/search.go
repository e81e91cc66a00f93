package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// tsMatch is the condition that translation t matches the prefix query $4 in its own
// language.
const tsMatch = `(fritid_ts_config(t.locale) = 'norwegian'::regconfig AND t.search @@ to_tsquery('norwegian', $4))
	OR (fritid_ts_config(t.locale) = 'english'::regconfig AND t.search @@ to_tsquery('english', $4))
	OR (fritid_ts_config(t.locale) = 'simple'::regconfig AND t.search @@ to_tsquery('simple', $4))`

// hitsSQL is the API's ranked union of published organisations, activities and
// neighbourhoods of municipality m matching $4 (prefix query) or $5 (words), first $3.
const hitsSQL = `
SELECT r.kind, r.id, r.rank FROM (
	SELECT 'Organisation' AS kind, o.id,
		(word_similarity($5, o.name) * 2 + coalesce((SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), $4)))
			FROM organisation_translations t WHERE t.organisation_id = o.id), 0))::float8 AS rank
	FROM organisations o
	WHERE o.municipality_id = (SELECT id FROM m) AND o.status = 'PUBLISHED' AND (
		to_tsvector('simple', o.name) @@ to_tsquery('simple', $4) OR $5 <% o.name
		OR o.id IN (SELECT t.organisation_id FROM organisation_translations t WHERE t.municipality_id = (SELECT id FROM m) AND (` + tsMatch + `)))
	UNION ALL
	SELECT 'Activity', a.id,
		(SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), $4)) + word_similarity($5, t.title) * 2)
			FROM activity_translations t WHERE t.activity_id = a.id)::float8
	FROM activities a
	WHERE a.municipality_id = (SELECT id FROM m) AND a.published AND a.id IN (
		SELECT t.activity_id FROM activity_translations t WHERE t.municipality_id = (SELECT id FROM m) AND (` + tsMatch + ` OR $5 <% t.title))
	UNION ALL
	SELECT 'Neighbourhood', n.id,
		(SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), $4)) + word_similarity($5, t.name) * 2)
			FROM neighbourhood_translations t WHERE t.neighbourhood_id = n.id)::float8
	FROM neighbourhoods n
	WHERE n.municipality_id = (SELECT id FROM m) AND n.id IN (
		SELECT t.neighbourhood_id FROM neighbourhood_translations t WHERE t.municipality_id = (SELECT id FROM m) AND (` + tsMatch + ` OR $5 <% t.name))
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
	tsquery, words := searchTerms(query)
	rows, err := pool.Query(ctx, searchSQL, municipality, chain, first, tsquery, words)
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
