package events

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/teambition/rrule-go"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// Series is a recurring event: a rule with the template its occurrences are made from.
// Occurrences exist as events up to MaterialisedUntil, which a daily job moves ahead.
type Series struct {
	bun.BaseModel `bun:"table:event_series,alias:s"`

	ID                     uuid.UUID   `bun:"id,pk,type:uuid"`
	MunicipalityID         uuid.UUID   `bun:"municipality_id,type:uuid"`
	OrganisationID         *uuid.UUID  `bun:"organisation_id,type:uuid"`
	Slug                   string      `bun:"slug"`
	RRule                  string      `bun:"rrule"`
	RDates                 []time.Time `bun:"rdates,array"`
	ExDates                []time.Time `bun:"exdates,array"`
	TimeZone               string      `bun:"tzid"`
	StartsAt               time.Time   `bun:"dtstart"`
	DurationSeconds        int         `bun:"duration_seconds"`
	PausesInSchoolHolidays bool        `bun:"pauses_in_school_holidays"`
	PausesOnPublicHolidays bool        `bun:"pauses_on_public_holidays"`
	Template               Template    `bun:"template,type:jsonb"`
	MaterialisedUntil      time.Time   `bun:"materialised_until"`
	// Sequence is the iCalendar SEQUENCE: it grows on every change (kept by the database).
	Sequence  int       `bun:"sequence,scanonly"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// Template is what every occurrence of a series is made with, apart from its times.
type Template struct {
	Attrs
	Texts []*Translation `json:"texts"`
	// Signup is the sign-up settings each occurrence gets; nil: none.
	Signup *SeriesSignup `json:"signup,omitempty"`
}

// GlobalID returns the series' global ID.
func (sr *Series) GlobalID() string { return relay.GlobalID("EventSeries", sr.ID) }

// IsNode marks Series as a Node.
func (*Series) IsNode() {}

// EndsAt returns when the first occurrence ends.
func (sr *Series) EndsAt() time.Time {
	return sr.StartsAt.Add(time.Duration(sr.DurationSeconds) * time.Second)
}

func (sr *Series) rule() Rule {
	return Rule{RRule: sr.RRule, RDates: sr.RDates, ExDates: sr.ExDates, TimeZone: sr.TimeZone}
}

// norm gives a's lists their empty values where they are nil.
func (a *Attrs) norm() {
	if a.TargetGroups == nil {
		a.TargetGroups = []portal.TargetGroup{}
	}
	if a.Accessibility == nil {
		a.Accessibility = []portal.AccessibilityFeature{}
	}
	if a.CategoryIDs == nil {
		a.CategoryIDs = []uuid.UUID{}
	}
}

// attrColumns are the events columns that Attrs holds.
var attrColumns = []string{"organisation_id", "parent_id", "holiday_programme", "venue_id", "place", "all_day",
	"time_zone", "status", "publication", "target_groups", "age_min", "age_max", "accessibility", "price_ore",
	"card_offer_id", "image_ids"}

// validate checks sr's rule: its time zone, RRULE and EXDATEs, and that it makes no more
// than MaxOccurrences up to the horizon. Errors: BAD_USER_INPUT naming the field.
func (s *Service) validate(sr *Series, now time.Time) (*occurrenceSet, error) {
	set, err := buildSet(sr.rule(), sr.StartsAt, "input.rule")
	if err != nil {
		return nil, err
	}
	if err := set.checkExDates("input.rule.exdates"); err != nil {
		return nil, err
	}
	if _, err := set.expand(now.Add(s.horizon()), "input.rule.rrule"); err != nil {
		return nil, err
	}
	return set, nil
}

// existing is an occurrence row as materialise sees it.
type existing struct {
	ID              uuid.UUID `bun:"id,type:uuid"`
	RecurrenceStart time.Time `bun:"recurrence_start"`
	Overridden      bool      `bun:"overridden"`
}

// materialise makes sr's occurrence rows match its rule up to the horizon from now:
// missing ones are made from the template, those the rule (with its EXDATEs and the
// closures it pauses in) no longer gives are removed, and with all the others are made
// from the template again. Overridden occurrences are kept as they are.
func (s *Service) materialise(ctx context.Context, tx bun.IDB, sr *Series, now time.Time, all bool) error {
	set, err := buildSet(sr.rule(), sr.StartsAt, "input.rule")
	if err != nil {
		return err
	}
	until := now.Add(s.horizon())
	starts, err := set.expand(until, "input.rule.rrule")
	if err != nil {
		return err
	}
	var closed func(time.Time) bool
	if sr.PausesInSchoolHolidays || sr.PausesOnPublicHolidays {
		days, err := closedDays(ctx, tx, sr.MunicipalityID, set.dtstart, until, sr.PausesInSchoolHolidays,
			sr.PausesOnPublicHolidays)
		if err != nil {
			return err
		}
		loc := set.dtstart.Location()
		closed = func(t time.Time) bool { return days[day(t.In(loc))] }
	}
	starts = without(starts, set.exdates, closed)
	var have []existing
	if err := tx.NewSelect().TableExpr("events").Column("id", "recurrence_start", "overridden").
		Where("series_id = ?", sr.ID).Scan(ctx, &have); err != nil {
		return database.MapError(err, "find occurrences", "event")
	}
	want := map[int64]bool{}
	for _, t := range starts {
		want[t.Unix()] = true
	}
	had := map[int64]bool{}
	var drop, keep []uuid.UUID
	for _, h := range have {
		had[h.RecurrenceStart.Unix()] = true
		switch {
		case h.Overridden:
		case !want[h.RecurrenceStart.Unix()]:
			drop = append(drop, h.ID)
		default:
			keep = append(keep, h.ID)
		}
	}
	if len(drop) > 0 {
		if _, err := tx.NewDelete().TableExpr("events").Where("id IN (?)", bun.In(drop)).Exec(ctx); err != nil {
			return database.MapError(err, "remove occurrences", "event")
		}
	}
	if all {
		if err := s.remake(ctx, tx, sr, keep); err != nil {
			return err
		}
	}
	if err := s.insertOccurrences(ctx, tx, sr, starts, had); err != nil {
		return err
	}
	sr.MaterialisedUntil = until
	_, err = tx.NewUpdate().Model(sr).Column("materialised_until").WherePK().Exec(ctx)
	return database.MapError(err, "save series", "series")
}

// remake sets the template's fields, texts and categories and the rule's times on the
// occurrences ids.
func (s *Service) remake(ctx context.Context, tx bun.IDB, sr *Series, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	e := &Event{Attrs: sr.Template.Attrs}
	e.OrganisationID = sr.OrganisationID
	_, err := tx.NewUpdate().
		Model(e).
		Column(attrColumns...).
		Set("starts_at = recurrence_start").
		Set("ends_at = recurrence_start + ? * interval '1 second'", sr.DurationSeconds).
		Set("updated_at = now()").
		Where("id IN (?)", bun.In(ids)).
		Exec(ctx)
	if err != nil {
		return database.MapError(err, "update occurrences", "event")
	}
	if err := writeTexts(ctx, tx, sr.MunicipalityID, ids, sr.Template.Texts); err != nil {
		return err
	}
	return writeCategories(ctx, tx, sr.MunicipalityID, ids, sr.Template.CategoryIDs)
}

// insertOccurrences adds the occurrences at starts that had does not hold.
func (s *Service) insertOccurrences(ctx context.Context, tx bun.IDB, sr *Series, starts []time.Time,
	had map[int64]bool,
) error {
	loc := starts0Loc(starts)
	perDay := map[string]int{}
	for _, t := range starts {
		perDay[day(t.In(loc))]++
	}
	var evs []*Event
	var ids []uuid.UUID
	for _, t := range starts {
		if had[t.Unix()] {
			continue
		}
		start := t
		slug := fmt.Sprintf("%s-%s", sr.Slug, day(t.In(loc)))
		if perDay[day(t.In(loc))] > 1 {
			slug += t.In(loc).Format("-1504")
		}
		e := &Event{ID: uuid.Must(uuid.NewV7()), MunicipalityID: sr.MunicipalityID, Slug: slug,
			Attrs: sr.Template.Attrs, SeriesID: &sr.ID, RecurrenceStart: &start, StartsAt: t,
			EndsAt: t.Add(time.Duration(sr.DurationSeconds) * time.Second)}
		e.OrganisationID = sr.OrganisationID
		e.norm()
		evs, ids = append(evs, e), append(ids, e.ID)
	}
	if len(evs) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&evs).Exec(ctx); err != nil {
		return slugError(database.MapError(err, "create occurrences", "event"))
	}
	if err := insertSeriesSignups(ctx, tx, sr, evs); err != nil {
		return err
	}
	if err := writeTexts(ctx, tx, sr.MunicipalityID, ids, sr.Template.Texts); err != nil {
		return err
	}
	return writeCategories(ctx, tx, sr.MunicipalityID, ids, sr.Template.CategoryIDs)
}

func starts0Loc(starts []time.Time) *time.Location {
	if len(starts) == 0 {
		return time.UTC
	}
	return starts[0].Location()
}

// splitAt ends old just before at and returns a new series that goes on from at with
// the same rule (a COUNT shared between them), taking over the occurrences from at.
func (s *Service) splitAt(ctx context.Context, tx bun.IDB, old *Series, at time.Time) (*Series, error) {
	nw := *old
	nw.ID = uuid.Must(uuid.NewV7())
	nw.StartsAt = at
	if old.RRule != "" {
		set, err := buildSet(old.rule(), old.StartsAt, "input.rule")
		if err != nil {
			return nil, err
		}
		opt, err := rrule.StrToROptionInLocation(old.RRule, set.dtstart.Location())
		if err != nil {
			return nil, apperr.Invalid("input.rule.rrule", "RuleInvalid", nil)
		}
		before := *opt
		before.Count, before.Until = 0, at.Add(-time.Second)
		after := *opt
		if opt.Count > 0 {
			after.Count = max(1, opt.Count-len(set.rule.Between(set.dtstart, at.Add(-time.Second), true)))
		}
		old.RRule, nw.RRule = before.RRuleString(), after.RRuleString()
	}
	old.RDates, nw.RDates = partition(old.RDates, at)
	old.ExDates, nw.ExDates = partition(old.ExDates, at)
	if _, err := tx.NewInsert().Model(&nw).Exec(ctx); err != nil {
		return nil, database.MapError(err, "split series", "series")
	}
	if _, err := tx.NewUpdate().Model(old).Column("rrule", "rdates", "exdates").Set("updated_at = now()").
		WherePK().Exec(ctx); err != nil {
		return nil, database.MapError(err, "split series", "series")
	}
	_, err := tx.NewUpdate().TableExpr("events").Set("series_id = ?", nw.ID).
		Where("series_id = ? AND recurrence_start >= ?", old.ID, at).Exec(ctx)
	return &nw, database.MapError(err, "split series", "series")
}

// partition returns the times before at and those from at.
func partition(ts []time.Time, at time.Time) (before, from []time.Time) {
	before, from = []time.Time{}, []time.Time{}
	for _, t := range ts {
		if t.Before(at) {
			before = append(before, t)
		} else {
			from = append(from, t)
		}
	}
	return before, from
}

// shift moves sr's rule, its RDATEs and EXDATEs and the recurrence starts of its
// occurrence rows as one of them moved from old to new: by the same whole days and change
// of time of day on the wall clock of the series' time zone, so that a weekly 17:00 moved
// to 18:00 (or to the next day) stays at 18:00 on both sides of a daylight-saving switch.
func shift(ctx context.Context, tx bun.IDB, sr *Series, old, new time.Time) error {
	w, err := newWallShift(old, new, sr.TimeZone)
	if err != nil || w.zero() {
		return err
	}
	sr.StartsAt = w.apply(sr.StartsAt)
	for _, ts := range [][]time.Time{sr.RDates, sr.ExDates} {
		for i := range ts {
			ts[i] = w.apply(ts[i])
		}
	}
	_, err = tx.NewUpdate().TableExpr("events").
		Set(`recurrence_start = ((recurrence_start AT TIME ZONE ?) + ? * interval '1 day' + ? * interval '1 second')
			AT TIME ZONE ?`, sr.TimeZone, w.days, int64(w.clock/time.Second), sr.TimeZone).
		Where("series_id = ?", sr.ID).Exec(ctx)
	return database.MapError(err, "move occurrences", "event")
}

// wallShift is a move on the wall clock of a time zone: whole days, then a change of the
// time of day.
type wallShift struct {
	days  int
	clock time.Duration
	loc   *time.Location
}

// newWallShift returns the wall-clock move that takes old to new in time zone tz.
func newWallShift(old, new time.Time, tz string) (wallShift, error) {
	loc, err := loadZone(tz, "input.rule.timeZone")
	if err != nil {
		return wallShift{}, err
	}
	o, n := old.In(loc), new.In(loc)
	date := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	clock := func(t time.Time) time.Duration {
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
			time.Duration(t.Second())*time.Second
	}
	return wallShift{days: int(date(n).Sub(date(o)).Hours() / 24), clock: clock(n) - clock(o), loc: loc}, nil
}

func (w wallShift) zero() bool { return w.days == 0 && w.clock == 0 }

// apply moves t by w on the wall clock.
func (w wallShift) apply(t time.Time) time.Time {
	l := t.In(w.loc)
	return time.Date(l.Year(), l.Month(), l.Day()+w.days, l.Hour(), l.Minute(), l.Second()+int(w.clock/time.Second),
		l.Nanosecond(), w.loc)
}

func findSeriesForUpdate(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*Series, error) {
	sr := new(Series)
	err := tx.NewSelect().Model(sr).Where("s.municipality_id = ? AND s.id = ?", mid, id).For("UPDATE").Scan(ctx)
	return sr, database.MapError(err, "find series", "series")
}

func saveSeries(ctx context.Context, tx bun.IDB, sr *Series) error {
	_, err := tx.NewUpdate().Model(sr).
		Column("organisation_id", "slug", "rrule", "rdates", "exdates", "tzid", "dtstart", "duration_seconds",
			"pauses_in_school_holidays", "pauses_on_public_holidays", "template").
		Set("updated_at = now()").
		WherePK().
		Exec(ctx)
	return database.MapError(err, "save series", "series")
}

// rematerialiseClosed re-makes the occurrences of the municipality's series that pause
// in closures of the kinds given, after the closure calendar changed.
// The contacts of the sign-ups of occurrences that now fall in a closure are told.
func (s *Service) rematerialiseClosed(ctx context.Context, tx bun.IDB, t *tenant.Tenant, kinds ...ClosureKind) error {
	mid := t.ID()
	var school, public bool
	for _, k := range kinds {
		school = school || k == SchoolHoliday
		public = public || k == PublicHoliday
	}
	var srs []*Series
	q := tx.NewSelect().Model(&srs).Where("s.municipality_id = ?", mid).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("s.pauses_in_school_holidays AND ?", school).
				WhereOr("s.pauses_on_public_holidays AND ?", public)
		})
	if err := q.Scan(ctx); err != nil {
		return database.MapError(err, "find series", "series")
	}
	for _, sr := range srs {
		w, err := s.watchSignups(ctx, tx, t, "e.series_id = ?", sr.ID)
		if err != nil {
			return err
		}
		if err := s.materialise(ctx, tx, sr, s.now(), false); err != nil {
			return err
		}
		if err := w.tell(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}
