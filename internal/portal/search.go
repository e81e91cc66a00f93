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
	Kind string    `bun:"kind"` // Organisation, Activity, Neighbourhood, Page, Article or Event
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

// SearchEdge is a search result in a page; its cursor is made when it is asked for.
type SearchEdge struct {
	edgeCursor
	Rank float64
	Hit  SearchHit
}

type searchRow struct {
	SearchHit
	SortKey string `bun:"sort_key"`
}

func (r *searchRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// searchPageSQL is one page of a search, in one statement. fritid_search_query (see the
// migrations) turns the words ($2) into tsqueries with the municipality's ($1) dictionary:
// every word and'ed, and whether that finds fewer than $3 items, in which case the page is
// of the items with any of the words. The candidates come from the index on search_items
// alone and are ranked on their small head vectors: an item whose title or name alone has
// every word comes first, and when some words are enough, the items with every word come
// before those with some. $4 is the page size plus one; searchAfterSQL continues after the
// cursor's rank ($5) and ID ($6). Each row has the query's tsqueries as text (for counting
// later) and a hit; a query that finds nothing gives one row without a hit. Whether some
// words are enough (q.some) is decided once: comparing the two tsqueries for every candidate
// cost as much as ranking it.
const (
	searchPageSQL  = searchSQLHead + `ORDER BY rank DESC, id DESC LIMIT $4) r ON true`
	searchAfterSQL = searchSQLHead + `WHERE (rank, id) < ($5::float8, $6::uuid)
  ORDER BY rank DESC, id DESC LIMIT $4) r ON true`
	searchSQLHead = `
SELECT q.m::text, q.a::text, r.kind, r.id, r.rank, r.rank::text FROM (
  SELECT all_words AS a, CASE WHEN few THEN any_word ELSE all_words END AS m, few AND any_word <> all_words AS some
  FROM fritid_search_query($1, $2, $3)) q
LEFT JOIN LATERAL (
  SELECT kind, id, rank FROM (
    SELECT kind, id, max((ts_rank(head, q.m) + CASE WHEN title @@ q.a THEN 1 ELSE 0 END +
      CASE WHEN q.some AND matches @@ q.a THEN 2 ELSE 0 END)::float8) AS rank
    FROM (` + searchItemsHereSQL + `) si WHERE matches @@ q.m AND ` + searchPublicSQL + `
    GROUP BY kind, id) x
  `
	// searchPublicSQL keeps to the rows public now: the catalogue's always, a language of a
	// page or article from its publication until it is unpublished, an event until it ends
	// (of a series, the next occurrence only: see migration 0029).
	searchPublicSQL = `(published_from IS NULL OR (published_from <= now() AND
      (published_until IS NULL OR published_until > now())))`
)

// searchEnough is how many items every word must find for the search to keep to them.
const searchEnough = 20

const searchCountSQL = `SELECT count(*) FROM (SELECT DISTINCT kind, id FROM (` + searchItemsHereSQL + `) si
  WHERE matches @@ $2::tsquery AND ` + searchPublicSQL + `) x`

// searchItemsHereSQL is the search index of municipality $1: its own items, and the
// organisations, activities, events and articles of the providers of other
// municipalities it has accepted (through fritid_served_organisations,
// fritid_served_activities, fritid_served_events and fritid_served_articles, migrations
// 0049 and 0051: accepted and published only; an article's rows are public while its
// language is). The conditions on it are pushed into every branch.
const searchItemsHereSQL = searchItemsOwnSQL + `
  UNION ALL ` + searchItemsSQL + `
    WHERE kind = 'Organisation' AND id IN (SELECT fritid_served_organisations($1))
  UNION ALL ` + searchItemsSQL + `
    WHERE kind = 'Activity' AND id IN (SELECT fritid_served_activities($1))
  UNION ALL ` + searchItemsSQL + `
    WHERE kind = 'Event' AND id IN (SELECT fritid_served_events($1))
  UNION ALL ` + searchItemsSQL + `
    WHERE kind = 'Article' AND id IN (SELECT fritid_served_articles($1))`

// searchItemsOwnSQL is the search index of municipality $1 alone: the statements of a
// municipality without accepted providers of other municipalities skip the served
// functions (about half a millisecond each).
const searchItemsOwnSQL = searchItemsSQL + `
    WHERE municipality_id = $1`

// searchItemsSQL reads what a search needs of its index.
const searchItemsSQL = `SELECT kind, id, matches, head, title, published_from, published_until FROM search_items`

// searchStatements are the search's statements: [0] for a municipality without accepted
// providers, [1] with them. Each is a constant text, planned once per connection.
var searchStatements = func() (out [2]struct{ page, after, count string }) {
	for i, items := range []string{searchItemsOwnSQL, searchItemsHereSQL} {
		own := func(q string) string { return strings.Replace(q, searchItemsHereSQL, items, 1) }
		out[i].page, out[i].after, out[i].count = own(searchPageSQL), own(searchAfterSQL), own(searchCountSQL)
	}
	return out
}()

// statements returns the search statements for the connection's municipality.
func (c *SearchConnection) statements() struct{ page, after, count string } {
	if c.sc.homesKnown && len(c.sc.homes) == 0 {
		return searchStatements[0]
	}
	return searchStatements[1]
}

// Search returns one ranked list across published organisations, activities,
// neighbourhoods, pages, articles and events, best first (a page or article by the
// languages public now, each found once; an event until it ends, of a series the next
// occurrence only). Errors: BAD_USER_INPUT naming "query" when it is empty or
// longer than MaxQueryLength, or a bad cursor.
//
// The statements are constant texts with bind parameters, so that each connection plans
// them once (pgx keeps them prepared).
func (s *Service) Search(ctx context.Context, query string, page relay.Page) (*SearchConnection, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	if sc, err = s.withHomes(ctx, sc); err != nil {
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
	// neighbourhoods, which are public), the published or scheduled languages of pages and
	// articles, and the published events of the municipality and of published
	// organisations, which every statement keeps to those public now (searchPublicSQL);
	// every statement is scoped to the municipality and the providers it has accepted
	// (searchItemsHereSQL).
	conn := &SearchConnection{sc: sc}
	rows, err := s.searchPage(ctx, conn, queryWords(query), page.Limit+1, after)
	if err != nil {
		return nil, err
	}
	rows, info := windowOf(rows, OrderRelevance, page)
	conn.PageInfo = info
	for _, r := range rows {
		conn.Edges = append(conn.Edges, &SearchEdge{edgeCursor: edgeCursor{OrderRelevance, r.SortKey, r.ID}, Rank: r.Rank,
			Hit: r.SearchHit})
	}
	return conn, nil
}

// searchPage reads up to limit hits of the words, after the cursor when there is one, and
// keeps the tsqueries they make in c.
func (s *Service) searchPage(ctx context.Context, c *SearchConnection, words []string, limit int, after *cursorKey) (
	[]*searchRow, error,
) {
	mid := c.sc.municipalityID
	var res *sql.Rows
	var err error
	if after == nil {
		res, err = s.reader(ctx).DB.QueryContext(ctx, c.statements().page, mid, words, searchEnough, limit)
	} else {
		rank, _ := strconv.ParseFloat(after.K, 64) // checked in Search
		res, err = s.reader(ctx).DB.QueryContext(ctx, c.statements().after, mid, words, searchEnough, limit, rank,
			after.ID)
	}
	if err != nil {
		return nil, database.MapError(err, "search", "search")
	}
	defer res.Close()
	rows := make([]*searchRow, 0, limit)
	for res.Next() {
		var tq, all, kind, key sql.NullString
		var id uuid.NullUUID
		var rank sql.NullFloat64
		if err := res.Scan(&tq, &all, &kind, &id, &rank, &key); err != nil {
			return nil, database.MapError(err, "search", "search")
		}
		c.tsquery, c.all = tq.String, all.String
		if kind.Valid {
			rows = append(rows, &searchRow{SearchHit: SearchHit{Kind: kind.String, ID: id.UUID, Rank: rank.Float64},
				SortKey: key.String})
		}
	}
	return rows, database.MapError(res.Err(), "search", "search")
}

// CountSearch returns how many items the search matches in all.
func (s *Service) CountSearch(ctx context.Context, c *SearchConnection) (int, error) {
	if c.tsquery == "" {
		return 0, nil
	}
	var n int
	err := s.reader(ctx).DB.QueryRowContext(ctx, c.statements().count, c.sc.municipalityID, c.tsquery).Scan(&n)
	return n, database.MapError(err, "count search", "search")
}

// asField renames the field of a BAD_USER_INPUT error.
func asField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.BadUserInput {
		return e.WithField(field)
	}
	return err
}
