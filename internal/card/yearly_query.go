package card

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database"
)

// The statements of the yearly report. Each reads its tables once and counts every group
// of the report at the same time (GROUPING SETS, FILTER): the holders and cards, the
// tickets, the fees, and the ledger's money. Their arguments: ?0 the municipality, ?1 the
// programme, ?2 and ?3 the period's first and last instants (the last exclusive), ?4 and
// ?5 its first and last days.

// yearlyHoldersSQL counts holders by agency and by age band, and the cards: held, issued
// and used. "took" is the one place tickets and the ledger meet: a card took part when a
// ticket of it was redeemed in the period or it paid a fee in it.
const yearlyHoldersSQL = `WITH held AS (
	SELECT c.id, coalesce(c.holder_id, c.id) AS who, c.agency_id, coalesce(c.age_band, 'ANONYMOUS') AS band,
		c.issued_at
	FROM cards c
	WHERE c.municipality_id = ?0 AND c.programme_id = ?1 AND c.issued_at < ?3
		AND c.valid_from <= ?5::date AND c.valid_to >= ?4::date
), activity AS (
	SELECT t.card_id, t.status = 'REDEEMED' AND t.redeemed_at >= ?2 AND t.redeemed_at < ?3 AS took
	FROM card_tickets t JOIN held h ON h.id = t.card_id
	WHERE t.municipality_id = ?0
		AND (t.claimed_at >= ?2 AND t.claimed_at < ?3 OR t.redeemed_at >= ?2 AND t.redeemed_at < ?3)
	UNION ALL
	SELECT e.card_id, true
	FROM card_ledger_entries e JOIN card_invoices i ON i.id = e.invoice_id
	WHERE e.municipality_id = ?0 AND e.programme_id = ?1 AND e.kind = 'SPEND'
		AND e.created_at >= ?2 AND e.created_at < ?3 AND i.status <> 'REVERSED'
), per_card AS (
	SELECT h.*, a.card_id IS NOT NULL AS used, coalesce(a.took, false) AS took
	FROM held h
	LEFT JOIN (SELECT card_id, bool_or(took) AS took FROM activity GROUP BY card_id) a ON a.card_id = h.id
), per_holder AS (
	SELECT (array_agg(agency_id ORDER BY issued_at DESC, id DESC))[1] AS agency_id,
		(array_agg(band ORDER BY issued_at DESC, id DESC))[1] AS band,
		bool_or(took) AS took
	FROM per_card
	GROUP BY who
), card_counts AS (
	SELECT count(*) AS held, count(*) FILTER (WHERE issued_at >= ?2) AS issued, count(*) FILTER (WHERE used) AS used
	FROM per_card
)
SELECT grouping(h.agency_id) AS g_agency, grouping(h.band) AS g_band, h.agency_id, h.band,
	count(h.band) AS reached, count(h.band) FILTER (WHERE h.took) AS took,
	min(n.held) AS held, min(n.issued) AS issued, min(n.used) AS used
FROM card_counts n LEFT JOIN per_holder h ON true
GROUP BY GROUPING SETS ((h.agency_id), (h.band), ())`

// yearlyTicketsSQL counts the tickets of the programme's cards by category and provider.
const yearlyTicketsSQL = `SELECT grouping(o.category_id) AS g_category, grouping(o.organisation_id) AS g_org,
	o.category_id, o.organisation_id,
	count(*) FILTER (WHERE tk.claimed_at >= ?2) AS claimed,
	count(*) FILTER (WHERE tk.status = 'REDEEMED' AND tk.redeemed_at >= ?2 AND tk.redeemed_at < ?3) AS redeemed,
	count(*) FILTER (WHERE tk.status = 'EXPIRED' AND tk.expires_at >= ?2 AND tk.expires_at < ?3) AS expired,
	count(*) FILTER (WHERE tk.status = 'EXPIRED' AND tk.expires_at >= ?2 AND tk.expires_at < ?3
		AND o.event_at IS NOT NULL AND tk.expires_at >= o.event_at) AS no_shows,
	count(*) FILTER (WHERE tk.status = 'CANCELLED' AND tk.cancelled_at >= ?2 AND tk.cancelled_at < ?3) AS cancelled,
	count(*) FILTER (WHERE tk.status = 'CLAIMED' AND tk.claimed_at >= ?2) AS open,
	count(*) FILTER (WHERE tk.status = 'REDEEMED' AND tk.redeemed_at >= ?2 AND tk.redeemed_at < ?3
		AND tk.source = 'PURCHASED') AS purchased,
	coalesce(sum(tk.value_ore) FILTER (WHERE tk.status = 'REDEEMED' AND tk.redeemed_at >= ?2 AND tk.redeemed_at < ?3
		AND tk.source = 'PURCHASED'), 0) AS purchased_ore
FROM card_tickets tk
JOIN cards c ON c.id = tk.card_id
JOIN card_offers o ON o.id = tk.offer_id
WHERE tk.municipality_id = ?0 AND c.programme_id = ?1 AND tk.claimed_at < ?3
GROUP BY GROUPING SETS ((o.category_id), (o.organisation_id), ())`

