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
	all     string // the query with every word, which ranks first
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

// searchQuerySQL turns the query's words ($2) into tsqueries, as text, with the
// municipality's dictionary ($1): see fritid_search_query in the migrations. It returns the
// words and'ed, the words or'ed, and whether the and'ed words find fewer than $3 items (then
// the or'ed ones are used); NULLs when no word is left.
const searchQuerySQL = `SELECT all_words::text, any_word::text, few FROM fritid_search_query($1, $2, $3)`

// searchEnough is how many items the words and'ed must find for the search to keep to them.
const searchEnough = 20

// searchRankedSQL is the visible items that match the tsquery $2, with their rank: the
// candidates come from the index on search_items alone and are ranked on their small head
// vectors. $3 is the query with every word: an item whose title or name alone has every
// word comes first, and when $2 is only some of the words (because every word found too
// little), the items with every word come before those with some.
const searchRankedSQL = `
SELECT kind, id, rank, rank::text AS sort_key FROM (
  SELECT kind, id, (ts_rank(head, $2::tsquery) +
    CASE WHEN ts_filter(head, '{a}') @@ $3::tsquery THEN 1 ELSE 0 END +
    CASE WHEN $2::tsquery <> $3::tsquery AND matches @@ $3::tsquery THEN 2 ELSE 0 END)::float8 AS rank
  FROM search_items WHERE municipality_id = $1 AND matches @@ $2::tsquery) r`

// searchPageSQL is the first page of them, best first, $4 the page size plus one;
// searchAfterSQL continues after the cursor's rank ($5) and ID ($6).
const (
	searchPageSQL  = searchRankedSQL + ` ORDER BY rank DESC, id DESC LIMIT $4`
	searchAfterSQL = searchRankedSQL + ` WHERE (rank, id) < ($5::float8, $6::uuid) ORDER BY rank DESC, id DESC LIMIT $4`
)

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
	err = s.db.DB.QueryRowContext(ctx, searchQuerySQL, sc.municipalityID, queryWords(query), searchEnough).
		Scan(&and, &or, &few)
	if err != nil {
		return nil, database.MapError(err, "search", "search")
	}
	conn := &SearchConnection{sc: sc, tsquery: and.String, all: and.String}
	if few.Bool {
		conn.tsquery = or.String
	}
	var rows []*searchRow
	if conn.tsquery != "" {
		if rows, err = s.searchPage(ctx, conn, page.Limit+1, after); err != nil {
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

// searchPage reads up to limit hits of the search c, after the cursor when there is one.
func (s *Service) searchPage(ctx context.Context, c *SearchConnection, limit int, after *cursorKey) (
	[]*searchRow, error,
) {
	mid := c.sc.municipalityID
	var res *sql.Rows
	var err error
	if after == nil {
		res, err = s.db.DB.QueryContext(ctx, searchPageSQL, mid, c.tsquery, c.all, limit)
	} else {
		rank, _ := strconv.ParseFloat(after.K, 64) // checked in Search
		res, err = s.db.DB.QueryContext(ctx, searchAfterSQL, mid, c.tsquery, c.all, limit, rank, after.ID)
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
