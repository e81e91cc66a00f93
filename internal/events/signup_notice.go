package events

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// signupWatch holds the sign-ups of some events as they were before a change, with what
// their e-mails say of the events, so that after the change (in the same transaction)
// each contact can be told that its event was cancelled, removed (its sign-ups went with
// it) or moved. Only events that have not ended are watched: removing last year's
// events tells nobody.
//
// A card place has no contact: when its event is cancelled or removed, the ticket that held
// it is cancelled instead (its unit back in the offer's stock) and the place dropped.
type signupWatch struct {
	t       *tenant.Tenant
	signups []*Signup
	before  map[uuid.UUID]*mailFacts
	cards   *card.Service
	// tickets are the tickets holding the watched card places, by sign-up.
	tickets map[uuid.UUID]uuid.UUID
}

// watchSignups reads the sign-ups of the events (alias e) matching cond that have not
// ended, with their facts and the tickets of their card places.
func (s *Service) watchSignups(ctx context.Context, tx bun.IDB, t *tenant.Tenant, cond string,
	args ...any,
) (*signupWatch, error) {
	now := s.now()
	w := &signupWatch{t: t, cards: s.Cards, tickets: map[uuid.UUID]uuid.UUID{}}
	events := tx.NewSelect().TableExpr("events AS e").Column("e.id").
		Where("e.municipality_id = ? AND e.ends_at > ?", t.ID(), now).
		Where(cond, args...)
	err := tx.NewSelect().Model(&w.signups).
		Where("su.municipality_id = ? AND su.event_id IN (?)", t.ID(), events).
		Order("su.event_id", "su.seq").
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find sign-ups", "signup")
	}
	var places []uuid.UUID
	for _, su := range w.signups {
		if su.CardPlace {
			places = append(places, su.ID)
		}
	}
	if len(places) > 0 {
		var links []struct {
			ID       uuid.UUID `bun:"id"`
			SignupID uuid.UUID `bun:"event_signup_id"`
		}
		err := tx.NewSelect().TableExpr("card_tickets").Column("id", "event_signup_id").
			Where("municipality_id = ? AND event_signup_id IN (?)", t.ID(), bun.In(places)).
			Scan(ctx, &links)
		if err != nil {
			return nil, database.MapError(err, "find card places' tickets", "signup")
		}
		for _, l := range links {
			w.tickets[l.SignupID] = l.ID
		}
		// The stock slots those tickets would go back to are locked now, before the event's
		// sign-up settings, in the order claims take them (card, slot, settings).
		_, err = tx.NewRaw(`SELECT 1 FROM card_offer_stock_slots s WHERE (s.offer_id, s.slot) IN (
			SELECT tk.offer_id, tk.stock_slot FROM card_tickets tk WHERE tk.municipality_id = ? AND tk.event_signup_id IN (?))
			ORDER BY s.offer_id, s.slot FOR UPDATE`, t.ID(), bun.In(places)).Exec(ctx)
		if err != nil {
			return nil, database.MapError(err, "lock card places' stock", "signup")
		}
	}
	w.before, err = loadMailFacts(ctx, tx, t.ID(), w.eventIDs())
	return w, err
}

// eventIDs returns the events of the watched sign-ups, each once.
func (w *signupWatch) eventIDs() []uuid.UUID {
	var out []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, su := range w.signups {
		if !seen[su.EventID] {
			seen[su.EventID] = true
			out = append(out, su.EventID)
		}
	}
	return out
}

// tell compares the watched events with how they are now and, through the mail queue,
// tells each contact whose event was cancelled or removed (MailEventCancelled) or now
// starts at another time (MailEventMoved, with the new time).
func (w *signupWatch) tell(ctx context.Context, tx bun.IDB) error {
	if len(w.signups) == 0 {
		return nil
	}
	after, err := loadMailFacts(ctx, tx, w.t.ID(), w.eventIDs())
	if err != nil {
		return err
	}
	var release, drop []uuid.UUID
	for _, su := range w.signups {
		b, a := w.before[su.EventID], after[su.EventID]
		if b == nil {
			continue
		}
		if su.CardPlace {
			gone := a == nil || (a.Status == StatusCancelled && b.Status != StatusCancelled)
			if tk, ok := w.tickets[su.ID]; ok && gone {
				release = append(release, tk)
				if a != nil {
					drop = append(drop, su.ID)
				}
			}
			continue
		}
		var m *mail.Message
		switch {
		case a == nil:
			m = &mail.Message{Template: "EventCancelled", Data: b.data(w.t, su.Locale, su.GroupSize)}
		case a.Status == StatusCancelled && b.Status != StatusCancelled:
			m = &mail.Message{Template: "EventCancelled", Data: a.data(w.t, su.Locale, su.GroupSize)}
		case !a.StartsAt.Equal(b.StartsAt) && a.Status != StatusCancelled:
			d := a.data(w.t, su.Locale, su.GroupSize)
			d["StartsAt"], d["NewStartsAt"] = b.when(b.StartsAt), a.when(a.StartsAt)
			m = &mail.Message{Template: "EventMoved", Data: d}
		default:
			continue
		}
		m.MunicipalityID, m.To, m.Locale = w.t.ID(), su.ContactEmail, su.Locale
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	if len(release) > 0 && w.cards != nil {
		if err := w.cards.ReleasePlaceTickets(ctx, tx, release); err != nil {
			return err
		}
	}
	return dropCardPlaces(ctx, tx, w.t.ID(), drop)
}

// dropCardPlaces deletes the card-place sign-ups ids of a cancelled event, their places
// counted free again (nobody is promoted: the event does not take place).
func dropCardPlaces(ctx context.Context, tx bun.IDB, mid uuid.UUID, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.NewRaw(`WITH gone AS (
		DELETE FROM event_signups WHERE municipality_id = ? AND id IN (?) AND card_place RETURNING event_id, group_size)
		UPDATE event_signup_settings s SET card_taken = s.card_taken - g.n, updated_at = now()
		FROM (SELECT event_id, sum(group_size)::int AS n FROM gone GROUP BY event_id) g WHERE s.event_id = g.event_id`,
		mid, bun.In(ids)).Exec(ctx)
	return database.MapError(err, "drop card places", "signup")
}
