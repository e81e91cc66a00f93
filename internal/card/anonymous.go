package card

import (
	"context"
	"crypto/subtle"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// AnonymousCard is an anonymous card as issued, with its PIN: shown this once, for the
// printed sheet, and stored only as a keyed hash.
type AnonymousCard struct {
	Card *Card
	PIN  string
}

// IssueAnonymousCards issues count anonymous cards in a programme (card coordinators and
// administrators): no personal data at all, only numbers and PINs, for a printable sheet.
// They take the programme's validity and default allowance, and count against its cards.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "count" (outside 1
// to the batch limit, or (reason NO_CARDS_LEFT) more than the cards left), CONFLICT (the
// programme is closed or over).
func (s *Service) IssueAnonymousCards(ctx context.Context, programmeID uuid.UUID, count int) ([]*AnonymousCard, error) {
	// SECURITY: the programme's staff hand out anonymous cards.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if count < 1 || count > s.opt.MaxBatch {
		return nil, apperr.Invalid("count", "BatchSize", map[string]any{"Max": s.opt.MaxBatch})
	}
	var out []*AnonymousCard
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := lockProgramme(ctx, tx, c.mid(), programmeID)
		if err != nil {
			return err
		}
		if p.Status == ProgrammeClosed || s.today(c.t).After(p.ValidTo) {
			return apperr.New(apperr.Conflict, "ProgrammeEnded")
		}
		if left := p.CardsLeft(); count > left {
			return apperr.Invalid("count", "NoCardsLeft", map[string]any{"Left": left}).WithReason(string(NoCardsLeft))
		}
		if out, err = s.newAnonymousCards(c, p, count); err != nil {
			return err
		}
		batch := make([]*Card, len(out))
		for i, a := range out {
			batch[i] = a.Card
		}
		if err := insertCards(ctx, tx, batch); err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(batch))
		for i, card := range batch {
			ids[i] = card.ID
		}
		// The programme's grant for the period, as far as its budget allows.
		if _, _, err := s.grantCards(ctx, tx, p, s.today(c.t), ids); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE card_programmes SET cards_issued = cards_issued + ? WHERE id = ?", count, p.ID); err != nil {
			return database.MapError(err, "count cards", "programme")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "issue_anonymous_cards",
			ItemType: "CardProgramme", ItemID: &p.ID, Fields: []string{"cards"}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) newAnonymousCards(c caller, p *Programme, count int) ([]*AnonymousCard, error) {
	out := make([]*AnonymousCard, count)
	now := s.now()
	for i := range out {
		pin, err := code.PIN()
		if err != nil {
			return nil, err
		}
		card := &Card{ID: newID(), MunicipalityID: c.mid(), ProgrammeID: p.ID, Kind: CardAnonymous,
			ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Allowance: p.DefaultAllowance, Status: CardActive,
			IssuedBy: c.actor(), IssuedAt: now}
		card.PINHash = s.pinHash(card, pin)
		out[i] = &AnonymousCard{Card: card, PIN: pin}
	}
	return out, nil
}

// pinHash returns the keyed hash of an anonymous card's PIN, bound to the card. A keyed
// hash, not a slow one: a 6-digit PIN falls to any offline search, so what protects it is
// the server secret (not in the database) and the throttle on online attempts.
func (s *Service) pinHash(c *Card, pin string) []byte {
	return auth.KeyedHash([]byte(s.secret), "card-pin", c.MunicipalityID.String()+"/"+c.ID.String()+"/"+pin)
}

// dummyPINHash is compared against when no anonymous card has the number, so an unknown
// number costs what a wrong PIN does.
var dummyPINHash = make([]byte, 32)

// CardByNumber returns the anonymous card with number (in any spelling: groups, case,
// the look-alikes O/I/L) when pin is its PIN: the way in for an anonymous card's holder,
// without an account. Attempts are throttled per card number and per client address.
// Errors: NOT_FOUND (the same for an unknown number, a wrong PIN and a card that is not
// anonymous), RATE_LIMITED with RetryAfter seconds in Data.
func (s *Service) CardByNumber(ctx context.Context, number, pin string) (*Card, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.newCardAttempt(ctx, c, number, pin)
	if err != nil {
		return nil, err
	}
	// The failures of both keys and the card, in one round trip; the card is looked at only
	// once the throttle lets the attempt through (open).
	rows, err := s.db.DB.QueryContext(ctx, cardByNumberSQL, a.args()...)
	if err != nil {
		return nil, s.failed(ctx, a, database.MapError(err, "find card", "card"))
	}
	row := new(numberedCard)
	if err := s.db.ScanRows(ctx, rows, row); err != nil {
		return nil, s.failed(ctx, a, database.MapError(err, "find card", "card"))
	}
	if err := s.open(a, &row.pinCheck, row.ID, row.PINHash); err != nil {
		return nil, s.failed(ctx, a, err)
	}
	a.release()
	return &row.Card, nil
}