// yearlyFeesSQL counts the fees paid from the programme's cards by provider and purpose.
const yearlyFeesSQL = `SELECT grouping(i.organisation_id) AS g_org, grouping(i.purpose) AS g_purpose,
	i.organisation_id, i.purpose, count(e.id) AS fees, coalesce(sum(-e.amount_ore), 0) AS ore
FROM card_ledger_entries e
JOIN card_invoices i ON i.id = e.invoice_id
WHERE e.municipality_id = ?0 AND e.programme_id = ?1 AND e.kind = 'SPEND'
	AND e.created_at >= ?2 AND e.created_at < ?3 AND i.status <> 'REVERSED'
GROUP BY GROUPING SETS ((i.organisation_id), (i.purpose), ())`

// yearlyMoneySQL sums the credits and expiries of the programme's cards in the period.
const yearlyMoneySQL = `SELECT count(*) FILTER (WHERE e.kind = 'GRANT') AS grants,
	coalesce(sum(e.amount_ore) FILTER (WHERE e.kind = 'GRANT'), 0) AS granted,
	count(*) FILTER (WHERE e.kind = 'TOP_UP') AS top_ups,
	coalesce(sum(e.amount_ore) FILTER (WHERE e.kind = 'TOP_UP'), 0) AS topped_up,
	count(*) FILTER (WHERE e.kind = 'EXPIRY') AS expiries,
	coalesce(-sum(e.amount_ore) FILTER (WHERE e.kind = 'EXPIRY'), 0) AS expired
FROM card_ledger_entries e
WHERE e.municipality_id = ?0 AND e.programme_id = ?1 AND e.kind IN ('GRANT', 'TOP_UP', 'EXPIRY')
	AND e.created_at >= ?2 AND e.created_at < ?3`

// yearlyHolderRow is a row of yearlyHoldersSQL.
type yearlyHolderRow struct {
	GAgency  int        `bun:"g_agency"`
	GBand    int        `bun:"g_band"`
	AgencyID *uuid.UUID `bun:"agency_id,type:uuid"`
	Band     *string    `bun:"band"`
	Reached  int        `bun:"reached"`
	Took     int        `bun:"took"`
	Held     int        `bun:"held"`
	Issued   int        `bun:"issued"`
	Used     int        `bun:"used"`
}

// yearlyTicketRow is a row of yearlyTicketsSQL.
type yearlyTicketRow struct {
	GCategory    int        `bun:"g_category"`
	GOrg         int        `bun:"g_org"`
	CategoryID   *uuid.UUID `bun:"category_id,type:uuid"`
	OrgID        *uuid.UUID `bun:"organisation_id,type:uuid"`
	Claimed      int        `bun:"claimed"`
	Redeemed     int        `bun:"redeemed"`
	Expired      int        `bun:"expired"`
	NoShows      int        `bun:"no_shows"`
	Cancelled    int        `bun:"cancelled"`
	Open         int        `bun:"open"`
	Purchased    int        `bun:"purchased"`
	PurchasedOre int64      `bun:"purchased_ore"`
}

// yearlyFeeRow is a row of yearlyFeesSQL.
type yearlyFeeRow struct {
	GOrg     int             `bun:"g_org"`
	GPurpose int             `bun:"g_purpose"`
	OrgID    *uuid.UUID      `bun:"organisation_id,type:uuid"`
	Purpose  *InvoicePurpose `bun:"purpose"`
	Fees     int             `bun:"fees"`
	Ore      int64           `bun:"ore"`
}

// yearlyMoneyRow is the row of yearlyMoneySQL.
type yearlyMoneyRow struct {
	Grants   int   `bun:"grants"`
	Granted  int64 `bun:"granted"`
	TopUps   int   `bun:"top_ups"`
	ToppedUp int64 `bun:"topped_up"`
	Expiries int   `bun:"expiries"`
	Expired  int64 `bun:"expired"`
}

// yearlyQuery is one yearly report being counted: its statements' rows, then its cells.
type yearlyQuery struct {
	s        *Service
	c        caller
	p        *Programme
	lo, hi   time.Time
	from, to time.Time
	tab      *statTable

	holders []*yearlyHolderRow
	tickets []*yearlyTicketRow
	fees    []*yearlyFeeRow
	money   yearlyMoneyRow
	budget  *Budget
	today   time.Time
	names   *yearlyNames
}

// run runs the report's statements.
func (q *yearlyQuery) run(ctx context.Context) error {
	db := q.s.db
	args := []any{q.c.mid(), q.p.ID, q.lo, q.hi, sqlDate(q.from), sqlDate(q.to)}
	// SECURITY: every statement is scoped to the request's municipality and the programme.
	if err := db.NewRaw(yearlyHoldersSQL, args...).Scan(ctx, &q.holders); err != nil {
		return database.MapError(err, "count holders", "card")
	}
	if err := db.NewRaw(yearlyTicketsSQL, args[:4]...).Scan(ctx, &q.tickets); err != nil {
		return database.MapError(err, "count tickets", "ticket")
	}
	if err := db.NewRaw(yearlyFeesSQL, args[:4]...).Scan(ctx, &q.fees); err != nil {
		return database.MapError(err, "count fees", "invoice")
	}
	if err := db.NewRaw(yearlyMoneySQL, args[:4]...).Scan(ctx, &q.money); err != nil {
		return database.MapError(err, "count money", "card")
	}
	q.today = q.s.today(q.c.t)
	b, err := budgetOf(ctx, db, q.p, q.today)
	if err != nil {
		return err
	}
	q.budget = b
	q.names, err = q.findNames(ctx)
	return err
}
