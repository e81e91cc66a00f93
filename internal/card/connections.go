package card

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// The card's lists are Relay connections paged by keyset (package keyset): one statement
// per page, in a stable order, and a count only when a client asks for totalCount.

// ProgrammeConnection is a page of programmes, newest first.
type ProgrammeConnection struct {
	Edges    []*ProgrammeEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// ProgrammeEdge is a programme in a page, with its cursor.
type ProgrammeEdge struct {
	Cursor string
	Node   *Programme
}

// Nodes returns the page's programmes alone.
func (c *ProgrammeConnection) Nodes() []*Programme {
	return nodes(c.Edges, func(e *ProgrammeEdge) *Programme { return e.Node })
}

// TotalCount returns how many programmes the caller may see in all.
func (c *ProgrammeConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// AgencyConnection is a page of agencies, by name.
type AgencyConnection struct {
	Edges    []*AgencyEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// AgencyEdge is an agency in a page, with its cursor.
type AgencyEdge struct {
	Cursor string
	Node   *Agency
}

// Nodes returns the page's agencies alone.
func (c *AgencyConnection) Nodes() []*Agency {
	return nodes(c.Edges, func(e *AgencyEdge) *Agency { return e.Node })
}

// TotalCount returns how many agencies the municipality has.
func (c *AgencyConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// OfferConnection is a page of offers, soonest first.
type OfferConnection struct {
	Edges    []*OfferEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// OfferEdge is an offer in a page, with its cursor.
type OfferEdge struct {
	Cursor string
	Node   *Offer
}

// Nodes returns the page's offers alone.
func (c *OfferConnection) Nodes() []*Offer {
	return nodes(c.Edges, func(e *OfferEdge) *Offer { return e.Node })
}

// TotalCount returns how many offers the caller may see match the filter.
func (c *OfferConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// CardConnection is a page of cards, newest first.
type CardConnection struct {
	Edges    []*CardEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// CardEdge is a card in a page, with its cursor.
type CardEdge struct {
	Cursor string
	Node   *Card
}

// Nodes returns the page's cards alone.
func (c *CardConnection) Nodes() []*Card {
	return nodes(c.Edges, func(e *CardEdge) *Card { return e.Node })
}

// TotalCount returns how many cards of the list there are in all.
func (c *CardConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// SettlementConnection is a page of a settlement's providers, by name.
type SettlementConnection struct {
	Edges    []*SettlementEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// SettlementEdge is a provider's settlement in a page, with its cursor.
type SettlementEdge struct {
	Cursor string
	Node   *ProviderSettlement
}

// Nodes returns the page's settlements alone.
func (c *SettlementConnection) Nodes() []*ProviderSettlement {
	return nodes(c.Edges, func(e *SettlementEdge) *ProviderSettlement { return e.Node })
}

// TotalCount returns how many providers the settlement has.
func (c *SettlementConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

func nodes[E, T any](edges []E, node func(E) T) []T {
	out := make([]T, len(edges))
	for i, e := range edges {
		out[i] = node(e)
	}
	return out
}

// Keyset orders of the card's lists; each cursor names its order.
var (
	programmeSort = keyset.Spec{Order: "PROGRAMME", Expr: "p.valid_from", Cast: "date", Desc: true, IDCol: "p.id"}
	agencySort    = keyset.Spec{Order: "AGENCY", Expr: `(ag.name COLLATE "nb-x-icu")`, Cast: `text COLLATE "nb-x-icu"`,
		IDCol: "ag.id"}
	offerSort      = keyset.Spec{Order: "OFFER", Expr: "o.valid_from", Cast: "timestamptz", IDCol: "o.id"}
	cardSort       = keyset.Spec{Order: "CARD", Expr: "c.issued_at", Cast: "timestamptz", Desc: true, IDCol: "c.id"}
	settlementSort = keyset.Spec{Order: "SETTLEMENT", Expr: "s.name", Cast: "text", IDCol: "s.organisation_id"}
)

// Rows as a page scans them: the domain value and its sort value (keyset.Spec.Apply's
// "sort_key").
type (
	programmeRow struct {
		Programme `bun:",extend"`
		SortKey   string `bun:"sort_key,scanonly"`
	}
	agencyRow struct {
		Agency  `bun:",extend"`
		SortKey string `bun:"sort_key,scanonly"`
	}
	offerRow struct {
		Offer   `bun:",extend"`
		SortKey string `bun:"sort_key,scanonly"`
	}
	settlementRow struct {
		ProviderSettlement
		SortKey string `bun:"sort_key,scanonly"`
	}
)

func (r *programmeRow) key() (string, uuid.UUID)  { return r.SortKey, r.ID }
func (r *agencyRow) key() (string, uuid.UUID)     { return r.SortKey, r.ID }
func (r *offerRow) key() (string, uuid.UUID)      { return r.SortKey, r.ID }
func (r *cardRow) key() (string, uuid.UUID)       { return r.SortKey, r.ID }
func (r *settlementRow) key() (string, uuid.UUID) { return r.SortKey, r.OrganisationID }
