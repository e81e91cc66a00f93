package card

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Door throttling: a user with this many unknown or mistyped codes within the card
// service's FailureWindow (default 15 minutes) is refused at the door until the oldest
// failure leaves the window. Guessing a 50-bit code at 10 tries a quarter is hopeless.
const doorMaxFailures = 10

// doorRoles are the organisation roles that check tickets at the door.
var doorRoles = []string{"OWNER", "EDITOR", "TICKET_CHECKER"}

// TicketCheck is what the door sees of a ticket: what it is for, for how many, and
// whether to let them in. It says nothing about the holder or the card.
type TicketCheck struct {
	// Code is the door code, formatted for reading.
	Code    string
	OfferID uuid.UUID
	// OfferTitle is in the first locale of the request's chain the offer has (TitleLocale).
	OfferTitle  string
	TitleLocale string
	// EventAt is the event's time, for an offer that is one event.
	EventAt *time.Time
	// ValidFrom and ValidUntil bound when the ticket works at the door.
	ValidFrom  time.Time
	ValidUntil time.Time
	// Admits is how many people the ticket lets in.
	Admits int
	Status TicketStatus
	// Valid says whether the ticket lets them in now (after RedeemTicket: it just did).
	Valid bool
	// Problem is why not, as the code RedeemTicket refuses with: ALREADY_REDEEMED,
	// TICKET_CANCELLED, TICKET_EXPIRED or TICKET_NOT_YET_VALID; "" when Valid.
	Problem apperr.Code
	// RedeemedAt is when the ticket was checked in, if it was.
	RedeemedAt *time.Time
}

// doorTicket is a ticket with what the door shows of its offer.
type doorTicket struct {
	Ticket `bun:",extend"`

	OfferValidFrom time.Time  `bun:"offer_valid_from,scanonly"`
	EventAt        *time.Time `bun:"event_at,scanonly"`
	Title          string     `bun:"title,scanonly"`
	TitleLocale    string     `bun:"title_locale,scanonly"`
}

// CheckTicket looks up a ticket by the code typed or scanned at the door (the code in any
// spelling, or the QR payload) for a TICKET_CHECKER, EDITOR or OWNER of the offer's
// organisation, and says whether it is valid now, without changing it. Errors:
// UNAUTHENTICATED, FORBIDDEN (the caller checks tickets for no organisation),
// TICKET_NOT_FOUND naming "code" (the same for an unknown code, a mistyped one and one of
// another organisation's offers; each counts as a failed attempt), RATE_LIMITED with
// RetryAfter seconds in Data (too many failed attempts).
func (s *Service) CheckTicket(ctx context.Context, typed string) (*TicketCheck, error) {
	c, row, err := s.doorLookup(ctx, typed)
	if err != nil {
		return nil, err
	}
	return s.ticketCheck(c, row), nil
}

