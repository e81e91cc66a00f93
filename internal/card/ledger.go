package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// balanceSQL is the money a card (?1) may spend on day ?0: the sum of its entries, less
// what has expired and is not yet written off.
var balanceSQL = `SELECT coalesce(sum(e.amount_ore), 0) - ` + pendingExpiry("e", "?0::date") + `
FROM card_ledger_entries e WHERE e.card_id = ?1`

// balanceOf returns the money card cardID may spend on day today.
func balanceOf(ctx context.Context, db bun.IDB, cardID uuid.UUID, today time.Time) (int64, error) {
	var ore int64
	if err := db.NewRaw(balanceSQL, sqlDate(today), cardID).Scan(ctx, &ore); err != nil {
		return 0, database.MapError(err, "count balance", "card")
	}
	return ore, nil
}

// CardBalance returns the money a card may spend today, in øre, to whoever may see what it
// may claim: its holder (access as in ClaimTicket, or signed in with ID-porten as the
// holder or a guardian), card coordinators, and caseworkers of the agency that issued it.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) CardBalance(ctx context.Context, cardID uuid.UUID, access *CardAccess) (int64, error) {
	c, err := current(ctx)
	if err != nil {
		return 0, err
	}
	// SECURITY: those who see what the card may claim see what it may spend.
	if err := s.seesClaimable(ctx, c, cardID, access); err != nil {
		return 0, err
	}
	return balanceOf(ctx, s.db, cardID, s.today(c.t))
}

// balancesSQL is the money each card of municipality ?2 among ?1 (of agency ?3, when not
// null) may spend on day ?0, as balanceSQL counts it; a card without entries has none.
var balancesSQL = `SELECT c.id, coalesce((SELECT sum(e.amount_ore) - ` + pendingExpiry("e", "?0::date") + `
	FROM card_ledger_entries e WHERE e.card_id = c.id), 0) AS ore
FROM cards c WHERE c.id = ANY(?1::uuid[]) AND c.municipality_id = ?2 AND (?3::uuid IS NULL OR c.agency_id = ?3)`

// CardBalancesOfCards returns the balances of cards listed for staff, in one statement (see
// CardBalance): card coordinators for every card of the municipality, caseworkers for the
// cards of their own agency; the others are missing from the map. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func (s *Service) CardBalancesOfCards(ctx context.Context, cardIDs []uuid.UUID) (map[uuid.UUID]int64, error) {
	// SECURITY: the staff who see what cards may claim (as ClaimableOffersOfCards).
	c, agencyID, err := s.cardStaff(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID  uuid.UUID `bun:"id"`
		Ore int64     `bun:"ore"`
	}
	err = s.db.NewRaw(balancesSQL, sqlDate(s.today(c.t)), pgdialect.Array(cardIDs), c.mid(), agencyID).Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "count balances", "card")
	}
	out := make(map[uuid.UUID]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Ore
	}
	return out, nil
}

// LedgerConnection is a page of a card's ledger, newest first.
type LedgerConnection struct {
	Edges    []*LedgerEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// LedgerEdge is a ledger entry in a page, with its cursor.
type LedgerEdge struct {
	Cursor string
	Node   *LedgerEntry
}

// Nodes returns the page's entries alone.
func (c *LedgerConnection) Nodes() []*LedgerEntry {
	return nodes(c.Edges, func(e *LedgerEdge) *LedgerEntry { return e.Node })
}

// TotalCount returns how many entries the card's ledger has.
func (c *LedgerConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

var ledgerSort = keyset.Spec{Order: "LEDGER", Expr: "le.created_at", Cast: "timestamptz", Desc: true, IDCol: "le.id"}

type ledgerRow struct {
	LedgerEntry `bun:",extend"`
	SortKey     string `bun:"sort_key,scanonly"`
}

func (r *ledgerRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// CardLedger returns a page of a card's ledger, newest first, to whoever may see its
// balance (see CardBalance). Errors: as CardBalance, and BAD_USER_INPUT naming "after" or
// "before" for a cursor of another list.
func (s *Service) CardLedger(ctx context.Context, cardID uuid.UUID, access *CardAccess, page relay.Page) (
	*LedgerConnection, error,
) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: those who see what the card may claim see its ledger.
	if err := s.seesClaimable(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	// SECURITY: only entries of the request's municipality.
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*LedgerEntry)(nil)).Where("le.card_id = ? AND le.municipality_id = ?", cardID, c.mid())
	}
	var rows []*ledgerRow
	q, err := ledgerSort.Apply(base().ColumnExpr("le.*"), page)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find ledger", "card")
	}
	rows, cursors, info := keyset.Paginate(rows, (*ledgerRow).key, ledgerSort.Order, page)
	conn := &LedgerConnection{PageInfo: info, count: keyset.CountOf(base(), "ledger entry")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &LedgerEdge{Cursor: cursors[i], Node: &r.LedgerEntry})
	}
	return conn, nil
}