// cardAttempt is an attempt to open an anonymous card by number and PIN.
type cardAttempt struct {
	mid        uuid.UUID
	canonical  string // the number, canonical when it is one
	wellFormed bool
	pin        string
	keys       [][]byte // the throttle's: per card number, per client address
	now        time.Time
	since      time.Time // the start of the throttle's window
	release    func()    // takes the attempt back from the failures (a right PIN, or refused unchecked)
}

// newCardAttempt records an attempt to open a card by number and PIN as a failure of the
// number before anything is checked: open counts it with the others, so the number's limit
// holds across instances and for attempts arriving at once (see auth.RecordAttempt). The
// attempt stays a failure unless released. The client's limit counts only failures (fail
// records them), so that many families behind one address claiming at once are not refused.
func (s *Service) newCardAttempt(ctx context.Context, c caller, number, pin string) (*cardAttempt, error) {
	canonical, ok := code.Normalise(number)
	if !ok {
		canonical = strings.ToUpper(strings.TrimSpace(number))
	}
	a := &cardAttempt{mid: c.mid(), canonical: canonical, wellFormed: ok, pin: pin, keys: [][]byte{
		auth.KeyedHash([]byte(s.secret), "card-number", c.mid().String()+"/"+canonical),
		auth.KeyedHash([]byte(s.secret), "card-client", auth.ClientFrom(ctx)),
	}}
	a.now = s.now()
	a.since = a.now.Add(-s.opt.FailureWindow)
	var err error
	if a.release, err = auth.RecordAttempt(ctx, s.db.DB, a.mid, a.keys[0], a.now); err != nil {
		return nil, err
	}
	return a, nil
}

// args returns the attempt's parameters of cardByNumberSQL ($1 to $7); the claim's statement
// takes them in the same places.
func (a *cardAttempt) args() []any {
	return []any{a.mid, a.keys[0], a.keys[1], a.since, a.now, a.canonical, CardAnonymous}
}

// pinCheck is what the throttle and the PIN check read: the failures of the attempt's
// keys in the window, and whether a card has the number.
type pinCheck struct {
	NumberFailures int       `bun:"number_failures,scanonly"`
	NumberOldest   time.Time `bun:"number_oldest,scanonly"`
	ClientFailures int       `bun:"client_failures,scanonly"`
	ClientOldest   time.Time `bun:"client_oldest,scanonly"`
	Found          bool      `bun:"found,scanonly"`
}

// pinFailure is an attempt with an unknown number or a wrong PIN, kept as a failure (failed).
type pinFailure struct {
	a      *cardAttempt
	cardID *uuid.UUID // the card with the number, if any
}

func (*pinFailure) Error() string { return "wrong card number or PIN" }

// open lets an attempt through to the card with id and PIN hash hash, the card with the
// attempt's number (check.Found says whether there is one): RATE_LIMITED (RetryAfter
// seconds in Data) when the number has MaxPINFailures failures in the window or the client
// four times as many, a *pinFailure when the number is unknown or the PIN wrong, nil when
// the PIN is the card's.
func (s *Service) open(a *cardAttempt, check *pinCheck, id uuid.UUID, hash []byte) error {
	// SECURITY: throttle before looking, per card number and per client address; the
	// number's count includes this attempt's own record (newCardAttempt).
	limit := s.opt.MaxPINFailures
	if err := s.limitReached(check.NumberFailures-1, check.NumberOldest, a.now, limit, "CardRateLimited"); err != nil {
		return err
	}
	if err := s.limitReached(check.ClientFailures, check.ClientOldest, a.now, 4*limit, "CardRateLimited"); err != nil {
		return err
	}
	found := a.wellFormed && check.Found
	want := dummyPINHash
	if found {
		want = hash
	}
	got := s.pinHash(&Card{MunicipalityID: a.mid, ID: id}, a.pin)
	// SECURITY: an unknown number and a wrong PIN fail alike, and are counted alike.
	if subtle.ConstantTimeCompare(got, want) != 1 || !found {
		f := &pinFailure{a: a}
		if found {
			f.cardID = &id
		}
		return f
	}
	return nil
}

