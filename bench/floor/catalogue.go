package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// catalogueSQL is the first $3 published activities of municipality $1 by name, with
// texts in chain $2, organisation, categories and venue, in one statement.
var catalogueSQL = `
WITH page AS (
	SELECT a.* FROM activities a
	WHERE a.municipality_id = (SELECT id FROM municipalities WHERE slug = $1) AND a.published
	ORDER BY a.sort_name COLLATE "nb-x-icu", a.id LIMIT $3)
SELECT ` + activityColumns + `
FROM page a
JOIN organisations o ON o.id = a.organisation_id
LEFT JOIN venues v ON v.id = a.venue_id
` + activityTextSQL + `
` + organisationTextSQL + `
` + fmt.Sprintf(categoriesSQL, "activity_categories", "activity_id = a.id", "ac") + `
ORDER BY a.sort_name COLLATE "nb-x-icu", a.id`

// catalogue answers the Catalogue operation.
func catalogue(ctx context.Context, pool *pgxpool.Pool, municipality string, chain []string, first int) (any, error) {
	rows, err := pool.Query(ctx, catalogueSQL, municipality, chain, first)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out catalogueData
	out.Activities.Edges = make([]activityEdge, 0, first)
	for rows.Next() {
		var r activityRow
		if err := rows.Scan(r.targets()...); err != nil {
			return nil, err
		}
		out.Activities.Edges = append(out.Activities.Edges, activityEdge{Node: r.activity()})
	}
	return out, rows.Err()
}

// catalogueData is the data of a Catalogue answer.
type catalogueData struct {
	Activities struct {
		Edges []activityEdge `json:"edges"`
	} `json:"activities"`
}

type activityEdge struct {
	Node *activity `json:"node"`
}