// TopUpInput tops a card up: AmountOre (1 øre to 100,000 kroner) with the coordinator's
// written Reason, usable until the card's last valid day. Beyond the programme's budget it
// needs OverrideReason, a written reason kept in the audit log.
type TopUpInput struct {
	CardID         uuid.UUID
	AmountOre      int64
	Reason         string
	OverrideReason string
}

// TopUpCard puts money on one card (card coordinators and administrators), as a TOP_UP
// entry of its ledger. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CARD_EXPIRED or
// CARD_NOT_ACTIVE naming "cardId" (revoked, or not valid yet), BAD_USER_INPUT naming
// "input.amountOre" (reason NOT_POSITIVE, TOO_LARGE, or OVER_BUDGET with no override),
// "input.reason" (REQUIRED, TOO_LONG) or "input.overrideReason" (too short).
func (s *Service) TopUpCard(ctx context.Context, in TopUpInput) (*LedgerEntry, error) {
	// SECURITY: the programme's staff put money on cards.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := checkAmount(in.AmountOre, "input.amountOre"); err != nil {
		return nil, err
	}
	reason, err := checkReason(in.Reason, "input.reason", true)
	if err != nil {
		return nil, err
	}
	override, err := checkReason(in.OverrideReason, "input.overrideReason", false)
	if err != nil {
		return nil, err
	}
	today := s.today(c.t)
	e := &LedgerEntry{ID: newID(), MunicipalityID: c.mid(), CardID: in.CardID, Kind: LedgerTopUp, AmountOre: in.AmountOre,
		ActorID: c.actor(), Note: reason, CreatedAt: s.now()}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		card := new(Card)
		// SECURITY: only a card of the request's municipality.
		err := tx.NewSelect().Model(card).Where("c.id = ? AND c.municipality_id = ?", in.CardID, c.mid()).Scan(ctx)
		if err != nil {
			return database.MapError(err, "find card", "card")
		}
		if card.Status != CardSuspended {
			if err := cardUsable(card, today); err != nil {
				return err
			}
		}
		// The programme first: credits to its cards take turns, so the budget counts each.
		p, err := lockProgramme(ctx, tx, c.mid(), card.ProgrammeID)
		if err != nil {
			return err
		}
		overridden, err := s.withinBudget(ctx, tx, p, in.AmountOre, today, "input.", deref(override))
		if err != nil {
			return err
		}
		useBy := card.ValidTo
		e.ProgrammeID, e.UseBy = p.ID, &useBy
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return database.MapError(err, "top up card", "card")
		}
		entry := &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "top_up_card", ItemType: "Card",
			ItemID: &card.ID, Fields: []string{"balance", "reason"}}
		if overridden {
			entry.Fields, entry.Note = append(entry.Fields, "override:OVER_BUDGET"), override
		}
		if err := audit.Append(ctx, tx, entry); err != nil {
			return err
		}
		if err := s.NotifyRefill(ctx, tx, c.mid(), card.ID, in.AmountOre); err != nil {
			return err
		}
		return s.warnOfBudget(ctx, tx, p, today)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// grantCards gives each usable card of programme p (locked by tx), oldest first, that has