// RedeemTicket checks a ticket in at the door, once: who may and how the code is given
// are as for CheckTicket. Of any number of concurrent attempts on one ticket exactly one
// succeeds. Errors: as CheckTicket, and, for a ticket that does not let them in,
// ALREADY_REDEEMED (Data RedeemedAt: when), TICKET_CANCELLED, TICKET_EXPIRED and
// TICKET_NOT_YET_VALID, each naming "code".
func (s *Service) RedeemTicket(ctx context.Context, typed string) (*TicketCheck, error) {
	c, row, err := s.doorLookup(ctx, typed)
	if err != nil {
		return nil, err
	}
	if chk := s.ticketCheck(c, row); chk.Problem != "" {
		return nil, s.doorRefusal(c, chk)
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		// A checker of a shared provider is a user of the provider's home municipality: the
		// ticket's municipality learns that it was checked in and when, not by whom.
		var by *uuid.UUID
		if row.MunicipalityID == c.mid() {
			by = &c.v.User.ID
		}
		// The one redemption: of concurrent attempts, the first to lock the row changes it;
		// the others find it REDEEMED when they get the row, and change nothing.
		err := tx.NewUpdate().Model(&row.Ticket).
			Set("status = ?, redeemed_at = greatest(?, claimed_at), redeemed_by = ?", TicketRedeemed, now, by).
			Where("tk.id = ? AND tk.status = ? AND tk.expires_at > ?", row.ID, TicketClaimed, now).Returning("*").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.NewSelect().Model(&row.Ticket).WherePK().Scan(ctx); err != nil {
				return database.MapError(err, "find ticket", "ticket")
			}
			return s.doorRefusal(c, s.ticketCheck(c, row))
		}
		if err != nil {
			return database.MapError(err, "redeem ticket", "ticket")
		}
		// The holder's screen and the entrance's other devices hear of it once it commits.
		if err := announceRedemption(ctx, tx, &row.Ticket); err != nil {
			return err
		}
		if row.MunicipalityID != c.mid() {
			err := audit.Append(ctx, tx, &audit.Entry{MunicipalityID: row.MunicipalityID, Action: "redeem_card_ticket",
				ItemType: "CardTicket", ItemID: &row.ID, Fields: []string{"status"}})
			if err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "redeem_card_ticket",
			ItemType: "CardTicket", ItemID: &row.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	chk := s.ticketCheck(c, row)
	chk.Valid, chk.Problem = true, ""
	return chk, nil
}

// doorLookup authorises a door user, throttles them, and finds the ticket a typed code
// names among the tickets of the organisations they check for.
func (s *Service) doorLookup(ctx context.Context, typed string) (caller, *doorTicket, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return c, nil, err
	}
	// SECURITY: only those who check tickets for an organisation come to the door at all.
	ok, err := s.db.NewSelect().Table("organisation_members").
		Where("user_id = ? AND municipality_id = ? AND role IN (?)", c.v.User.ID, c.mid(), bun.In(doorRoles)).Exists(ctx)
	if err != nil {
		return c, nil, database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return c, nil, apperr.New(apperr.Forbidden, "")
	}
	key := auth.KeyedHash([]byte(s.secret), "door-user", c.mid().String()+"/"+c.v.User.ID.String())
	// SECURITY: throttle before looking, so codes cannot be guessed: the attempt is recorded
	// as a failure first and counted with the others, its own included, so the limit holds
	// for codes arriving at once on any number of instances; a found ticket takes it back.
	release, err := auth.RecordAttempt(ctx, s.db.DB, c.mid(), key, s.now())
	if err != nil {
		return c, nil, err
	}
	if err := s.doorThrottled(ctx, c, key); err != nil {
		release()
		return c, nil, err
	}
	canonical, slug, ok := doorCode(typed)
	if !ok {
		return c, nil, s.doorFail(ctx, c)
	}
	var rows []*doorTicket
	// SECURITY: only tickets for offers of an organisation the caller checks tickets for:
	// the request's municipality's, and those a shared provider kept here placed in other
	// municipalities' programmes (one door for all of them); any other code is as unknown
	// as one that is not.
	q := s.db.NewSelect().Model(&rows).ColumnExpr("tk.*").
		ColumnExpr("o.valid_from AS offer_valid_from, o.event_at, tx.title, tx.locale AS title_locale").
		Join("JOIN card_offers AS o ON o.id = tk.offer_id").
		Join(`LEFT JOIN LATERAL (SELECT t.locale, t.title FROM card_offer_translations t WHERE t.offer_id = o.id
			ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`, pgdialect.Array(c.chain(ctx))).
		Where("tk.code = ?", canonical).
		Where("(tk.municipality_id = ? OR (o.shared_offer_id IS NOT NULL AND o.organisation_home_id = ?))", c.mid(), c.mid()).
		Where(`EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = o.organisation_id
			AND m.municipality_id = ? AND m.user_id = ? AND m.role IN (?))`, c.mid(), c.v.User.ID, bun.In(doorRoles)).
		Limit(2)
	if slug != "" {
		q = q.Where("tk.municipality_id = (SELECT id FROM municipalities WHERE slug = ?)", slug)
	}
	err = q.Scan(ctx)
	if err == nil && len(rows) == 0 {
		return c, nil, s.doorFail(ctx, c)
	}
	release()
	if err != nil {
		return c, nil, database.MapError(err, "find ticket", "ticket")
	}
	if len(rows) > 1 {
		// The same code in two municipalities the provider serves (codes are unique per
		// municipality): the QR code, which names the municipality, tells them apart.
		return c, nil, &apperr.Error{Code: apperr.Conflict, MessageID: "TicketCodeAmbiguous", Field: "code",
			Reason: "AMBIGUOUS"}
	}
	return c, rows[0], nil
}

