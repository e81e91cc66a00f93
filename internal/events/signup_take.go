package events

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// SignupStatus is whether a sign-up has its places or waits for them.
type SignupStatus string

// The sign-up statuses.
const (
	SignupConfirmed SignupStatus = "CONFIRMED"
	SignupWaiting   SignupStatus = "WAITING"
)

// MaxGroup is the most participants one sign-up may bring, whatever the settings.
const MaxGroup = 50

// Signup is one sign-up to an event: a contact and its participants.
type Signup struct {
	bun.BaseModel `bun:"table:event_signups,alias:su"`

	ID             uuid.UUID    `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID    `bun:"municipality_id,type:uuid"`
	EventID        uuid.UUID    `bun:"event_id,type:uuid"`
	Seq            int64        `bun:"seq,scanonly"`
	Status         SignupStatus `bun:"status"`
	GroupSize      int          `bun:"group_size"`
	ContactEmail   string       `bun:"contact_email"`
	Locale         string       `bun:"locale"`
	TokenHash      []byte       `bun:"token_hash"`
	CardPlace      bool         `bun:"card_place"`
	Attended       *bool        `bun:"attended"`
	CreatedAt      time.Time    `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time    `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// Position is the sign-up's place in the waiting list (1: next), 0 when confirmed.
	Position     int            `bun:"position,scanonly"`
	Participants []*Participant `bun:"-"`
}

// GlobalID returns the sign-up's global ID.
func (su *Signup) GlobalID() string { return relay.GlobalID("EventSignup", su.ID) }

// Participant is one participant of a sign-up, with only the answers asked for.
type Participant struct {
	bun.BaseModel `bun:"table:event_signup_participants,alias:p"`

	SignupID       uuid.UUID `bun:"signup_id,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	N              int       `bun:"n"`
	Name           string    `bun:"name"`
	GuardianPhone  string    `bun:"guardian_phone"`
	Needs          string    `bun:"needs"`
	Age            *int      `bun:"age"`
}

// ParticipantInput is one participant signed up.
type ParticipantInput struct {
	Name          *string
	GuardianPhone *string
	Needs         *string
	Age           *int
}

// SignupInput is a sign-up: the event, its participants and the contact e-mail.
type SignupInput struct {
	EventID      string
	Participants []*ParticipantInput
	ContactEmail string
}

// SignupResult is a new sign-up with the secret token that cancels it (shown once).
type SignupResult struct {
	Signup            *Signup
	CancellationToken string
}

// newToken returns a random token and its hash, as stored.
func newToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, tokenHash(tok), nil
}

// tokenHash returns the stored hash of a cancellation token.
func tokenHash(tok string) []byte {
	h := sha256.Sum256([]byte("event-signup\x00" + tok))
	return h[:]
}

// SignUp signs participants up to an event, for anyone (no account needed). The places
// are taken atomically: the event's settings row is locked while they are counted, so
// an event never has more confirmed participants than places. A sign-up that finds too
// few places waits, when the waiting list has room. Errors: NOT_FOUND (no such event to
// the reader), BAD_USER_INPUT naming the field (an event without sign-up, outside the
// window, a group over the limit, ages out of range, a missing answer, signing up twice),
// CONFLICT "SignupFull" when neither places nor the waiting list have room. The contact
// gets a confirmation by e-mail (through the job queue) with the link that cancels.
func (s *Service) SignUp(ctx context.Context, in SignupInput) (*SignupResult, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(in.EventID, "Event", "input.eventId")
	if err != nil {
		return nil, err
	}
	email, err := auth.NormaliseEmail(in.ContactEmail, "input.contactEmail")
	if err != nil {
		return nil, err
	}
	if len(in.Participants) == 0 || len(in.Participants) > MaxGroup {
		return nil, apperr.Invalid("input.participants", "GroupTooLarge", map[string]any{"Max": MaxGroup})
	}
	tok, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	su := &Signup{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), EventID: id, GroupSize: len(in.Participants),
		ContactEmail: email, Locale: i18n.FromContext(ctx).Code, TokenHash: hash}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		ss, err := s.openSettings(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		ps, err := answers(ss, in.Participants)
		if err != nil {
			return err
		}
		su.Participants = ps
		if err := checkTwice(ctx, tx, su); err != nil {
			return err
		}
		if err := take(ctx, tx, ss, su); err != nil {
			return err
		}
		return s.tellSignedUp(ctx, tx, t, su, tok)
	})
	if err != nil {
		return nil, err
	}
	return &SignupResult{Signup: su, CancellationToken: tok}, nil
}

