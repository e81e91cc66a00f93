package events

import (
	"context"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// The e-mails to a sign-up's contact: its confirmation (a place, or a place on the
// waiting list), news of a place from the waiting list, and news that its event was
// cancelled, removed or moved. Each is in the language the contact signed up in and says
// what a person needs to find the event: its title, time, place and the group's size.
// None repeats a participant's answers (names, phone numbers, needs).

// mailFacts are what the e-mails say of an event.
type mailFacts struct {
	ID         uuid.UUID `bun:"id,type:uuid"`
	StartsAt   time.Time `bun:"starts_at"`
	EndsAt     time.Time `bun:"ends_at"`
	TimeZone   string    `bun:"time_zone"`
	AllDay     bool      `bun:"all_day"`
	Status     Status    `bun:"status"`
	Place      string    `bun:"place"`
	VenueName  string    `bun:"venue_name"`
	Street     string    `bun:"street"`
	PostalCode string    `bun:"postal_code"`
	VenuePlace string    `bun:"venue_place"`

	titles map[string]string
}

// loadMailFacts returns the facts of events ids, by event; events gone are left out.
func loadMailFacts(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*mailFacts, error) {
	out := map[uuid.UUID]*mailFacts{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []*mailFacts
	err := db.NewSelect().
		TableExpr("events AS e").
		ColumnExpr("e.id, e.starts_at, e.ends_at, e.time_zone, e.all_day, e.status, e.place").
		ColumnExpr("coalesce(v.name, '') AS venue_name, coalesce(v.street, '') AS street").
		ColumnExpr("coalesce(v.postal_code, '') AS postal_code, coalesce(v.place, '') AS venue_place").
		Join("LEFT JOIN venues AS v ON v.id = e.venue_id").
		Where("e.municipality_id = ? AND e.id IN (?)", mid, bun.In(ids)).
		Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find events", "event")
	}
	var titles []struct {
		EventID uuid.UUID `bun:"event_id,type:uuid"`
		Locale  string    `bun:"locale"`
		Title   string    `bun:"title"`
	}
	err = db.NewSelect().TableExpr("event_translations").Column("event_id", "locale", "title").
		Where("municipality_id = ? AND event_id IN (?) AND title <> ''", mid, bun.In(ids)).
		Scan(ctx, &titles)
	if err != nil {
		return nil, database.MapError(err, "find event titles", "event")
	}
	for _, r := range rows {
		r.titles = map[string]string{}
		out[r.ID] = r
	}
	for _, t := range titles {
		if f := out[t.EventID]; f != nil {
			f.titles[t.Locale] = t.Title
		}
	}
	return out, nil
}

// title returns the event's title in locale, else in the municipality's language, else
// in any.
func (f *mailFacts) title(t *tenant.Tenant, locale string) string {
	if v, _, ok := i18n.Pick(i18n.Chain(locale, t.FallbackOf, t.Municipality.DefaultLocale), f.titles); ok {
		return v
	}
	for _, v := range f.titles {
		return v
	}
	return ""
}

// when is a time of the event on its wall clock: the date alone for an all-day event.
func (f *mailFacts) when(at time.Time) string {
	l := at.In(zoneOf(f.TimeZone))
	if f.AllDay {
		return l.Format("02.01.2006")
	}
	return l.Format("02.01.2006 15:04")
}

// where is the venue's name and address with the place in words.
func (f *mailFacts) where() string {
	out := ""
	if f.VenueName != "" {
		v := Venue{Name: f.VenueName, Street: f.Street, PostalCode: f.PostalCode, Place: f.VenuePlace}
		out = v.Address()
	}
	if p := plain(f.Place); p != "" {
		if out != "" {
			out += ", "
		}
		out += p
	}
	return out
}

// data is the template data every sign-up e-mail has, for a contact in locale with
// group participants.
func (f *mailFacts) data(t *tenant.Tenant, locale string, group int) map[string]any {
	return map[string]any{"Municipality": t.Municipality.Name, "Event": f.title(t, locale),
		"StartsAt": f.when(f.StartsAt), "Place": f.where(), "Participants": group}
}

// tellSignedUp sends su's contact the confirmation of the sign-up just made: its places,
// or its position on the waiting list, with the link that cancels it (tok).
func (s *Service) tellSignedUp(ctx context.Context, tx bun.IDB, t *tenant.Tenant, su *Signup, tok string) error {
	facts, err := loadMailFacts(ctx, tx, t.ID(), []uuid.UUID{su.EventID})
	if err != nil {
		return err
	}
	f := facts[su.EventID]
	if f == nil {
		return nil
	}
	d := f.data(t, su.Locale, su.GroupSize)
	d["CancelLink"] = s.PublicURL + "/cancel-signup?token=" + url.QueryEscape(tok)
	tmpl := "SignupConfirmed"
	if su.Status == SignupWaiting {
		tmpl, d["Position"] = "SignupWaiting", su.Position
	}
	return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: t.ID(), Template: tmpl, To: su.ContactEmail,
		Locale: su.Locale, Data: d})
}
