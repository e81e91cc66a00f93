package events

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// signupWatch holds the sign-ups of some events as they were before a change, with what
// their e-mails say of the events, so that after the change (in the same transaction)
// each contact can be told that its event was cancelled, removed (its sign-ups went with
// it) or moved. Only events that have not ended are watched: removing last year's
// events tells nobody.
type signupWatch struct {
	t       *tenant.Tenant
	signups []*Signup
	before  map[uuid.UUID]*mailFacts
}

// watchSignups reads the sign-ups of the events (alias e) matching cond that have not
// ended at now, with their facts.
func watchSignups(ctx context.Context, tx bun.IDB, t *tenant.Tenant, now time.Time, cond string,
	args ...any,
) (*signupWatch, error) {
	w := &signupWatch{t: t}
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
	for _, su := range w.signups {
		b, a := w.before[su.EventID], after[su.EventID]
		if b == nil {
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
	return nil
}
