package events

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Sign-up (påmelding): an event may take sign-ups. Its settings say how many places it
// has, how long the waiting list may
// grow, how many participants one sign-up may bring, when sign-up opens and closes (by
// default: until the event starts), the participants' ages, and which of the few
// questions are asked. Places and the waiting list are counted in participants.

// SignupSettings are an event's sign-up settings with its counts.
type SignupSettings struct {
	bun.BaseModel `bun:"table:event_signup_settings,alias:ss"`

	EventID        uuid.UUID `bun:"event_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Places         int       `bun:"places"`
	// CardPlaces of the places are kept for activity-card holders, taken only with a
	// ticket of the event's card offer (SignUpWithCard); CardTaken of them are taken.
	CardPlaces       int        `bun:"card_places"`
	WaitingListSize  int        `bun:"waiting_list_size"`
	GroupSizeLimit   int        `bun:"group_size_limit"`
	OpensAt          *time.Time `bun:"opens_at"`
	ClosesAt         *time.Time `bun:"closes_at"`
	AgeMin           *int       `bun:"age_min"`
	AgeMax           *int       `bun:"age_max"`
	AskName          bool       `bun:"ask_name"`
	AskGuardianPhone bool       `bun:"ask_guardian_phone"`
	AskNeeds         bool       `bun:"ask_needs"`
	// Taken and CardTaken are the places confirmed; Waiting, the participants waiting.
	// Own: set for this occurrence alone, so edits of its series' sign-up leave it.
	Own       bool      `bun:"own"`
	Taken     int       `bun:"taken"`
	CardTaken int       `bun:"card_taken"`
	Waiting   int       `bun:"waiting"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// StartsAt is the event's start (the default close of the window).
	StartsAt time.Time `bun:"starts_at,scanonly"`
}

// PlacesLeft returns the places not taken, those kept for card holders left out.
func (s *SignupSettings) PlacesLeft() int { return max(0, s.Places-s.CardPlaces-s.Taken) }

// CardPlacesLeft returns the card holders' places not taken.
func (s *SignupSettings) CardPlacesLeft() int { return max(0, s.CardPlaces-s.CardTaken) }

// WaitingListLength returns how many participants wait.
func (s *SignupSettings) WaitingListLength() int { return s.Waiting }

// Closes returns when sign-up closes: ClosesAt, or the event's start.
func (s *SignupSettings) Closes() time.Time {
	if s.ClosesAt != nil {
		return *s.ClosesAt
	}
	return s.StartsAt
}

// OpenAt reports whether sign-up is open at now: within the window, with a place or room
// on the waiting list.
func (s *SignupSettings) OpenAt(now time.Time) bool {
	if s.OpensAt != nil && now.Before(*s.OpensAt) || !now.Before(s.Closes()) {
		return false
	}
	return s.PlacesLeft() > 0 || s.CardPlacesLeft() > 0 || s.Waiting < s.WaitingListSize
}

// SignupSettingsInput sets an event's sign-up; Places nil (or the input absent) ends it.
type SignupSettingsInput struct {
	EventID string
	Places  *int
	// CardPlaces of the places are kept for card holders (default 0).
	CardPlaces       *int
	WaitingListSize  *int
	GroupSizeLimit   *int
	OpensAt          *time.Time
	ClosesAt         *time.Time
	AgeMin           *int
	AgeMax           *int
	AskName          *bool
	AskGuardianPhone *bool
	AskNeeds         *bool
	// Scope: for an occurrence of a series, THIS (default) or ALL its occurrences.
	Scope *Scope

	// own marks the settings as the occurrence's own (scope THIS on an occurrence).
	own bool
}