// failed keeps a's failure when err is a *pinFailure (an unknown number or a wrong PIN),
// audits it and answers NOT_FOUND; for any other outcome it takes the attempt back and
// returns err as it is.
func (s *Service) failed(ctx context.Context, a *cardAttempt, err error) error {
	var f *pinFailure
	if !errors.As(err, &f) {
		if a != nil {
			a.release()
		}
		return err
	}
	return s.fail(ctx, f.a.mid, f.a.keys[1:], "card_pin_failed", f.cardID)
}

// cardByNumberSQL counts the failures in the window ($4 on) of the card number's key ($2)
// and the client's ($3), with the oldest of each ($5 when none), and finds the anonymous
// card with the number ($6). Failures are kept in login_failures, keyed by
// purpose-labelled keyed hashes. Bind parameters, so the plan is reused.
const cardByNumberSQL = `SELECT f.number_failures, f.number_oldest, f.client_failures, f.client_oldest,
	c.id IS NOT NULL AS found, c.*
FROM ` + pinFailuresSQL + `
LEFT JOIN cards c ON c.municipality_id = $1 AND c.number = $6 AND c.kind = $7`

// pinFailuresSQL is cardByNumberSQL's row of failure counts, f.
const pinFailuresSQL = `(SELECT count(*) FILTER (WHERE key_hash = $2) AS number_failures,
		coalesce(min(failed_at) FILTER (WHERE key_hash = $2), $5) AS number_oldest,
		count(*) FILTER (WHERE key_hash = $3) AS client_failures,
		coalesce(min(failed_at) FILTER (WHERE key_hash = $3), $5) AS client_oldest
	FROM login_failures WHERE municipality_id = $1 AND key_hash IN ($2, $3) AND failed_at > $4) AS f`

// numberedCard is what cardByNumberSQL returns: the throttle's counts and the card, if
// found.
type numberedCard struct {
	Card     `bun:",extend"`
	pinCheck `bun:",extend"`
}

// overLimit returns RATE_LIMITED with messageID (RetryAfter seconds in Data) when key has
// limit failures in the window.
func (s *Service) overLimit(ctx context.Context, mid uuid.UUID, key []byte, limit int, messageID string) error {
	now := s.now()
	var n int
	var oldest time.Time
	err := s.db.NewSelect().Table("login_failures").ColumnExpr("count(*), coalesce(min(failed_at), ?)", now).
		Where("municipality_id = ? AND key_hash = ? AND failed_at > ?", mid, key, now.Add(-s.opt.FailureWindow)).Scan(ctx, &n, &oldest)
	if err != nil {
		return database.MapError(err, "count failures", "card")
	}
	return s.limitReached(n, oldest, now, limit, messageID)
}

// limitReached returns RATE_LIMITED with messageID (RetryAfter seconds in Data) when n
// failures, the oldest at oldest, reach limit.
func (s *Service) limitReached(n int, oldest, now time.Time, limit int, messageID string) error {
	if n >= limit {
		wait := oldest.Add(s.opt.FailureWindow).Sub(now)
		return &apperr.Error{Code: apperr.RateLimited, MessageID: messageID,
			Data: map[string]any{"RetryAfter": int(math.Ceil(max(wait.Seconds(), 1)))}}
	}
	return nil
}

// fail keeps a failed attempt (its number's failure was recorded when it began), records
// it for each of keys, audits it, and returns NOT_FOUND, the one answer for every failure.
func (s *Service) fail(ctx context.Context, mid uuid.UUID, keys [][]byte, action string, cardID *uuid.UUID) error {
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		if _, err := tx.NewDelete().Table("login_failures").Where("municipality_id = ? AND failed_at < ?", mid, now.Add(-s.opt.FailureWindow)).Exec(ctx); err != nil {
			return database.MapError(err, "prune failures", "card")
		}
		for _, key := range keys {
			if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (municipality_id, key_hash, failed_at) VALUES (?, ?, ?)", mid, key, now); err != nil {
				return database.MapError(err, "record failure", "card")
			}
		}
		e := &audit.Entry{MunicipalityID: mid, Action: action}
		if cardID != nil {
			e.ItemType, e.ItemID = "Card", cardID
		}
		return audit.Append(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	return apperr.NotFoundf("card")
}
