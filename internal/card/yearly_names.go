package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/database"
)

// yearlyNames are the rows of the yearly report's tables, in order. Which rows there are
// says nothing about a person: the agencies that may issue in the programme or did, the
// age bands of its ages, the providers with offers in it or leave to accept it, the
// categories of its offers, every purpose of a fee; and the anonymous cards and offers
// without a category when the programme has any.
type yearlyNames struct {
	agencies   []*Agency // the last, ID uuid.Nil, the anonymous cards when there are any
	bands      []string
	providers  []namedRow
	categories []namedRow // ID uuid.Nil: offers without a category
}

// namedRow is a provider or a category by ID and name. Dated says whether it has an offer
// of the programme with a time (an event), which may have no-shows; Approved whether a
// provider may take fees from the programme's cards now. Without either, the count is 0
// and a reader knows it (see statCell.known).
type namedRow struct {
	ID       uuid.UUID `bun:"id,type:uuid"`
	Name     string    `bun:"name"`
	Dated    bool      `bun:"dated"`
	Approved bool      `bun:"approved"`
}

// findNames finds the rows of the report, with those its statements counted.
func (q *yearlyQuery) findNames(ctx context.Context) (*yearlyNames, error) {
	db, mid, pid := q.s.db, q.c.mid(), q.p.ID
	n := &yearlyNames{}
	// SECURITY: only agencies of the request's municipality.
	err := db.NewSelect().Model(&n.agencies).
		Where("ag.municipality_id = ?", mid).
		Where(`(ag.id IN (SELECT agency_id FROM card_programme_agencies WHERE programme_id = ?)
			OR ag.id IN (SELECT agency_id FROM cards WHERE programme_id = ?))`, pid, pid).
		OrderExpr("ag.name COLLATE \"nb-x-icu\", ag.id").
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find agencies", "agency")
	}
	anonymous, err := db.NewSelect().Table("cards").
		Where("programme_id = ? AND kind = ?", pid, CardAnonymous).
		Exists(ctx)
	if err != nil {
		return nil, database.MapError(err, "find anonymous cards", "card")
	}
	present := map[string]bool{}
	for _, r := range q.holders {
		if r.Band != nil && r.Reached > 0 {
			present[*r.Band] = true
		}
	}
	for _, b := range ageBands {
		if present[b.name] || b.lo <= q.p.MaxAge && b.hi >= q.p.MinAge {
			n.bands = append(n.bands, b.name)
		}
	}
	if anonymous {
		n.agencies = append(n.agencies, &Agency{})
		n.bands = append(n.bands, anonymousBand)
	}
	if n.providers, err = q.findProviders(ctx); err != nil {
		return nil, err
	}
	n.categories, err = q.findCategories(ctx)
	return n, err
}

// findProviders returns the providers of the programme by name: with offers in it, with
// leave to accept its cards, or counted by the report.
func (q *yearlyQuery) findProviders(ctx context.Context) ([]namedRow, error) {
	var counted []uuid.UUID
	for _, r := range q.tickets {
		if r.GCategory == 1 && r.GOrg == 0 && r.OrgID != nil {
			counted = append(counted, *r.OrgID)
		}
	}
	for _, r := range q.fees {
		if r.GPurpose == 1 && r.GOrg == 0 && r.OrgID != nil {
			counted = append(counted, *r.OrgID)
		}
	}
	var rows []namedRow
	// SECURITY: only organisations of the request's municipality.
	err := q.s.db.NewSelect().TableExpr("organisations AS org").
		ColumnExpr("org.id, org.name").
		ColumnExpr(`EXISTS (SELECT 1 FROM card_offers o JOIN card_offer_programmes op ON op.offer_id = o.id
			WHERE op.programme_id = ? AND o.organisation_id = org.id AND o.event_at IS NOT NULL) AS dated`, q.p.ID).
		ColumnExpr(`EXISTS (SELECT 1 FROM card_programme_providers pp
			WHERE pp.programme_id = ? AND pp.organisation_id = org.id AND pp.status = 'APPROVED') AS approved`, q.p.ID).
		Where("org.municipality_id = ?", q.c.mid()).
		Where(`(org.id IN (SELECT o.organisation_id FROM card_offers o
				JOIN card_offer_programmes op ON op.offer_id = o.id WHERE op.programme_id = ?0)
			OR org.id IN (SELECT organisation_id FROM card_programme_providers WHERE programme_id = ?0 AND status = 'APPROVED')
			OR org.id = ANY(?1::uuid[]))`, q.p.ID, pgdialect.Array(counted)).
		OrderExpr("org.name COLLATE \"nb-x-icu\", org.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find providers", "organisation")
	}
	return rows, nil
}

// findCategories returns the activity categories of the programme's offers (and of those
// its cards' tickets are for) in the municipality's order, named in the request's locale,
// then the offers without one when there are any.
func (q *yearlyQuery) findCategories(ctx context.Context) ([]namedRow, error) {
	var counted []uuid.UUID
	none := false
	for _, r := range q.tickets {
		if r.GCategory == 0 && r.GOrg == 1 {
			if r.CategoryID == nil {
				none = true
			} else {
				counted = append(counted, *r.CategoryID)
			}
		}
	}
	var rows []namedRow
	// SECURITY: only categories of the request's municipality.
	err := q.s.db.NewSelect().TableExpr("categories AS cat").
		ColumnExpr("cat.id, coalesce(tx.name, cat.slug) AS name").
		ColumnExpr(`EXISTS (SELECT 1 FROM card_offers o JOIN card_offer_programmes op ON op.offer_id = o.id
			WHERE op.programme_id = ? AND o.category_id = cat.id AND o.event_at IS NOT NULL) AS dated`, q.p.ID).
		Join(`LEFT JOIN LATERAL (SELECT t.name FROM category_translations t WHERE t.category_id = cat.id
			ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`,
			pgdialect.Array(q.c.chain(ctx))).
		Where("cat.municipality_id = ?", q.c.mid()).
		Where(`(cat.id IN (SELECT o.category_id FROM card_offers o
				JOIN card_offer_programmes op ON op.offer_id = o.id WHERE op.programme_id = ?0)
			OR cat.id = ANY(?1::uuid[]))`, q.p.ID, pgdialect.Array(counted)).
		OrderExpr("cat.sort_order, name, cat.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find categories", "category")
	}
	var uncategorised struct {
		Any   bool `bun:"any"`
		Dated bool `bun:"dated"`
	}
	err = q.s.db.NewSelect().TableExpr("card_offers AS o").
		ColumnExpr("count(*) > 0 AS any, coalesce(bool_or(o.event_at IS NOT NULL), false) AS dated").
		Join("JOIN card_offer_programmes op ON op.offer_id = o.id").
		Where("op.programme_id = ? AND o.category_id IS NULL", q.p.ID).
		Scan(ctx, &uncategorised)
	if err != nil {
		return nil, database.MapError(err, "find offers without a category", "offer")
	}
	if none || uncategorised.Any {
		rows = append(rows, namedRow{Dated: uncategorised.Dated || none})
	}
	return rows, nil
}