// doorCode returns the canonical ticket code in what was typed or scanned (the code in any
// spelling, or a QR payload) and, from a payload, the slug of the ticket's municipality.
func doorCode(typed string) (canonical, slug string, ok bool) {
	typed = strings.TrimSpace(typed)
	if rest, ok := strings.CutPrefix(typed, PayloadScheme+":"); ok {
		s, raw, ok := strings.Cut(rest, ":")
		if !ok || s == "" {
			return "", "", false
		}
		slug, typed = s, raw
	}
	canonical, ok = code.Normalise(typed)
	return canonical, slug, ok && len(canonical) == code.TicketCodeLength+1
}

// ticketCheck says what the door should do with the ticket now.
func (s *Service) ticketCheck(c caller, row *doorTicket) *TicketCheck {
	chk := &TicketCheck{Code: row.FormattedCode(), OfferID: row.OfferID, OfferTitle: row.Title, TitleLocale: row.TitleLocale,
		EventAt: row.EventAt, ValidFrom: doorOpens(c, row), ValidUntil: row.ExpiresAt, Admits: row.Admits,
		Status: row.Status, RedeemedAt: row.RedeemedAt}
	now := s.now()
	switch {
	case row.Status == TicketRedeemed:
		chk.Problem = apperr.AlreadyRedeemed
	case row.Status == TicketCancelled:
		chk.Problem = apperr.TicketCancelled
	case row.Status == TicketExpired || !now.Before(row.ExpiresAt):
		chk.Problem = apperr.TicketExpired
	case now.Before(chk.ValidFrom):
		chk.Problem = apperr.TicketNotYetValid
	}
	chk.Valid = chk.Problem == ""
	return chk
}

// doorOpens is when a ticket starts to work at the door: the offer's start, or for an
// event the start of the event's day in the municipality's time zone (a Saturday
// performance's ticket does not let anyone in on Friday).
func doorOpens(c caller, row *doorTicket) time.Time {
	if row.EventAt == nil {
		return row.OfferValidFrom
	}
	loc, err := time.LoadLocation(c.t.Municipality.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	e := row.EventAt.In(loc)
	day := time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, loc)
	if day.Before(row.OfferValidFrom) {
		return row.OfferValidFrom
	}
	return day
}

// doorRefusal is the error RedeemTicket gives for a ticket that does not let them in.
func (s *Service) doorRefusal(c caller, chk *TicketCheck) error {
	e := &apperr.Error{Code: chk.Problem, Field: "code"}
	if chk.Problem == apperr.AlreadyRedeemed && chk.RedeemedAt != nil {
		loc, err := time.LoadLocation(c.t.Municipality.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		e.MessageID = "TicketAlreadyRedeemed"
		e.Data = map[string]any{"RedeemedAt": *chk.RedeemedAt, "At": chk.RedeemedAt.In(loc).Format("02.01.2006 15:04")}
	}
	return e
}

// doorThrottled returns RATE_LIMITED (RetryAfter seconds in Data) when the door user
// with key had doorMaxFailures failed codes in the window before the attempt it has just
// recorded.
func (s *Service) doorThrottled(ctx context.Context, c caller, key []byte) error {
	return s.overLimit(ctx, c.mid(), key, doorMaxFailures+1, "TicketCodeRateLimited")
}

// doorFail keeps a failed code for the door user (recorded when the attempt began), prunes
// failures older than the window, audits it, and returns TICKET_NOT_FOUND, the one answer
// for every code the caller may not see.
func (s *Service) doorFail(ctx context.Context, c caller) error {
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Table("login_failures").Where("municipality_id = ? AND failed_at < ?", c.mid(),
			s.now().Add(-s.opt.FailureWindow)).Exec(ctx); err != nil {
			return database.MapError(err, "prune failures", "ticket")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "ticket_code_rejected"})
	})
	if err != nil {
		return err
	}
	return &apperr.Error{Code: apperr.TicketNotFound, Field: "code"}
}
