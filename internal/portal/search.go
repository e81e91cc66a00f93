package portal

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// SearchHit is one result of a search: what kind of item, which, how well it matched.
type SearchHit struct {
	Kind string    `bun:"kind"` // Organisation, Activity or Neighbourhood
	ID   uuid.UUID `bun:"id,type:uuid"`
	Rank float64   `bun:"rank"`
}

// SearchConnection is a page of search results.
type SearchConnection struct {
	Edges    []*SearchEdge
	PageInfo *relay.PageInfo

	sc    scope
	query string
}

// SearchEdge is a search result in a page.
type SearchEdge struct {
	Cursor string
	Rank   float64
	Hit    SearchHit
}

type searchRow struct {
	SearchHit
	SortKey string `bun:"sort_key"`
}

func (r *searchRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// unionSQL is one ranked list of the published organisations, activities and neighbourhoods
// that match; its placeholders are filled by unionArgs.
const unionSQL = `
SELECT 'Organisation' AS kind, o.id,
  (word_similarity(?words, o.name) * 2 + coalesce((SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?tq)))
     FROM organisation_translations t WHERE t.organisation_id = o.id), 0))::float8 AS rank
FROM organisations o
WHERE o.municipality_id = ?mid AND o.status = 'PUBLISHED' AND (
  to_tsvector('simple', o.name) @@ to_tsquery('simple', ?tq) OR ?words <% o.name
  OR o.id IN (SELECT t.organisation_id FROM organisation_translations t WHERE t.municipality_id = ?mid AND (` + tsMatchNamed + `)))
UNION ALL
SELECT 'Activity', a.id,
  (SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?tq)) + word_similarity(?words, t.title) * 2)
     FROM activity_translations t WHERE t.activity_id = a.id)::float8
FROM activities a
WHERE a.municipality_id = ?mid AND a.published AND a.id IN (
  SELECT t.activity_id FROM activity_translations t WHERE t.municipality_id = ?mid AND (` + tsMatchNamed + ` OR ?words <% t.title))
UNION ALL
SELECT 'Neighbourhood', n.id,
  (SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?tq)) + word_similarity(?words, t.name) * 2)
     FROM neighbourhood_translations t WHERE t.neighbourhood_id = n.id)::float8
FROM neighbourhoods n
WHERE n.municipality_id = ?mid AND n.id IN (
  SELECT t.neighbourhood_id FROM neighbourhood_translations t WHERE t.municipality_id = ?mid AND (` + tsMatchNamed + ` OR ?words <% t.name))`

const tsMatchNamed = `(fritid_ts_config(t.locale) = 'norwegian'::regconfig AND t.search @@ to_tsquery('norwegian', ?tq))
  OR (fritid_ts_config(t.locale) = 'english'::regconfig AND t.search @@ to_tsquery('english', ?tq))
  OR (fritid_ts_config(t.locale) = 'simple'::regconfig AND t.search @@ to_tsquery('simple', ?tq))`

type unionArgs struct {
	Mid   uuid.UUID `bun:"mid"`
	Tq    string    `bun:"tq"`
	Words string    `bun:"words"`
}

// Search returns one ranked list across published organisations, activities and
// neighbourhoods, best first. Errors: BAD_USER_INPUT naming "query" when it is empty or
// longer than MaxQueryLength, or a bad cursor.
func (s *Service) Search(ctx context.Context, query string, page relay.Page) (*SearchConnection, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	f := Filter{Query: query}
	if strings.TrimSpace(query) == "" {
		return nil, apperr.Invalid("query", "QueryEmpty", nil)
	}
	if err := f.validate(""); err != nil {
		return nil, asField(err, "query")
	}
	// SECURITY: each part of the union is scoped to the municipality and to published items.
	args := unionArgs{Mid: sc.municipalityID, Tq: tsQuery(queryWords(query)), Words: queryWordsJoined(query)}
	var rows []*searchRow
	spec := sortSpec{order: OrderRelevance, expr: "r.rank", cast: "float8", desc: true, idCol: "r.id"}
	q := s.db.NewSelect().TableExpr("("+unionSQL+") AS r", args).ColumnExpr("r.kind, r.id, r.rank")
	if q, err = spec.apply(q, page); err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "search", "search")
	}
	rows, cursors, info := pageOf(rows, OrderRelevance, page)
	conn := &SearchConnection{PageInfo: info, sc: sc, query: query}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &SearchEdge{Cursor: cursors[i], Rank: r.Rank, Hit: r.SearchHit})
	}
	return conn, nil
}

// CountSearch returns how many items the search matches in all.
func (s *Service) CountSearch(ctx context.Context, c *SearchConnection) (int, error) {
	args := unionArgs{Mid: c.sc.municipalityID, Tq: tsQuery(queryWords(c.query)), Words: queryWordsJoined(c.query)}
	n, err := s.db.NewSelect().TableExpr("("+unionSQL+") AS r", args).Count(ctx)
	return int(n), database.MapError(err, "count search", "search")
}

// asField renames the field of a BAD_USER_INPUT error.
func asField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.BadUserInput {
		return e.WithField(field)
	}
	return err
}
