package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// nestedSQL is the first $3 published organisations of municipality $1 by name, each with
// its first $4 published activities by name and each activity's title along chain $2 (the
// first non-empty one, then any other locale's, else ""): one statement, two lateral joins.
const nestedSQL = `
SELECT o.id::text, a.id::text, coalesce(t.title, '')
FROM (SELECT o.id, o.name FROM organisations o
	WHERE o.municipality_id = (SELECT id FROM municipalities WHERE slug = $1) AND o.status = 'PUBLISHED'
	ORDER BY o.name COLLATE "nb-x-icu", o.id LIMIT $3) o
LEFT JOIN LATERAL (SELECT a.id, a.sort_name FROM activities a WHERE a.organisation_id = o.id AND a.published
	ORDER BY a.sort_name COLLATE "nb-x-icu", a.id LIMIT $4) a ON true
LEFT JOIN LATERAL (SELECT t.title FROM activity_translations t WHERE t.activity_id = a.id AND t.title <> ''
	ORDER BY array_position($2, t.locale) NULLS LAST, t.locale LIMIT 1) t ON true
ORDER BY o.name COLLATE "nb-x-icu", o.id, a.sort_name COLLATE "nb-x-icu", a.id`

// nested answers the Nested operation.
func nested(ctx context.Context, pool *pgxpool.Pool, municipality string, chain []string, first int) (any, error) {
	rows, err := pool.Query(ctx, nestedSQL, municipality, chain, first, 10)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out nestedData
	out.Organisations.Edges = make([]nestedOrgEdge, 0, first)
	var last string
	for rows.Next() {
		var orgID string
		var actID *string
		var title string
		if err := rows.Scan(&orgID, &actID, &title); err != nil {
			return nil, err
		}
		if orgID != last || len(out.Organisations.Edges) == 0 {
			last = orgID
			out.Organisations.Edges = append(out.Organisations.Edges, nestedOrgEdge{Node: nestedOrg{
				ID: globalID("Organisation", orgID), Activities: nestedActs{Edges: make([]nestedActEdge, 0, 10)}}})
		}
		if actID != nil {
			acts := &out.Organisations.Edges[len(out.Organisations.Edges)-1].Node.Activities
			acts.Edges = append(acts.Edges, nestedActEdge{Node: nestedAct{ID: globalID("Activity", *actID), Title: title}})
		}
	}
	return out, rows.Err()
}

// The parts of a Nested answer.
type (
	nestedData struct {
		Organisations struct {
			Edges []nestedOrgEdge `json:"edges"`
		} `json:"organisations"`
	}
	nestedOrgEdge struct {
		Node nestedOrg `json:"node"`
	}
	nestedOrg struct {
		ID         string     `json:"id"`
		Activities nestedActs `json:"activities"`
	}
	nestedActs struct {
		Edges []nestedActEdge `json:"edges"`
	}
	nestedActEdge struct {
		Node nestedAct `json:"node"`
	}
	nestedAct struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
)
