package events

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// CancelSignup cancels the sign-up whose secret cancellation token is given, for anyone
// holding it, and returns its event's ID. The freed places go to the waiting list.
// Errors: NOT_FOUND for a token that cancels nothing (a wrong one, or cancelled already).
func (s *Service) CancelSignup(ctx context.Context, token string) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	var eventID uuid.UUID
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		su := new(Signup)
		// SECURITY: the secret token is the right to cancel; its hash finds the sign-up.
		err := tx.NewSelect().Model(su).
			Where("su.municipality_id = ? AND su.token_hash = ?", t.ID(), tokenHash(token)).Scan(ctx)
		if err != nil {
			return database.MapError(err, "find sign-up", "token")
		}
		eventID = su.EventID
		return s.cancel(ctx, tx, t, su.EventID, su.ID)
	})
	return eventID, err
}

// CancelSignupByID cancels a sign-up for the event's organiser and returns the event's
// ID; the freed places go to the waiting list. A card place is given back only with its
// ticket (card.CancelTicket): the organiser does not know whose it is. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "id" for a card place.
func (s *Service) CancelSignupByID(ctx context.Context, gid string) (uuid.UUID, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(gid, "EventSignup", "id")
	if err != nil {
		return uuid.Nil, err
	}
	var eventID uuid.UUID
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		su, err := s.organisersSignup(ctx, tx, t.ID(), v, id)
		if err != nil {
			return err
		}
		eventID = su.EventID
		if su.CardPlace {
			return apperr.Invalid("id", "CardPlaceCancelledWithTicket", nil)
		}
		if err := s.cancel(ctx, tx, t, su.EventID, su.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "cancel_event_signup", ItemType: "Event", ItemID: &su.EventID})
	})
	return eventID, err
}

// organisersSignup returns sign-up id when v may keep its event's sign-ups.
// Errors: NOT_FOUND, FORBIDDEN.
func (s *Service) organisersSignup(ctx context.Context, tx bun.IDB, mid uuid.UUID, v *auth.Viewer,
	id uuid.UUID) (*Signup, error) {
	su := new(Signup)
	if err := tx.NewSelect().Model(su).Where("su.municipality_id = ? AND su.id = ?", mid, id).Scan(ctx); err != nil {
		return nil, database.MapError(err, "find sign-up", "id")
	}
	var org struct {
		OrganisationID *uuid.UUID `bun:"organisation_id,type:uuid"`
	}
	err := tx.NewSelect().TableExpr("events").Column("organisation_id").
		Where("municipality_id = ? AND id = ?", mid, su.EventID).Scan(ctx, &org)
	if err != nil {
		return nil, database.MapError(err, "find event", "id")
	}
	// SECURITY: an event's sign-ups are kept by those who may write the event (mayWrite).
	if err := mayWrite(ctx, tx, v, mid, org.OrganisationID); err != nil {
		return nil, err
	}
	return su, nil
}

// cancel deletes sign-up id of event eventID and gives the freed places to the waiting
// list, with the settings locked.
func (s *Service) cancel(ctx context.Context, tx bun.IDB, t *tenant.Tenant, eventID, id uuid.UUID) error {
	ss, err := lockSettings(ctx, tx, t.ID(), eventID)
	if err != nil {
		return err
	}
	su := new(Signup)
	_, err = tx.NewDelete().Model(su).Where("municipality_id = ? AND id = ?", t.ID(), id).
		Returning("status, group_size, card_place").Exec(ctx, su)
	if err != nil {
		return database.MapError(err, "delete sign-up", "id")
	}
	switch {
	case su.Status == SignupWaiting:
		ss.Waiting -= su.GroupSize
	case su.CardPlace:
		ss.CardTaken -= su.GroupSize
	default:
		ss.Taken -= su.GroupSize
	}
	if err := promote(ctx, tx, t, ss); err != nil {
		return err
	}
	return saveCounts(ctx, tx, ss)
}

// promote confirms the waiting sign-ups, first come first served, whose whole group
// fits in the places left (a group too large for them keeps its position), and tells
// each by e-mail through the job queue.
func promote(ctx context.Context, tx bun.IDB, t *tenant.Tenant, ss *SignupSettings) error {
	for ss.PlacesLeft() > 0 && ss.Waiting > 0 {
		su := new(Signup)
		err := tx.NewSelect().Model(su).
			Where("su.event_id = ? AND su.status = 'WAITING' AND su.group_size <= ?", ss.EventID, ss.PlacesLeft()).
			Order("su.seq").Limit(1).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return database.MapError(err, "find waiting", "signup")
		}
		_, err = tx.NewUpdate().Model(su).Set("status = 'CONFIRMED', updated_at = now()").WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "promote sign-up", "signup")
		}
		ss.Waiting -= su.GroupSize
		ss.Taken += su.GroupSize
		if err := tellPromoted(ctx, tx, t, su); err != nil {
			return err
		}
	}
	return nil
}

// tellPromoted sends su's contact the news that its participants have places, in the
// language it signed up in.
func tellPromoted(ctx context.Context, tx bun.IDB, t *tenant.Tenant, su *Signup) error {
	facts, err := loadMailFacts(ctx, tx, t.ID(), []uuid.UUID{su.EventID})
	if err != nil {
		return err
	}
	f := facts[su.EventID]
	if f == nil {
		return nil
	}
	return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: t.ID(), Template: "SignupPromoted",
		To: su.ContactEmail, Locale: su.Locale, Data: f.data(t, su.Locale, su.GroupSize)})
}
