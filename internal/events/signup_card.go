package events

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Card places: an event linked to a card offer ("free with the activity card") may keep
// some of its places for card holders. One is taken with one ticket of the offer, in the
// ticket's transaction (card.ClaimTicketForPlace), so the card's rules all hold: who may
// use the card, its status, the offer's programme, ages, per-card limit, allowance and
// stock, and the audit entry. The sign-up it makes names no card, no holder, no contact
// and no participant: the organiser sees "card place" and how many it admits; the ticket
// holds the link, and is shown at the door. Cancelling the ticket frees the place.

// CardSignupInput is a card place taken: the event and the card, with the card's number
// and PIN for an anonymous card.
type CardSignupInput struct {
	EventID string
	CardID  string
	Access  *card.CardAccess
}

// CardSignupResult is a card place taken: the sign-up the organiser sees and the ticket
// that holds it.
type CardSignupResult struct {
	Signup *Signup
	Ticket *card.Ticket
}

// cardEvent is an event as a card sign-up first reads it, before any lock.
type cardEvent struct {
	Status      Status     `bun:"status"`
	CardOfferID *uuid.UUID `bun:"card_offer_id,type:uuid"`
	CardPlaces  *int       `bun:"card_places"`
	CardTaken   *int       `bun:"card_taken"`
}

// SignUpWithCard takes card places for the ticket of the event's card offer that the
// card gets, both or neither: the holder (access for an anonymous card, or signed in with
// ID-porten as its holder or a guardian), or on their behalf a CASEWORKER of the card's
// agency or a CARD_COORDINATOR. The places are those the ticket admits; card places never
// go over the event's, and a card takes them once per event. Errors: the card's refusals
// as card.ClaimTicket's codes (CARD_NOT_ACTIVE, OFFER_NOT_IN_PROGRAMME, LIMIT_REACHED,
// SOLD_OUT ...; their field "input.cardId" or "input.eventId"), NOT_FOUND,
// UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, BAD_USER_INPUT naming the field (an event
// without sign-up, card offer or card places, outside the window, a card signed up
// already), CONFLICT "CardPlacesFull" naming "input.eventId" when the card places are
// gone (other places may be left: sign up for them with SignUp).
func (s *Service) SignUpWithCard(ctx context.Context, in CardSignupInput) (*CardSignupResult, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(in.EventID, "Event", "input.eventId")
	if err != nil {
		return nil, err
	}
	cardID, err := relay.ParseTypedID(in.CardID, "Card", "input.cardId")
	if err != nil {
		return nil, err
	}
	offerID, err := s.cardOfferOf(ctx, t.ID(), id)
	if err != nil {
		return nil, err
	}
	var su *Signup
	tk, err := s.Cards.ClaimTicketForPlace(ctx, cardID, offerID, in.Access,
		func(ctx context.Context, tx bun.Tx, tk *card.Ticket) (uuid.UUID, error) {
			su, err = s.takeCardPlace(ctx, tx, t.ID(), id, tk)
			if err != nil {
				return uuid.Nil, err
			}
			return su.ID, nil
		})
	if err != nil {
		return nil, cardFields(err)
	}
	return &CardSignupResult{Signup: su, Ticket: tk}, nil
}

// cardOfferOf returns the card offer of published event id, refusing early, before a
// card is locked, an event that takes no card places or has none left. Errors:
// NOT_FOUND, BAD_USER_INPUT and CONFLICT as SignUpWithCard.
func (s *Service) cardOfferOf(ctx context.Context, mid, id uuid.UUID) (uuid.UUID, error) {
	var e cardEvent
	err := s.db.NewSelect().TableExpr("events AS e").
		ColumnExpr("e.status, e.card_offer_id, ss.card_places, ss.card_taken").
		Join("LEFT JOIN event_signup_settings AS ss ON ss.event_id = e.id").
		Where("e.municipality_id = ? AND e.id = ? AND e.publication = 'PUBLISHED'", mid, id).
		Scan(ctx, &e)
	if err != nil {
		return uuid.Nil, database.MapError(err, "find event", "event")
	}
	switch {
	case e.CardPlaces == nil || e.Status == StatusCancelled:
		return uuid.Nil, apperr.Invalid("input.eventId", "SignupNotOffered", nil)
	case e.CardOfferID == nil || *e.CardPlaces == 0:
		return uuid.Nil, apperr.Invalid("input.eventId", "EventTakesNoCard", nil)
	case *e.CardTaken >= *e.CardPlaces:
		return uuid.Nil, cardPlacesFull()
	}
	return *e.CardOfferID, nil
}

// cardPlacesFull is the refusal when no card place is left.
func cardPlacesFull() error {
	return apperr.New(apperr.Conflict, "CardPlacesFull").WithField("input.eventId")
}

// takeCardPlace takes the card places ticket tk admits at event id and writes the
// sign-up holding them, with the settings locked. The card is locked by the claim, so
// its sign-ups to one event are counted right.
func (s *Service) takeCardPlace(ctx context.Context, tx bun.Tx, mid, id uuid.UUID, tk *card.Ticket) (*Signup, error) {
	ss, err := s.openSettings(ctx, tx, mid, id)
	if err != nil {
		return nil, err
	}
	switch {
	case ss.CardPlaces == 0:
		return nil, apperr.Invalid("input.eventId", "EventTakesNoCard", nil)
	case tk.Admits > ss.CardPlacesLeft():
		return nil, cardPlacesFull()
	}
	twice, err := tx.NewSelect().TableExpr("card_tickets AS tk").
		Join("JOIN event_signups AS su ON su.id = tk.event_signup_id").
		Where("tk.municipality_id = ? AND tk.card_id = ? AND su.event_id = ?", mid, tk.CardID, id).
		Exists(ctx)
	if err != nil {
		return nil, database.MapError(err, "find card places", "signup")
	}
	if twice {
		return nil, apperr.Invalid("input.cardId", "CardAlreadySignedUp", nil)
	}
	_, hash, err := newToken() // never shown: the ticket, not a token, gives the place back
	if err != nil {
		return nil, err
	}
	su := &Signup{ID: uuid.Must(uuid.NewV7()), MunicipalityID: mid, EventID: id, Status: SignupConfirmed,
		GroupSize: tk.Admits, Locale: i18n.FromContext(ctx).Code, TokenHash: hash, CardPlace: true}
	if _, err := tx.NewInsert().Model(su).Returning("seq").Exec(ctx, &su.Seq); err != nil {
		return nil, database.MapError(err, "insert sign-up", "signup")
	}
	ss.CardTaken += su.GroupSize
	return su, saveCounts(ctx, tx, ss)
}

// cardFields renames the fields of the card's refusals to the input's.
func cardFields(err error) error {
	e := apperr.As(err)
	if e == nil {
		return err
	}
	switch e.Field {
	case "offerId":
		return e.WithField("input.eventId")
	case "cardId":
		return e.WithField("input.cardId")
	}
	return err
}

// FreePlace frees the card place that sign-up id holds, when its ticket is cancelled (on
// the ticket's transaction): the sign-up is deleted and its places count again, the
// waiting list promoted as after any cancellation. A sign-up erased already is no error.
// It implements card.PlaceKeeper.
func (s *Service) FreePlace(ctx context.Context, tx bun.IDB, id uuid.UUID) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	var eventID uuid.UUID
	err = tx.NewSelect().TableExpr("event_signups").Column("event_id").
		Where("municipality_id = ? AND id = ? AND card_place", t.ID(), id).Scan(ctx, &eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return database.MapError(err, "find card place", "signup")
	}
	return s.cancel(ctx, tx, t, eventID, id)
}