// checkSettings returns BAD_USER_INPUT naming the first field out of bounds.
func checkSettings(in *SignupSettingsInput) error {
	n := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	switch {
	case n(in.Places) < 1 || n(in.Places) > 100000:
		return apperr.Invalid("input.places", "NumberOutOfRange", nil)
	case n(in.CardPlaces) < 0 || n(in.CardPlaces) > n(in.Places):
		return apperr.Invalid("input.cardPlaces", "CardPlacesOutOfRange", map[string]any{"Max": n(in.Places)})
	case n(in.WaitingListSize) < 0 || n(in.WaitingListSize) > 100000:
		return apperr.Invalid("input.waitingListSize", "NumberOutOfRange", nil)
	case in.GroupSizeLimit != nil && (*in.GroupSizeLimit < 1 || *in.GroupSizeLimit > 50):
		return apperr.Invalid("input.groupSizeLimit", "NumberOutOfRange", nil)
	case in.OpensAt != nil && in.ClosesAt != nil && !in.OpensAt.Before(*in.ClosesAt):
		return apperr.Invalid("input.closesAt", "EndBeforeStart", nil)
	case in.AgeMin != nil && (*in.AgeMin < 0 || *in.AgeMin > 120):
		return apperr.Invalid("input.ageMin", "NumberOutOfRange", nil)
	case in.AgeMax != nil && (*in.AgeMax < 0 || *in.AgeMax > 120 || in.AgeMin != nil && *in.AgeMax < *in.AgeMin):
		return apperr.Invalid("input.ageMax", "NumberOutOfRange", nil)
	}
	return nil
}

// SetSignupSettings sets or (Places nil) ends the sign-up of an event, or with scope ALL
// of every occurrence of its series. Places already taken stay taken: fewer places than
// taken is refused, and card places on an event without a card offer. It returns the
// event's ID. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) SetSignupSettings(ctx context.Context, in SignupSettingsInput) (uuid.UUID, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(in.EventID, "Event", "input.eventId")
	if err != nil {
		return uuid.Nil, err
	}
	if in.Places != nil {
		if err := checkSettings(&in); err != nil {
			return uuid.Nil, err
		}
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		e, err := findEventForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		// SECURITY: sign-up is set by those who may write the event (mayWrite).
		if err := mayWrite(ctx, tx, v, t.ID(), e.OrganisationID); err != nil {
			return err
		}
		if in.CardPlaces != nil && *in.CardPlaces > 0 && e.CardOfferID == nil {
			return apperr.Invalid("input.cardPlaces", "CardPlacesNeedOffer", nil)
		}
		ids := []uuid.UUID{e.ID}
		in.own = e.SeriesID != nil && (in.Scope == nil || *in.Scope != ScopeAll)
		if in.Scope != nil && *in.Scope == ScopeAll && e.SeriesID != nil {
			if err := tx.NewSelect().TableExpr("events").Column("id").
				Where("municipality_id = ? AND series_id = ?", t.ID(), *e.SeriesID).Scan(ctx, &ids); err != nil {
				return database.MapError(err, "find occurrences", "event")
			}
		}
		for _, eid := range ids {
			if err := saveSettings(ctx, tx, t, eid, &in); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "set_event_signup", ItemType: "Event", ItemID: &e.ID})
	})
}

// saveSettings writes (or deletes, Places nil) event id's settings, keeping its counts.
func saveSettings(ctx context.Context, tx bun.IDB, t *tenant.Tenant, id uuid.UUID, in *SignupSettingsInput) error {
	cur, err := lockSettings(ctx, tx, t.ID(), id)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	if in.Places == nil {
		if cur != nil && cur.Taken+cur.CardTaken+cur.Waiting > 0 {
			return apperr.Invalid("input.places", "SignupHasParticipants", nil)
		}
		_, err := tx.NewDelete().TableExpr("event_signup_settings").
			Where("municipality_id = ? AND event_id = ?", t.ID(), id).Exec(ctx)
		return database.MapError(err, "delete sign-up settings", "event")
	}
	ss := &SignupSettings{EventID: id, MunicipalityID: t.ID(), Places: *in.Places, GroupSizeLimit: 1, Own: in.own}
	if cur != nil {
		ss.Taken, ss.CardTaken, ss.Waiting = cur.Taken, cur.CardTaken, cur.Waiting
	}
	setIf(&ss.CardPlaces, in.CardPlaces)
	setIf(&ss.WaitingListSize, in.WaitingListSize)
	setIf(&ss.GroupSizeLimit, in.GroupSizeLimit)
	setIf(&ss.AskName, in.AskName)
	setIf(&ss.AskGuardianPhone, in.AskGuardianPhone)
	setIf(&ss.AskNeeds, in.AskNeeds)
	ss.OpensAt, ss.ClosesAt, ss.AgeMin, ss.AgeMax = in.OpensAt, in.ClosesAt, in.AgeMin, in.AgeMax
	if err := checkTaken(ss); err != nil {
		return err
	}
	if ss.Waiting > ss.WaitingListSize {
		return apperr.Invalid("input.waitingListSize", "FewerPlacesThanTaken", map[string]any{"Taken": ss.Waiting})
	}
	_, err = tx.NewInsert().Model(ss).
		On("CONFLICT (event_id) DO UPDATE").
		Set("places = EXCLUDED.places, card_places = EXCLUDED.card_places").
		Set("waiting_list_size = EXCLUDED.waiting_list_size, group_size_limit = EXCLUDED.group_size_limit").
		Set("opens_at = EXCLUDED.opens_at, closes_at = EXCLUDED.closes_at").
		Set("age_min = EXCLUDED.age_min, age_max = EXCLUDED.age_max, ask_name = EXCLUDED.ask_name").
		Set("ask_guardian_phone = EXCLUDED.ask_guardian_phone, ask_needs = EXCLUDED.ask_needs, own = EXCLUDED.own").
		Set("updated_at = now()").
		Exec(ctx)
	return database.MapError(err, "save sign-up settings", "input")
}

