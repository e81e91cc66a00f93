package card

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/relay"
)

// TicketStatus is where a ticket is in its life: CLAIMED until it is redeemed at the door,
// cancelled (its stock returns to the offer) or expires unused (its stock does not).
type TicketStatus string

// The ticket statuses; all but CLAIMED are final.
const (
	TicketClaimed   TicketStatus = "CLAIMED"
	TicketRedeemed  TicketStatus = "REDEEMED"
	TicketCancelled TicketStatus = "CANCELLED"
	TicketExpired   TicketStatus = "EXPIRED"
)

// Ticket is one claim on an offer by a card. Code is canonical (see FormattedCode); ValueOre
// and Source are the offer's when the ticket was taken, so the settlement with the provider
// does not move when the offer changes later. AllocatedBy is the caseworker or coordinator
// who allocated it for the holder (nil when the holder claimed it).
type Ticket struct {
	bun.BaseModel `bun:"table:card_tickets,alias:tk"`

	ID             uuid.UUID    `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID    `bun:"municipality_id,type:uuid"`
	CardID         uuid.UUID    `bun:"card_id,type:uuid"`
	OfferID        uuid.UUID    `bun:"offer_id,type:uuid"`
	Code           string       `bun:"code"`
	Admits         int          `bun:"admits"`
	Status         TicketStatus `bun:"status"`
	ClaimedAt      time.Time    `bun:"claimed_at"`
	AllocatedBy    *uuid.UUID   `bun:"allocated_by,type:uuid"`
	ExpiresAt      time.Time    `bun:"expires_at"`
	RedeemedAt     *time.Time   `bun:"redeemed_at"`
	RedeemedBy     *uuid.UUID   `bun:"redeemed_by,type:uuid"`
	CancelledAt    *time.Time   `bun:"cancelled_at"`
	ValueOre       int64        `bun:"value_ore"`
	Source         OfferSource  `bun:"source"`
	// StockSlot is the offer's stock slot the ticket was taken from; a cancelled ticket
	// returns its unit there.
	StockSlot int16 `bun:"stock_slot"`
	// EventSignupID is the event sign-up whose card place the ticket holds (see
	// ClaimTicketForPlace); nil for other tickets, and once the sign-up is erased.
	EventSignupID *uuid.UUID `bun:"event_signup_id,type:uuid"`
	// RemindedAt is when the holder was reminded that the ticket expires soon; nil: not yet.
	RemindedAt *time.Time `bun:"reminded_at"`

	// Payload is the text of the ticket's QR code (see TicketPayload); set on the tickets
	// the service returns.
	Payload string `bun:"-"`
}

// GlobalID returns the ticket's global ID.
func (t *Ticket) GlobalID() string { return relay.GlobalID("CardTicket", t.ID) }

// FormattedCode returns the door code as printed and typed: groups of four, e.g.
// "K7QF-3MZD-X2".
func (t *Ticket) FormattedCode() string { return code.Format(t.Code) }

// PayloadScheme starts every ticket QR payload; it names the payload's version.
const PayloadScheme = "FRITID1"

// TicketPayload returns the QR payload of a ticket with the canonical code in the
// municipality with slug: "FRITID1:<slug>:<code>". CheckTicket and RedeemTicket accept it
// as well as the code alone.
func TicketPayload(slug, canonical string) string {
	return PayloadScheme + ":" + slug + ":" + canonical
}

// CardAccess is how the holder of an anonymous card proves they hold it: its number (in any
// spelling) and PIN, checked and throttled as CardByNumber does. A resident signed in with
// ID-porten passes no CardAccess: their identity says which cards they and their children
// hold.
type CardAccess struct {
	Number string
	PIN    string
}

// ClaimTicket takes one ticket of an offer for a card the caller holds: with access for an
// anonymous card, or as a resident signed in with ID-porten who holds the card or is a
// guardian of its holder. The checks, in order, each refuse with its own code and the
// field named: CARD_NOT_ACTIVE ("cardId"; reason SUSPENDED, REVOKED or NOT_YET_VALID),
// CARD_EXPIRED ("cardId"), OFFER_NOT_AVAILABLE ("offerId"; reason PAUSED, DRAFT, ENDED,
// NOT_YET_OPEN or CLOSED), OFFER_NOT_IN_PROGRAMME ("offerId"), NOT_ELIGIBLE ("offerId": the
// holder's age is outside the offer's range; anonymous cards have no age), LIMIT_REACHED
// ("offerId"), ALLOWANCE_USED ("cardId") and SOLD_OUT ("offerId": no released ticket is
// left). Stock is taken atomically, so concurrent claims never take more than is
// released. Other errors: UNAUTHENTICATED, FORBIDDEN (signed in without an identity
// number), NOT_FOUND (no such card or offer here, or a card the caller does not hold),
// RATE_LIMITED (too many wrong PINs).
func (s *Service) ClaimTicket(ctx context.Context, cardID, offerID uuid.UUID, access *CardAccess) (*Ticket, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	return s.claimAsHolder(ctx, c, cardID, offerID, access, nil)
}

// claimAsHolder is ClaimTicket, with place (nil: none) taken in the claim's transaction.
func (s *Service) claimAsHolder(ctx context.Context, c caller, cardID, offerID uuid.UUID, access *CardAccess,
	place TakePlace,
) (*Ticket, error) {
	var a *cardAttempt
	var err error
	if access != nil {
		// SECURITY: only the holder of the card claims with it: its number and PIN, checked
		// and throttled as CardByNumber does, first thing in the claim's transaction
		// (claimSubjects).
		if a, err = s.newCardAttempt(ctx, c, access.Number, access.PIN); err != nil {
			return nil, err
		}
	} else if err := s.holdsCard(ctx, c, cardID, nil); err != nil {
		// SECURITY: only the holder of the card claims with it.
		return nil, err
	}
	t, err := s.claim(ctx, func(ctx context.Context) (*Ticket, error) {
		return s.runClaim(ctx, func(ctx context.Context, tx bun.Tx) (*Ticket, error) {
			t, err := s.takeTicket(ctx, tx, c, cardID, offerID, nil, a)
			if err != nil {
				return nil, err
			}
			return t, s.holdPlace(ctx, tx, c, t, place)
		})
	})
	if err != nil {
		return nil, s.failed(ctx, a, err) // a wrong PIN is audited once the claim has rolled back
	}
	if a != nil {
		a.release()
	}
	return t, nil
}

// AllocateTicket takes a ticket of an offer for a card on the holder's behalf, for
// families without a phone: a CASEWORKER of the agency that issued the card, or a
// CARD_COORDINATOR. The ticket records who allocated it; print it with its code or
// payload. Checks and errors: as ClaimTicket, except that the card need not be held by the
// caller; NOT_FOUND also for a card another agency issued.
func (s *Service) AllocateTicket(ctx context.Context, cardID, offerID uuid.UUID) (*Ticket, error) {
	// SECURITY: caseworkers and card coordinators allocate tickets.
	c, err := requireRole(ctx, auth.RoleCaseworker, auth.RoleCardCoordinator)
	if err != nil {
		return nil, err
	}
	return s.allocate(ctx, c, cardID, offerID, nil)
}

// allocate is AllocateTicket for an allocator c, with place (nil: none) taken in the
// claim's transaction.
func (s *Service) allocate(ctx context.Context, c caller, cardID, offerID uuid.UUID, place TakePlace) (*Ticket, error) {
	return s.claim(ctx, func(ctx context.Context) (*Ticket, error) {
		return s.runClaim(ctx, func(ctx context.Context, tx bun.Tx) (*Ticket, error) {
			// SECURITY: a caseworker only for a card of their own agency (manageableCard).
			if err := s.manageableCard(ctx, tx, c, cardID, new(Card)); err != nil {
				return nil, err
			}
			t, err := s.takeTicket(ctx, tx, c, cardID, offerID, c.actor(), nil)
			if err != nil {
				return nil, err
			}
			return t, s.holdPlace(ctx, tx, c, t, place)
		})
	})
}

// holdsCard returns nil when the caller holds the card: access opens it, or the signed-in
// resident's identity number is that of its holder or of a guardian of its holder.
// Errors: UNAUTHENTICATED, FORBIDDEN (no identity number), NOT_FOUND, RATE_LIMITED.
func (s *Service) holdsCard(ctx context.Context, c caller, cardID uuid.UUID, access *CardAccess) error {
	if access != nil {
		// SECURITY: number and PIN, checked and throttled by CardByNumber.
		card, err := s.CardByNumber(ctx, access.Number, access.PIN)
		if err != nil {
			return err
		}
		if card.ID != cardID {
			return apperr.NotFoundf("card")
		}
		return nil
	}
	if c.v == nil {
		return apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: the identity number comes only from a verified ID token, never from input.
	var number string
	if c.v.Identity != nil && s.opt.IdentityNumber != nil {
		number = s.opt.IdentityNumber(c.v.Identity)
	}
	n, err := identity.Parse(number, "identity")
	if err != nil {
		return apperr.New(apperr.Forbidden, "CardIdentityRequired")
	}
	key := s.identityKey(c.mid(), n)
	// SECURITY: the resident's own card or a card of a child they are a guardian of.
	ok, err := s.db.NewSelect().Table("cards").TableExpr("card_persons AS h").
		Where("cards.id = ? AND cards.municipality_id = ? AND h.id = cards.holder_id", cardID, c.mid()).
		Where(`(h.identity_key = ? OR EXISTS (SELECT 1 FROM card_guardianships gs JOIN card_persons g ON g.id = gs.guardian_id
			WHERE gs.child_id = h.id AND g.municipality_id = ? AND g.identity_key = ?))`, key, c.mid(), key).Exists(ctx)
	if err != nil {
		return database.MapError(err, "find held card", "card")
	}
	if !ok {
		return apperr.NotFoundf("card")
	}
	return nil
}

// A claim is four round trips, each statement with bind parameters so PostgreSQL plans it
// once per connection: BEGIN, claimSubjectsSQL (the card locked, the offer; with an
// anonymous card's number and PIN, claimSubjectsByNumberSQL, which checks them first),
// takeStockSQL (the limits counted, a unit of stock taken, the ticket and its audit entry
// written) and COMMIT. A claim by number and PIN has two more, outside the transaction:
// the attempt recorded against the number before (newCardAttempt) and taken back after.

// claimSubjectsSQL locks the card ($1, of municipality $3) so that one card's claims run
// one at a time (the per-card limit and the allowance count right), and reads it with its
// holder's birth date and the offer ($2) as a claim checks them, in one round trip.
var claimSubjectsSQL = claimSubjectsReplacer("$1", "$2", "$3").Replace(`SELECT ` + claimSubjectColumns + `
FROM ` + claimCardSQL + ` AS c
LEFT JOIN card_offers o ON o.id = {offer} AND o.municipality_id = {mid}`)

// claimSubjectsByNumberSQL is claimSubjectsSQL for a claim with an anonymous card's number
// and PIN, with the card ($8) and the offer ($9): first the failure counts and the card
// with the number ($1 to $7 as in cardByNumberSQL), so the throttle and the PIN are
// checked before anything else, in the same round trip. The card is locked only when the
// number is its own.
var claimSubjectsByNumberSQL = claimSubjectsReplacer("$8", "$9", "$1").Replace(`SELECT f.number_failures,
	f.number_oldest, f.client_failures, f.client_oldest, n.id IS NOT NULL, n.id, n.pin_hash, ` + claimSubjectColumns + `
FROM ` + pinFailuresSQL + `
LEFT JOIN cards n ON n.municipality_id = $1 AND n.number = $6 AND n.kind = $7
LEFT JOIN LATERAL ` + strings.Replace(claimCardSQL, "FOR UPDATE", "AND c.id = n.id FOR UPDATE", 1) + ` AS c ON true
LEFT JOIN card_offers o ON o.id = {offer} AND o.municipality_id = {mid}`)

func claimSubjectsReplacer(card, offer, mid string) *strings.Replacer {
	return strings.NewReplacer("{card}", card, "{offer}", offer, "{mid}", mid)
}

// claimCardSQL locks the card, with its holder's birth date.
const claimCardSQL = `(SELECT c.*, h.birth_date FROM cards c LEFT JOIN card_persons h ON h.id = c.holder_id
	WHERE c.id = {card} AND c.municipality_id = {mid} FOR UPDATE OF c)`

// claimSubjectColumns are the card's (c, NULL when it is not found) and the offer's (o)
// columns a claim reads.
const claimSubjectColumns = `c.id, c.programme_id, coalesce(c.status, ''), coalesce(c.valid_from, 'epoch'),
	coalesce(c.valid_to, 'epoch'), coalesce(c.allowance, 0), c.birth_date,
	o.id IS NOT NULL, coalesce(o.status, ''), coalesce(o.valid_from, 'epoch'), coalesce(o.valid_to, 'epoch'), o.event_at,
	o.min_age, o.max_age, coalesce(o.per_card_limit, 0), coalesce(o.admits, 1), coalesce(o.value_ore, 0),
	coalesce(o.source, ''), o.expire_unused_days_before,
	EXISTS (SELECT 1 FROM card_offer_programmes op WHERE op.offer_id = o.id AND op.programme_id = c.programme_id)`

// takeStockSQL counts the card's tickets (cancelled ones not counted: of the offer, and in
// all) and, when they are under the offer's per-card limit ($16) and the card's allowance
// ($17), locks a slot of the offer with a released ticket left, writes the ticket (code $3)
// and its audit entry, and takes the unit from the slot. The slot is the first unlocked one
// with stock from a random start ($18), so concurrent claims take from different slots. It
// never waits for a lock: when every slot with stock is locked, it names the first of them,
// for the claim to wait for and try again (see claim), so the last tickets are claimed too
// and SOLD_OUT means none is left. The slot's row lock, held to the commit, orders the
// claims on it; claimed <= released is checked on the row as the claim before left it.
// The unit is taken only with the ticket written: on a clash of codes (ON CONFLICT) nothing
// is written, and the claim is tried again with another code (see claim).
// Returns the counts, the slot locked (NULL: none), whether the ticket was written, and
// when no slot was locked the locked slot with stock (NULL: none has stock, sold out).
const takeStockSQL = `WITH held AS (
	SELECT count(*) FILTER (WHERE offer_id = $6) AS of_offer, count(*) AS all_offers
	FROM card_tickets WHERE card_id = $5 AND status <> 'CANCELLED'
), free AS (
	SELECT s.slot FROM card_offer_stock_slots s, held
	WHERE s.offer_id = $6 AND s.claimed < s.released AND held.of_offer < $16 AND held.all_offers < $17
	ORDER BY s.slot < $18::smallint, s.slot LIMIT 1 FOR UPDATE OF s SKIP LOCKED
), ticket AS (
	INSERT INTO card_tickets (id, municipality_id, card_id, offer_id, code, admits, status, claimed_at, allocated_by,
		expires_at, value_ore, source, stock_slot)
	SELECT $1::uuid, $2::uuid, $5::uuid, $6::uuid, $3::text, $7::integer, 'CLAIMED', $8::timestamptz, $9::uuid,
		$10::timestamptz, $11::bigint, $12::text, free.slot FROM free
	ON CONFLICT (municipality_id, code) DO NOTHING RETURNING id, stock_slot
), taken AS (
	UPDATE card_offer_stock_slots s SET claimed = s.claimed + 1
	FROM ticket WHERE s.offer_id = $6 AND s.slot = ticket.stock_slot AND s.claimed < s.released
), entry AS (
	INSERT INTO audit_log (id, municipality_id, actor_id, action, item_type, item_id, fields, request_id)
	SELECT $4::uuid, $2::uuid, $13::uuid, $14::text, 'CardTicket', ticket.id, '{card,offer,status}', $15::text
	FROM ticket
)
SELECT held.of_offer, held.all_offers, (SELECT slot FROM free), EXISTS (SELECT 1 FROM ticket),
	CASE WHEN NOT EXISTS (SELECT 1 FROM free) THEN
		(SELECT s.slot FROM card_offer_stock_slots s WHERE s.offer_id = $6 AND s.claimed < s.released
		ORDER BY s.slot < $18::smallint, s.slot LIMIT 1) END
FROM held`

// ticketOffer is an offer as a claim sees it.
type ticketOffer struct {
	Offer
	InProgramme bool
}

// claimSubjects locks the card and reads it and the offer (claimSubjectsSQL); with a, it
// first opens the card with a's number and PIN (claimSubjectsByNumberSQL, open). Errors:
// NOT_FOUND naming the card or the offer, and as open.
func (s *Service) claimSubjects(ctx context.Context, tx bun.Tx, c caller, cardID, offerID uuid.UUID,
	a *cardAttempt,
) (*cardRow, *ticketOffer, error) {
	row, o := new(cardRow), new(ticketOffer)
	var offerFound bool
	var rowID *uuid.UUID
	dest := []any{&rowID, &row.ProgrammeID, &row.Status, &row.ValidFrom, &row.ValidTo, &row.Allowance,
		&row.HolderBirthDate, &offerFound, &o.Status, &o.ValidFrom, &o.ValidTo, &o.EventAt, &o.MinAge, &o.MaxAge,
		&o.PerCardLimit, &o.Admits, &o.ValueOre, &o.Source, &o.ExpireUnusedDaysBefore, &o.InProgramme}
	var err error
	if a == nil {
		// SECURITY: only a card and an offer of the request's municipality.
		err = tx.Tx.QueryRowContext(ctx, claimSubjectsSQL, cardID, offerID, c.mid()).Scan(dest...)
	} else {
		var check pinCheck
		var numbered *uuid.UUID
		var hash []byte
		// SECURITY: only a card and an offer of the request's municipality.
		err = tx.Tx.QueryRowContext(ctx, claimSubjectsByNumberSQL, append(a.args(), cardID, offerID)...).Scan(append([]any{
			&check.NumberFailures, &check.NumberOldest, &check.ClientFailures, &check.ClientOldest, &check.Found, &numbered,
			&hash}, dest...)...)
		if err == nil {
			var id uuid.UUID
			if numbered != nil {
				id = *numbered
			}
			// SECURITY: number and PIN, checked and throttled as CardByNumber does; only the
			// card they open claims.
			if err := s.open(a, &check, id, hash); err != nil {
				return nil, nil, err
			}
			if id != cardID {
				return nil, nil, apperr.NotFoundf("card")
			}
		}
	}
	if err == nil && rowID == nil {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, nil, database.MapError(err, "find card", "card")
	}
	row.ID, row.MunicipalityID = *rowID, c.mid()
	if offerFound {
		o.ID, o.MunicipalityID = offerID, c.mid()
	}
	return row, o, nil
}

// takeTicket locks the card (opened with a's number and PIN, if given), runs the claim
// checks and takes one of the offer's released tickets for it, writing the ticket and its
// audit entry on tx.
func (s *Service) takeTicket(ctx context.Context, tx bun.Tx, c caller, cardID, offerID uuid.UUID,
	allocatedBy *uuid.UUID, a *cardAttempt,
) (*Ticket, error) {
	row, o, err := s.claimable(ctx, tx, c, cardID, offerID, a)
	if err != nil {
		return nil, err
	}
	return s.writeTicket(ctx, tx, c, row, o, allocatedBy, "")
}

// claimable locks the card (opened with a's number and PIN, if given) and reads it and the
// offer, refusing as a claim does when the card cannot claim the offer now; the limits and
// the stock are writeTicket's to check. Errors: as claimSubjects, cardUsable and
// offerClaimable, and NOT_FOUND naming the offer.
func (s *Service) claimable(ctx context.Context, tx bun.Tx, c caller, cardID, offerID uuid.UUID, a *cardAttempt,
) (*cardRow, *ticketOffer, error) {
	now, today := s.now(), s.today(c.t)
	row, o, err := s.claimSubjects(ctx, tx, c, cardID, offerID, a)
	if err != nil {
		return nil, nil, err
	}
	if err := cardUsable(&row.Card, today); err != nil {
		return nil, nil, err
	}
	if o.ID == uuid.Nil {
		return nil, nil, apperr.NotFoundf("offer")
	}
	if err := offerClaimable(o, row, now, today); err != nil {
		return nil, nil, err
	}
	return row, o, nil
}

// writeTicket takes one of the offer's released tickets for the card locked in row, when
// it is under the offer's per-card limit and its allowance, and writes the ticket and its
// audit entry (action, or the claim's or allocation's when empty) on tx. Errors:
// LIMIT_REACHED, ALLOWANCE_USED, SOLD_OUT, and for claim to handle a *slotBusy or
// errCodeClash.
func (s *Service) writeTicket(ctx context.Context, tx bun.Tx, c caller, row *cardRow, o *ticketOffer,
	allocatedBy *uuid.UUID, action string,
) (*Ticket, error) {
	now := s.now()
	t := &Ticket{ID: newID(), MunicipalityID: c.mid(), CardID: row.ID, OfferID: o.ID, Admits: o.Admits, Status: TicketClaimed,
		ClaimedAt: now, AllocatedBy: allocatedBy, ExpiresAt: ticketExpiry(&o.Offer, now), ValueOre: o.ValueOre, Source: o.Source}
	switch {
	case action != "":
	case allocatedBy != nil:
		action = "allocate_card_ticket"
	default:
		action = "claim_card_ticket"
	}
	var err error
	if t.Code, err = newTicketCode(); err != nil {
		return nil, err
	}
	args := []any{t.ID, t.MunicipalityID, t.Code, newID(), t.CardID, t.OfferID, t.Admits, t.ClaimedAt, t.AllocatedBy,
		t.ExpiresAt, t.ValueOre, t.Source, c.actor(), action, httpserver.RequestIDFromContext(ctx)}
	var ofOffer, all int
	var slot, busy *int16
	var written bool
	err = tx.Tx.QueryRowContext(ctx, takeStockSQL, append(args, o.PerCardLimit, row.Allowance, rand.IntN(stockSlots))...).
		Scan(&ofOffer, &all, &slot, &written, &busy)
	if err != nil {
		return nil, database.MapError(err, "take stock", "offer")
	}
	if err := overLimits(&row.Card, &o.Offer, ofOffer, all); err != nil {
		return nil, err
	}
	switch {
	case slot == nil && busy != nil:
		return nil, &slotBusy{offerID: o.ID, slot: *busy}
	case slot == nil:
		return nil, &apperr.Error{Code: apperr.SoldOut, Field: "offerId"}
	case !written:
		return nil, errCodeClash
	}
	t.StockSlot = *slot
	t.Payload = TicketPayload(c.t.Municipality.Slug, t.Code)
	return t, announceStock(ctx, tx, c.mid(), o.ID)
}

// cardUsable refuses a card that cannot claim today. Errors: CARD_NOT_ACTIVE,
// CARD_EXPIRED.
func cardUsable(card *Card, today time.Time) error {
	switch {
	case card.Status == CardExpired || card.Status == CardActive && today.After(card.ValidTo):
		return &apperr.Error{Code: apperr.CardExpired, Field: "cardId"}
	case card.Status != CardActive:
		return &apperr.Error{Code: apperr.CardNotActive, Field: "cardId", Reason: string(card.Status)}
	case today.Before(card.ValidFrom):
		return &apperr.Error{Code: apperr.CardNotActive, MessageID: "CardNotYetValid", Field: "cardId", Reason: "NOT_YET_VALID"}
	}
	return nil
}

// offerClaimable refuses an offer the card cannot claim from now. Errors:
// OFFER_NOT_AVAILABLE, OFFER_NOT_IN_PROGRAMME, NOT_ELIGIBLE.
func offerClaimable(o *ticketOffer, row *cardRow, now, today time.Time) error {
	unavailable := func(msg, reason string) error {
		return &apperr.Error{Code: apperr.OfferNotAvailable, MessageID: msg, Field: "offerId", Reason: reason}
	}
	switch {
	case o.Status == OfferPaused:
		return unavailable("OfferPaused", string(o.Status))
	case o.Status != OfferPublished:
		return unavailable("", string(o.Status))
	case now.Before(o.ValidFrom):
		return unavailable("OfferNotYetOpen", "NOT_YET_OPEN")
	case !now.Before(o.ValidTo) || o.EventAt != nil && !now.Before(*o.EventAt):
		return unavailable("OfferClosed", "CLOSED")
	case !o.InProgramme:
		return &apperr.Error{Code: apperr.OfferNotInProgramme, Field: "offerId"}
	}
	if row.HolderBirthDate != nil {
		age := ageOn(*row.HolderBirthDate, today)
		if o.MinAge != nil && age < *o.MinAge || o.MaxAge != nil && age > *o.MaxAge {
			return &apperr.Error{Code: apperr.NotEligible, Field: "offerId"}
		}
	}
	return nil
}

// overLimits refuses one more ticket of o for a card that holds ofOffer tickets of it and
// all tickets in all (cancelled ones not counted). Errors: LIMIT_REACHED, ALLOWANCE_USED.
func overLimits(card *Card, o *Offer, ofOffer, all int) error {
	if ofOffer >= o.PerCardLimit {
		return &apperr.Error{Code: apperr.LimitReached, MessageID: "TicketLimitReached", Field: "offerId", Data: map[string]any{"Limit": o.PerCardLimit}}
	}
	if all >= card.Allowance {
		return &apperr.Error{Code: apperr.AllowanceUsed, MessageID: "TicketAllowanceUsed", Field: "cardId", Data: map[string]any{"Allowance": card.Allowance}}
	}
	return nil
}

// newTicketCode draws a fresh door code, canonical.
func newTicketCode() (string, error) {
	formatted, err := code.New(code.TicketCodeLength)
	if err != nil {
		return "", err
	}
	canonical, _ := code.Normalise(formatted)
	return canonical, nil
}

// CancelTicket cancels a claimed ticket before it is used, and gives its unit to the first
// card in the offer's waiting list, or back to the offer's stock; a ticket holding an
// event's card place frees the place in the same transaction. The holder may (access as
// in ClaimTicket), and a CARD_COORDINATOR, the user who allocated it, or a CASEWORKER of
// the agency that issued the card; past the offer's cancelling deadline
// (Offer.CancellableUntil) only a CARD_COORDINATOR. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND (also a ticket of a card the caller does not hold or manage), RATE_LIMITED
// (too many wrong PINs), TICKET_NOT_CANCELLABLE naming "ticketId" with reason REDEEMED,
// EXPIRED, CANCELLED or DEADLINE_PASSED.
func (s *Service) CancelTicket(ctx context.Context, ticketID uuid.UUID, access *CardAccess) (*Ticket, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	t := new(Ticket)
	// SECURITY: only a ticket of the request's municipality.
	err = s.db.NewSelect().
		Model(t).
		Where("tk.id = ? AND tk.municipality_id = ?", ticketID, c.mid()).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find ticket", "ticket")
	}
	if err := s.mayCancel(ctx, c, t, access); err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// The card first, as a claim locks it, so the two never wait on each other in turn.
		if _, err := tx.ExecContext(ctx, "SELECT 1 FROM cards WHERE id = ? FOR UPDATE", t.CardID); err != nil {
			return database.MapError(err, "lock card", "card")
		}
		now := s.now()
		err := tx.NewUpdate().
			Model(t).
			Set("status = ?, cancelled_at = greatest(?, claimed_at)", TicketCancelled, now).
			Where("tk.id = ? AND tk.status = ? AND tk.expires_at > ?", t.ID, TicketClaimed, now).
			Returning("*").
			Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return notCancellable(ctx, tx, t.ID)
		}
		if err != nil {
			return database.MapError(err, "cancel ticket", "ticket")
		}
		if err := beforeCancelDeadline(ctx, tx, c, t, now); err != nil {
			return err
		}
		// The unit goes to the first in the offer's waiting list, or back to the slot it
		// was taken from.
		if _, err := s.returnUnit(ctx, tx, c.mid(), t.OfferID, t.StockSlot); err != nil {
			return err
		}
		if err := s.freePlace(ctx, tx, t); err != nil {
			return err
		}
		if err := announceTicket(ctx, tx, t); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "cancel_card_ticket",
			ItemType: "CardTicket", ItemID: &t.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	t.Payload = TicketPayload(c.t.Municipality.Slug, t.Code)
	return t, nil
}

// mayCancel returns nil when the caller may cancel t. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, RATE_LIMITED.
func (s *Service) mayCancel(ctx context.Context, c caller, t *Ticket, access *CardAccess) error {
	switch {
	case access != nil || c.v == nil || c.v.User == nil:
		// SECURITY: the holder, by number and PIN or by identity.
		return s.holdsCard(ctx, c, t.CardID, access)
	case c.has(auth.RoleCardCoordinator):
		// SECURITY: card coordinators run the programme's tickets.
		return nil
	case t.AllocatedBy != nil && *t.AllocatedBy == c.v.User.ID:
		// SECURITY: whoever allocated the ticket may take it back.
		return nil
	case c.has(auth.RoleCaseworker):
		// SECURITY: a caseworker for the cards of their own agency; others' are unknown.
		if err := staffSeesCard(ctx, s.db, c, t.CardID); err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return apperr.NotFoundf("ticket")
			}
			return err
		}
		return nil
	case c.v.Identity != nil:
		return s.holdsCard(ctx, c, t.CardID, nil)
	}
	return apperr.New(apperr.Forbidden, "")
}

// staffSeesCard returns nil when the card is one the caller sees as staff: any card of the
// municipality for a card coordinator, a card their own agency issued for a caseworker.
// Errors: FORBIDDEN (a caseworker without an agency), NOT_FOUND.
func staffSeesCard(ctx context.Context, db bun.IDB, c caller, cardID uuid.UUID) error {
	// SECURITY: only a card of the request's municipality.
	q := db.NewSelect().Table("cards").Where("id = ? AND municipality_id = ?", cardID, c.mid())
	if !c.has(auth.RoleCardCoordinator) {
		// SECURITY: a caseworker sees the cards of their own agency; others' are unknown.
		ag, err := caseworkerAgency(ctx, db, c)
		if err != nil {
			return err
		}
		q = q.Where("agency_id = ?", ag.ID)
	}
	ok, err := q.Exists(ctx)
	if err != nil {
		return database.MapError(err, "find card", "card")
	}
	if !ok {
		return apperr.NotFoundf("card")
	}
	return nil
}

// notCancellable returns why the ticket could not be cancelled.
func notCancellable(ctx context.Context, tx bun.IDB, id uuid.UUID) error {
	var status TicketStatus
	if err := tx.NewSelect().Table("card_tickets").Column("status").Where("id = ?", id).Scan(ctx, &status); err != nil {
		return database.MapError(err, "find ticket", "ticket")
	}
	e := &apperr.Error{Code: apperr.TicketNotCancellable, Field: "ticketId", Reason: string(status)}
	switch status {
	case TicketRedeemed:
		e.MessageID = "TicketNotCancellableRedeemed"
	case TicketCancelled:
		e.MessageID = "TicketNotCancellableCancelled"
	default: // EXPIRED, or CLAIMED past its time before the expiry job has run
		e.MessageID, e.Reason = "TicketNotCancellableExpired", string(TicketExpired)
	}
	return e
}

// FindCardTickets returns the tickets of a card, newest first, each with its QR payload:
// for the holder (access as in ClaimTicket), a CARD_COORDINATOR, or a CASEWORKER of the
// agency that issued the card. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) FindCardTickets(ctx context.Context, cardID uuid.UUID, access *CardAccess) ([]*Ticket, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.mayReadTickets(ctx, c, cardID, access); err != nil {
		return nil, err
	}
	var out []*Ticket
	// SECURITY: only tickets of the request's municipality.
	err = s.db.NewSelect().Model(&out).Where("tk.card_id = ? AND tk.municipality_id = ?", cardID, c.mid()).
		OrderExpr("tk.claimed_at DESC, tk.id DESC").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find tickets", "ticket")
	}
	for _, t := range out {
		t.Payload = TicketPayload(c.t.Municipality.Slug, t.Code)
	}
	return out, nil
}

// mayReadTickets returns nil when the caller may read the card's tickets: its holder (by
// number and PIN, or by identity), a CARD_COORDINATOR, or a CASEWORKER of the agency that
// issued it. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) mayReadTickets(ctx context.Context, c caller, cardID uuid.UUID, access *CardAccess) error {
	if access != nil || c.v == nil || c.v.User == nil || !c.has(auth.RoleCardCoordinator, auth.RoleCaseworker) {
		// SECURITY: the holder, by number and PIN or by identity.
		return s.holdsCard(ctx, c, cardID, access)
	}
	// SECURITY: staff see the cards of the programme (a caseworker: of their own agency).
	return staffSeesCard(ctx, s.db, c, cardID)
}