// no grant for the period today falls in, the programme's grant, as far as the budget
// allows; only the cards ids, when given. It returns how many cards were granted, and how
// many the budget held back.
func (s *Service) grantCards(ctx context.Context, tx bun.IDB, p *Programme, today time.Time, ids []uuid.UUID) (
	granted, held int, err error,
) {
	if p.GrantPeriod == nil || p.GrantOre == 0 || p.Status != ProgrammeActive ||
		today.Before(p.ValidFrom) || today.After(p.ValidTo) {
		return 0, 0, nil
	}
	period, last := periodOf(*p.GrantPeriod, today)
	useBy := last.AddDate(0, 0, p.GrantGraceDays)
	candidates := func() *bun.SelectQuery {
		q := tx.NewSelect().TableExpr("cards AS c").
			Where("c.programme_id = ? AND c.status IN ('ACTIVE', 'SUSPENDED')", p.ID).
			Where("c.valid_from <= ? AND c.valid_to >= ?", sqlDate(today), sqlDate(today)).
			Where(`NOT EXISTS (SELECT 1 FROM card_ledger_entries g
				WHERE g.card_id = c.id AND g.kind = 'GRANT' AND g.period = ?)`, period)
		if ids != nil {
			q = q.Where("c.id IN (?)", bun.In(ids))
		}
		return q
	}
	count, err := candidates().Count(ctx)
	n := int(count)
	if err != nil || n == 0 {
		return 0, 0, database.MapError(err, "find cards to grant", "card")
	}
	limit := int64(n)
	if p.BudgetOre > 0 {
		b, err := budgetOf(ctx, tx, p, today)
		if err != nil {
			return 0, 0, err
		}
		limit = min(int64(n), max(b.LeftOre(), 0)/p.GrantOre)
	}
	if limit == 0 {
		return 0, n, nil
	}
	var grants []uuid.UUID
	err = tx.NewRaw(`INSERT INTO card_ledger_entries (municipality_id, card_id, programme_id, kind, amount_ore,
		period, use_by, created_at)
		SELECT c.municipality_id, c.id, c.programme_id, 'GRANT', ?, ?, ?, ? FROM (?) AS c
		ON CONFLICT (card_id, period) WHERE kind = 'GRANT' DO NOTHING RETURNING card_id`,
		p.GrantOre, period, sqlDate(useBy), s.now(),
		candidates().Column("c.municipality_id", "c.id", "c.programme_id").OrderExpr("c.issued_at, c.id").Limit(limit)).
		Scan(ctx, &grants)
	if err != nil {
		return 0, 0, database.MapError(err, "grant cards", "card")
	}
	if err := s.notifyRefills(ctx, tx, p.MunicipalityID, grants, p.GrantOre); err != nil {
		return 0, 0, err
	}
	return len(grants), n - len(grants), nil
}

// notifyRefills tells the holders of cards ids, who were each given amountOre, of it: all
// of them through Push, by e-mail or text message those who asked to hear of refills.
func (s *Service) notifyRefills(ctx context.Context, tx bun.IDB, municipalityID uuid.UUID, ids []uuid.UUID,
	amountOre int64,
) error {
	if len(ids) == 0 {
		return nil
	}
	if s.Push == nil {
		// Only those who asked need the notice's work.
		var asked []uuid.UUID
		err := tx.NewSelect().Table("card_notice_contacts").Column("card_id").
			Where("card_id IN (?) AND confirmed_at IS NOT NULL AND ? = ANY(notices)", bun.In(ids), NoticeRefill).
			Scan(ctx, &asked)
		if err != nil {
			return database.MapError(err, "find refill notices", "card")
		}
		ids = asked
	}
	for _, id := range ids {
		if err := s.NotifyRefill(ctx, tx, municipalityID, id, amountOre); err != nil {
			return err
		}
	}
	return nil
}