// openSettings locks the settings of an event the public sees and whose sign-up is open.
func (s *Service) openSettings(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*SignupSettings, error) {
	var e Event
	err := tx.NewSelect().Model(&e).Column("e.id", "e.status").
		Where("e.municipality_id = ? AND e.id = ? AND e.publication = 'PUBLISHED'", mid, id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		// A shared provider's event is shown here; its sign-ups are kept at its home.
		shared, serr := servedHere(ctx, tx, mid, id)
		if serr != nil {
			return nil, serr
		}
		if shared {
			return nil, apperr.Invalid("input.eventId", "SignupAtProviderHome", nil).WithReason("SHARED_PROVIDER")
		}
	}
	if err != nil {
		return nil, database.MapError(err, "find event", "event")
	}
	ss, err := lockSettings(ctx, tx, mid, id)
	if apperr.CodeOf(err) == apperr.NotFound || e.Status == StatusCancelled {
		return nil, apperr.Invalid("input.eventId", "SignupNotOffered", nil)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if ss.OpensAt != nil && now.Before(*ss.OpensAt) || !now.Before(ss.Closes()) {
		return nil, apperr.Invalid("input.eventId", "SignupClosed", nil)
	}
	return ss, nil
}

// answers checks the participants against ss and returns them with only the answers
// the settings ask for. Errors: BAD_USER_INPUT naming the participant's field.
func answers(ss *SignupSettings, in []*ParticipantInput) ([]*Participant, error) {
	if len(in) > ss.GroupSizeLimit {
		return nil, apperr.Invalid("input.participants", "GroupTooLarge", map[string]any{"Max": ss.GroupSizeLimit})
	}
	out := make([]*Participant, len(in))
	for i, pi := range in {
		f := fmt.Sprintf("input.participants.%d.", i)
		p := &Participant{MunicipalityID: ss.MunicipalityID, N: i + 1}
		var err error
		if p.Name, err = answer(ss.AskName, pi.Name, 100, f+"name"); err != nil {
			return nil, err
		}
		if p.GuardianPhone, err = answer(ss.AskGuardianPhone, pi.GuardianPhone, 30, f+"guardianPhone"); err != nil {
			return nil, err
		}
		if ss.AskNeeds && pi.Needs != nil && strings.TrimSpace(*pi.Needs) != "" {
			if p.Needs, err = answer(true, pi.Needs, 1000, f+"needs"); err != nil {
				return nil, err
			}
		}
		if p.Age, err = age(ss, pi.Age, f+"age"); err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// answer returns a trimmed answer: required when asked, dropped when not.
func answer(asked bool, v *string, maxLen int, field string) (string, error) {
	if !asked {
		return "", nil
	}
	s := ""
	if v != nil {
		s = strings.TrimSpace(*v)
	}
	if s == "" {
		return "", apperr.Invalid(field, "ValueRequired", nil)
	}
	if utf8.RuneCountInString(s) > maxLen || strings.ContainsRune(s, 0) {
		return "", apperr.Invalid(field, "TextTooLong", map[string]any{"Max": maxLen})
	}
	return s, nil
}

// age checks a participant's age against the event's bounds: required when there are any.
func age(ss *SignupSettings, v *int, field string) (*int, error) {
	if ss.AgeMin == nil && ss.AgeMax == nil {
		return nil, nil
	}
	switch {
	case v == nil:
		return nil, apperr.Invalid(field, "ValueRequired", nil)
	case ss.AgeMin != nil && *v < *ss.AgeMin, ss.AgeMax != nil && *v > *ss.AgeMax:
		return nil, apperr.Invalid(field, "AgeOutOfRange", nil)
	}
	return v, nil
}

// checkTwice refuses a sign-up by a contact already signed up to the event with a
// participant of the same name (with no names asked: the contact alone).
func checkTwice(ctx context.Context, tx bun.IDB, su *Signup) error {
	names := make([]string, 0, len(su.Participants))
	for _, p := range su.Participants {
		names = append(names, strings.ToLower(p.Name))
	}
	ok, err := tx.NewSelect().TableExpr("event_signups AS su").
		Join("JOIN event_signup_participants AS p ON p.signup_id = su.id").
		Where("su.municipality_id = ? AND su.event_id = ? AND lower(su.contact_email) = lower(?)",
			su.MunicipalityID, su.EventID, su.ContactEmail).
		Where("lower(p.name) IN (?)", bun.In(names)).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "find sign-ups", "signup")
	}
	if ok {
		return apperr.Invalid("input.contactEmail", "AlreadySignedUp", nil)
	}
	return nil
}

// take gives su places, or a place on the waiting list, and writes it; ss is locked.
func take(ctx context.Context, tx bun.IDB, ss *SignupSettings, su *Signup) error {
	switch {
	case ss.Places == ss.CardPlaces:
		return apperr.Invalid("input.eventId", "OnlyCardPlaces", nil)
	case su.GroupSize > ss.Places-ss.CardPlaces:
		return apperr.Invalid("input.participants", "GroupTooLarge", map[string]any{"Max": ss.Places - ss.CardPlaces})
	case su.GroupSize <= ss.PlacesLeft():
		su.Status = SignupConfirmed
		ss.Taken += su.GroupSize
	case ss.Waiting+su.GroupSize <= ss.WaitingListSize:
		su.Status = SignupWaiting
		ss.Waiting += su.GroupSize
	default:
		return apperr.New(apperr.Conflict, "SignupFull").WithField("input.eventId")
	}
	if err := insertSignup(ctx, tx, su); err != nil {
		return err
	}
	return saveCounts(ctx, tx, ss)
}

// insertSignup writes su with its participants and sets its waiting list position.
func insertSignup(ctx context.Context, tx bun.IDB, su *Signup) error {
	if _, err := tx.NewInsert().Model(su).Returning("seq").Exec(ctx, &su.Seq); err != nil {
		return database.MapError(err, "insert sign-up", "signup")
	}
	for _, p := range su.Participants {
		p.SignupID = su.ID
	}
	if _, err := tx.NewInsert().Model(&su.Participants).Exec(ctx); err != nil {
		return database.MapError(err, "insert participants", "signup")
	}
	return setPositions(ctx, tx, []*Signup{su})
}

// saveCounts writes the counts of ss.
func saveCounts(ctx context.Context, tx bun.IDB, ss *SignupSettings) error {
	_, err := tx.NewUpdate().Model(ss).
		Set("taken = ?, card_taken = ?, waiting = ?", ss.Taken, ss.CardTaken, ss.Waiting).
		WherePK().Exec(ctx)
	return database.MapError(err, "count sign-ups", "signup")
}

// setPositions sets the waiting list position of the waiting sign-ups of sus.
func setPositions(ctx context.Context, db bun.IDB, sus []*Signup) error {
	for _, su := range sus {
		if su.Status != SignupWaiting {
			su.Position = 0
			continue
		}
		n, err := db.NewSelect().TableExpr("event_signups").
			Where("event_id = ? AND status = 'WAITING' AND seq <= ?", su.EventID, su.Seq).Count(ctx)
		if err != nil {
			return database.MapError(err, "count waiting", "signup")
		}
		su.Position = int(n)
	}
	return nil
}
