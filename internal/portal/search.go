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

// unionSQL returns one ranked list of the published organisations, activities and
// neighbourhoods that match, as SQL whose named placeholders unionArgs fills. Each kind
// first collects the IDs that match through an index (full text per language, the name,
// trigram similarity when the words are long enough), then ranks only those.
func unionSQL(trigram bool) string {
	sim := func(col string) string {
		if !trigram {
			return ""
		}
		return " OR ?words <% " + col
	}
	return `
WITH org_hits AS (
  SELECT o.id FROM organisations o WHERE o.municipality_id = ?mid AND to_tsvector('simple', o.name) @@ to_tsquery('simple', ?tq)
  UNION SELECT t.organisation_id FROM organisation_translations t WHERE t.municipality_id = ?mid AND (` + tsMatchNamed + `)` +
		orgNameSim(trigram) + `
), act_hits AS (
  SELECT DISTINCT t.activity_id AS id FROM activity_translations t WHERE t.municipality_id = ?mid AND (` + tsMatchNamed + sim("t.title") + `)
), nb_hits AS (
  SELECT DISTINCT t.neighbourhood_id AS id FROM neighbourhood_translations t WHERE t.municipality_id = ?mid AND (` + tsMatchNamed + sim("t.name") + `)
)
SELECT 'Organisation' AS kind, o.id,
  (word_similarity(?words, o.name) * 2 + coalesce((SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?tq)))
     FROM organisation_translations t WHERE t.organisation_id = o.id), 0))::float8 AS rank
FROM org_hits h JOIN organisations o ON o.id = h.id WHERE o.status = 'PUBLISHED'
UNION ALL
SELECT 'Activity', a.id,
  (SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?tq)) + word_similarity(?words, t.title) * 2)
     FROM activity_translations t WHERE t.activity_id = a.id)::float8
FROM act_hits h JOIN activities a ON a.id = h.id WHERE a.published
UNION ALL
SELECT 'Neighbourhood', n.id,
  (SELECT max(ts_rank(t.search, to_tsquery(fritid_ts_config(t.locale), ?tq)) + word_similarity(?words, t.name) * 2)
     FROM neighbourhood_translations t WHERE t.neighbourhood_id = n.id)::float8
FROM nb_hits h JOIN neighbourhoods n ON n.id = h.id`
}

// orgNameSim adds the organisations whose name is like the words.
func orgNameSim(trigram bool) string {
	if !trigram {
		return ""
	}
	return `
  UNION SELECT o.id FROM organisations o WHERE o.municipality_id = ?mid AND ?words <% o.name`
}

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
	q := s.db.NewSelect().TableExpr("("+unionSQL(args.Words != "")+") AS r", args).ColumnExpr("r.kind, r.id, r.rank")
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
	n, err := s.db.NewSelect().TableExpr("("+unionSQL(args.Words != "")+") AS r", args).Count(ctx)
	return int(n), database.MapError(err, "count search", "search")
}

// asField renames the field of a BAD_USER_INPUT error.
func asField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.BadUserInput {
		return e.WithField(field)
	}
	return err
}

// tsMatchNamed is the full-text condition on a translation "t", in the translation's own
// language's configuration.
const tsMatchNamed = `(fritid_ts_config(t.locale) = 'norwegian'::regconfig AND t.search @@ to_tsquery('norwegian', ?tq))
  OR (fritid_ts_config(t.locale) = 'english'::regconfig AND t.search @@ to_tsquery('english', ?tq))
  OR (fritid_ts_config(t.locale) = 'simple'::regconfig AND t.search @@ to_tsquery('simple', ?tq))`