// checkTaken refuses settings with fewer places than taken: card places than card
// holders hold, or other places than others hold. Errors: BAD_USER_INPUT naming the field
// to raise.
func checkTaken(ss *SignupSettings) error {
	taken := func(field string, n int) error {
		return apperr.Invalid(field, "FewerPlacesThanTaken", map[string]any{"Taken": n})
	}
	switch {
	case ss.CardTaken > ss.CardPlaces:
		return taken("input.cardPlaces", ss.CardTaken)
	case ss.Taken+ss.CardTaken > ss.Places:
		return taken("input.places", ss.Taken+ss.CardTaken)
	case ss.Taken > ss.Places-ss.CardPlaces:
		return apperr.Invalid("input.cardPlaces", "CardPlacesOverFree",
			map[string]any{"Taken": ss.Taken, "Max": ss.Places - ss.Taken})
	}
	return nil
}

// lockSettings returns event id's settings (with its start), locked until the
// transaction ends: every change of a sign-up of the event takes this lock first.
// Errors: NOT_FOUND when the event takes no sign-ups.
func lockSettings(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*SignupSettings, error) {
	ss := new(SignupSettings)
	err := tx.NewSelect().Model(ss).
		ColumnExpr("ss.*, e.starts_at").
		Join("JOIN events AS e ON e.id = ss.event_id").
		Where("ss.municipality_id = ? AND ss.event_id = ?", mid, id).
		For("UPDATE OF ss").
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find sign-up settings", "event")
	}
	return ss, nil
}

// SignupSettingsOf returns the sign-up settings of events ids that take sign-ups, by event.
func (s *Service) SignupSettingsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*SignupSettings, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*SignupSettings
	err = s.db.NewSelect().Model(&rows).
		ColumnExpr("ss.*, e.starts_at").
		Join("JOIN events AS e ON e.id = ss.event_id").
		Where("ss.municipality_id = ? AND ss.event_id IN (?)", t.ID(), bun.In(ids)).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find sign-up settings", "event")
	}
	out := make(map[uuid.UUID]*SignupSettings, len(rows))
	for _, r := range rows {
		out[r.EventID] = r
	}
	return out, nil
}

// SignupOpen reports whether ss (nil: no sign-up) is open now.
func (s *Service) SignupOpen(ss *SignupSettings) bool { return ss != nil && ss.OpenAt(s.now()) }

// filterSignupOpen keeps the events of q (alias e) whose sign-up is open at now (open
// true) or not (false), as OpenAt says; nil keeps all.
func filterSignupOpen(q *bun.SelectQuery, open *bool, now time.Time) *bun.SelectQuery {
	if open == nil {
		return q
	}
	cond := `EXISTS (SELECT 1 FROM event_signup_settings ss WHERE ss.event_id = e.id
		AND (ss.opens_at IS NULL OR ss.opens_at <= ?) AND coalesce(ss.closes_at, e.starts_at) > ?
		AND (ss.places - ss.card_places - ss.taken > 0 OR ss.card_places - ss.card_taken > 0
			OR ss.waiting < ss.waiting_list_size))`
	if !*open {
		cond = "NOT " + cond
	}
	return q.Where(cond, now, now)
}
