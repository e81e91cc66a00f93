package portal

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// VenueConnection is a page of venues.
type VenueConnection struct {
	Edges    []*VenueEdge
	PageInfo *relay.PageInfo

	sc scope
}

// VenueEdge is a venue in a page, with its cursor.
type VenueEdge struct {
	Cursor string
	Node   *Venue
}

type venueRow struct {
	Venue   `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *venueRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

var venueSort = sortSpec{order: OrderName, expr: `(v.name COLLATE "nb-x-icu")`, cast: `text COLLATE "nb-x-icu"`, idCol: "v.id"}

// FindVenues returns a page of the municipality's venues by name. Venues are public places.
// Errors: BAD_USER_INPUT for a bad cursor.
func (s *Service) FindVenues(ctx context.Context, page relay.Page) (*VenueConnection, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the request's municipality only.
	var rows []*venueRow
	q, err := venueSort.apply(s.reader(ctx).NewSelect().Model(&rows).ColumnExpr("v.*").Where("v.municipality_id = ? AND v.archived_at IS NULL", sc.municipalityID), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find venues", "venue")
	}
	rows, cursors, info := pageOf(rows, OrderName, page)
	conn := &VenueConnection{PageInfo: info, sc: sc}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &VenueEdge{Cursor: cursors[i], Node: &r.Venue})
	}
	return conn, nil
}

// CountVenues returns how many venues the municipality has.
func (s *Service) CountVenues(ctx context.Context, c *VenueConnection) (int, error) {
	n, err := s.reader(ctx).NewSelect().Model((*Venue)(nil)).Where("v.municipality_id = ? AND v.archived_at IS NULL", c.sc.municipalityID).Count(ctx)
	return int(n), database.MapError(err, "count venues", "venue")
}

// NeighbourhoodConnection is a page of neighbourhoods.
type NeighbourhoodConnection struct {
	Edges    []*NeighbourhoodEdge
	PageInfo *relay.PageInfo
	total    int
}

// NeighbourhoodEdge is a neighbourhood in a page, with its cursor.
type NeighbourhoodEdge struct {
	Cursor string
	Node   *Neighbourhood
}

// TotalCount returns how many neighbourhoods there are in all.
func (c *NeighbourhoodConnection) TotalCount() int { return c.total }

// NeighbourhoodPage returns a page of the set in display order, forward or backward; the
// cursor is the slug. Errors: BAD_USER_INPUT naming "after" or "before" for a cursor that
// names no neighbourhood.
func NeighbourhoodPage(set *Neighbourhoods, page relay.Page) (*NeighbourhoodConnection, error) {
	start, end := 0, len(set.List)
	var err error
	if page.After != "" {
		if start, err = set.position(page.After, "after"); err != nil {
			return nil, err
		}
		start++
	}
	if page.Before != "" {
		if end, err = set.position(page.Before, "before"); err != nil {
			return nil, err
		}
	}
	end = max(end, start)
	if page.Backward {
		start = max(start, end-page.Limit)
	} else {
		end = min(end, start+page.Limit)
	}
	conn := &NeighbourhoodConnection{total: len(set.List), PageInfo: &relay.PageInfo{
		HasNextPage:     end < len(set.List),
		HasPreviousPage: start > 0,
	}}
	for _, n := range set.List[start:end] {
		c := relay.EncodeCursor(n.Slug)
		conn.Edges = append(conn.Edges, &NeighbourhoodEdge{Cursor: c, Node: n})
	}
	if len(conn.Edges) > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[len(conn.Edges)-1].Cursor
	}
	return conn, nil
}

// position returns the index in the list of the neighbourhood a cursor names. Errors:
// BAD_USER_INPUT naming field.
func (ns *Neighbourhoods) position(cursor, field string) (int, error) {
	var slug string
	if err := relay.DecodeCursor(cursor, field, &slug); err != nil {
		return 0, err
	}
	n, err := ns.BySlug(slug)
	if err != nil {
		return 0, apperr.Invalid(field, "InvalidCursor", nil)
	}
	return slices.Index(ns.List, n), nil
}
