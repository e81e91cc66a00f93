package portal

import (
	"context"
	"database/sql"
	"strconv"
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

	sc      scope
	tsquery string // the query as the database matches it; "" matches nothing
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

// searchQuerySQL turns the query's words ($2) into tsqueries, as text. Each word becomes
// its prefix in every text search configuration (so Norwegian, English and unstemmed texts
// all find it), or'ed with the municipality's dictionary words ($1) that hold it inside a
// compound ("kino" in "seniorkino") and, when no dictionary word starts with it, with the
// closest ones by trigram similarity (the typo "bowlnig" finds "bowling"). Stop words
// ("og", "for") are left out, as the texts' vectors leave them out. It returns the words
// and'ed, the words or'ed, and whether the and'ed words find too little (fewer than
// searchEnough items), so that the or'ed ones are used; NULLs when no word is left.
const searchQuerySQL = `
WITH terms AS (
  SELECT (SELECT fritid_tsquery_or(DISTINCT v.q) FROM (
      SELECT t.n UNION ALL SELECT t.e UNION ALL SELECT t.s
      UNION ALL
      (SELECT (` + lexemeQuery + `) FROM search_words c
       WHERE c.municipality_id = $1 AND length(q.w) >= 4
         AND c.word LIKE '%' || q.w || '%' AND c.word NOT LIKE q.w || '%'
       ORDER BY c.items DESC, c.word LIMIT 10)
      UNION ALL
      (SELECT (` + lexemeQuery + `) FROM search_words c
       WHERE c.municipality_id = $1 AND length(q.w) >= 4 AND c.word % q.w AND NOT EXISTS (
         SELECT 1 FROM search_words p, unnest(q.w || tsvector_to_array(to_tsvector('norwegian', q.w)) ||
           tsvector_to_array(to_tsvector('english', q.w))) st
         WHERE p.municipality_id = $1 AND p.word LIKE st || '%')
       ORDER BY similarity(c.word, q.w) DESC, c.items DESC, c.word LIMIT 3)
    ) v(q)) AS term
  FROM unnest($2::text[]) AS q(w)
  CROSS JOIN LATERAL (SELECT to_tsquery('norwegian', q.w || ':*') AS n,
    to_tsquery('english', q.w || ':*') AS e, to_tsquery('simple', q.w || ':*') AS s) t
  WHERE numnode(t.n) > 0 AND numnode(t.e) > 0
), q AS (
  SELECT fritid_tsquery_and(term) AS a, fritid_tsquery_or(term) AS o, count(*) AS n FROM terms
)
SELECT a::text, o::text, n > 1 AND (SELECT count(*) FROM (
    SELECT 1 FROM search_items WHERE municipality_id = $1 AND matches @@ q.a LIMIT ` + searchEnough + `) x) < ` +
	searchEnough + `
FROM q`

// lexemeQuery is the tsquery of the dictionary word c.word, quoted as a lexeme.
const lexemeQuery = `('''' || replace(replace(c.word, '\', '\\'), '''', '''''') || '''')::tsquery`

// searchEnough is how many items the words and'ed must find for the search to keep to them.
const searchEnough = "20"

// searchPageSQL is the first page of the visible items that match the tsquery $2, best
// first: the candidates come from the index on search_items alone and are ranked on their
// small head vectors. $3 is the page size plus one; searchAfterSQL continues after the
// cursor's rank ($4) and ID ($5).
const searchPageSQL = `
SELECT kind, id, rank, rank::text AS sort_key FROM (
  SELECT kind, id, ts_rank(head, $2::tsquery)::float8 AS rank FROM search_items
  WHERE municipality_id = $1 AND matches @@ $2::tsquery) r
ORDER BY rank DESC, id DESC LIMIT $3`

const searchAfterSQL = `
SELECT kind, id, rank, rank::text AS sort_key FROM (
  SELECT kind, id, ts_rank(head, $2::tsquery)::float8 AS rank FROM search_items
  WHERE municipality_id = $1 AND matches @@ $2::tsquery) r
WHERE (rank, id) < ($4::float8, $5::uuid)
ORDER BY rank DESC, id DESC LIMIT $3`

const searchCountSQL = `SELECT count(*) FROM search_items WHERE municipality_id = $1 AND matches @@ $2::tsquery`

// Search returns one ranked list across published organisations, activities and
// neighbourhoods, best first. Errors: BAD_USER_INPUT naming "query" when it is empty or
// longer than MaxQueryLength, or a bad cursor.
//
// The statements are constant texts with bind parameters, so that each connection plans
// them once (pgx keeps them prepared).
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
	var after *cursorKey
	if page.After != "" {
		after = new(cursorKey)
		if err := relay.DecodeCursor(page.After, "after", after); err != nil {
			return nil, err
		}
		if _, err := strconv.ParseFloat(after.K, 64); err != nil || after.O != OrderRelevance {
			return nil, apperr.Invalid("after", "InvalidCursor", nil)
		}
	}
	// SECURITY: search_items holds only published organisations and activities (and the
	// neighbourhoods, which are public), and every statement is scoped to the municipality.
	var and, or sql.NullString
	var few sql.NullBool
	err = s.db.DB.QueryRowContext(ctx, searchQuerySQL, sc.municipalityID, queryWords(query)).Scan(&and, &or, &few)
	if err != nil {
		return nil, database.MapError(err, "search", "search")
	}
	conn := &SearchConnection{sc: sc, tsquery: and.String}
	if few.Bool {
		conn.tsquery = or.String
	}
	var rows []*searchRow
	if conn.tsquery != "" {
		if rows, err = s.searchPage(ctx, sc, conn.tsquery, page.Limit+1, after); err != nil {
			return nil, err
		}
	}
	rows, cursors, info := pageOf(rows, OrderRelevance, page)
	conn.PageInfo = info
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &SearchEdge{Cursor: cursors[i], Rank: r.Rank, Hit: r.SearchHit})
	}
	return conn, nil
}

// searchPage reads up to limit hits of the tsquery tq, after the cursor when there is one.
func (s *Service) searchPage(ctx context.Context, sc scope, tq string, limit int, after *cursorKey) (
	[]*searchRow, error,
) {
	var res *sql.Rows
	var err error
	if after == nil {
		res, err = s.db.DB.QueryContext(ctx, searchPageSQL, sc.municipalityID, tq, limit)
	} else {
		rank, _ := strconv.ParseFloat(after.K, 64) // checked in Search
		res, err = s.db.DB.QueryContext(ctx, searchAfterSQL, sc.municipalityID, tq, limit, rank, after.ID)
	}
	if err != nil {
		return nil, database.MapError(err, "search", "search")
	}
	defer res.Close()
	rows := make([]*searchRow, 0, limit)
	for res.Next() {
		r := new(searchRow)
		if err := res.Scan(&r.Kind, &r.ID, &r.Rank, &r.SortKey); err != nil {
			return nil, database.MapError(err, "search", "search")
		}
		rows = append(rows, r)
	}
	return rows, database.MapError(res.Err(), "search", "search")
}

// CountSearch returns how many items the search matches in all.
func (s *Service) CountSearch(ctx context.Context, c *SearchConnection) (int, error) {
	if c.tsquery == "" {
		return 0, nil
	}
	var n int
	err := s.db.DB.QueryRowContext(ctx, searchCountSQL, c.sc.municipalityID, c.tsquery).Scan(&n)
	return n, database.MapError(err, "count search", "search")
}

// asField renames the field of a BAD_USER_INPUT error.
func asField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.BadUserInput {
		return e.WithField(field)
	}
	return err
}
