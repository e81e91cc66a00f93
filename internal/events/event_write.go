package events

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// newAttrs returns the fields of a new event or series in t: a scheduled draft in the
// municipality's time zone.
func newAttrs(t *tenant.Tenant) Attrs {
	a := Attrs{Status: StatusScheduled, Publication: Draft, TimeZone: t.Municipality.TimeZone}
	a.norm()
	return a
}

// begin returns the tenant and the signed-in viewer of a write.
func begin(ctx context.Context) (*tenant.Tenant, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v, err := auth.RequirePerson(ctx)
	return t, v, err
}

// required returns BAD_USER_INPUT naming the first field not given.
func required(in *EventInput) error {
	switch {
	case in.Slug == nil:
		return apperr.Invalid("input.slug", "ValueRequired", nil)
	case in.StartsAt == nil:
		return apperr.Invalid("input.startsAt", "ValueRequired", nil)
	case in.EndsAt == nil:
		return apperr.Invalid("input.endsAt", "ValueRequired", nil)
	}
	return nil
}

// CreateEvent writes a new event (a DRAFT unless publication says otherwise) with its
// texts and an audit entry. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the
// field, CONFLICT for a slug in use.
func (s *Service) CreateEvent(ctx context.Context, in EventInput) (uuid.UUID, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	if err := required(&in); err != nil {
		return uuid.Nil, err
	}
	if err := checkSlug(*in.Slug, 100); err != nil {
		return uuid.Nil, err
	}
	e := &Event{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), Slug: *in.Slug, Attrs: newAttrs(t)}
	if e.OrganisationID, err = optionalID(in.OrganisationID, "Organisation", "input.organisationId"); err != nil {
		return uuid.Nil, err
	}
	if err := applyAttrs(&e.Attrs, &in); err != nil {
		return uuid.Nil, err
	}
	if err := applyTimes(&e.StartsAt, &e.EndsAt, &in); err != nil {
		return uuid.Nil, err
	}
	return e.ID, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: the writer must write events of the event's organisation (mayWrite).
		if err := mayWrite(ctx, tx, v, t.ID(), e.OrganisationID); err != nil {
			return err
		}
		if err := checkRefs(ctx, tx, t.ID(), &e.Attrs, e.ID); err != nil {
			return err
		}
		ps, err := prepareTexts(ctx, tx, t, in.Texts)
		if err != nil {
			return err
		}
		texts := mergeTexts(nil, ps)
		if err := requireTitle(texts); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return slugError(database.MapError(err, "create event", "event"))
		}
		if err := writeTexts(ctx, tx, t.ID(), []uuid.UUID{e.ID}, texts); err != nil {
			return err
		}
		if err := writeCategories(ctx, tx, t.ID(), []uuid.UUID{e.ID}, e.CategoryIDs); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "create_event", ItemType: "Event", ItemID: &e.ID})
	})
}

// findEventForUpdate locks municipality mid's event id. Errors: NOT_FOUND; FORBIDDEN
// naming "id" (SharedProviderReadOnly) for a shared provider's event shown here, which
// only the provider and its home municipality change.
func findEventForUpdate(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*Event, error) {
	e := new(Event)
	err := withLinks(tx.NewSelect().Model(e), mid).
		Where("e.municipality_id = ? AND e.id = ?", mid, id).
		For("UPDATE OF e").
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		shared, err := servedHere(ctx, tx, mid, id)
		if err != nil {
			return nil, err
		}
		if shared {
			return nil, apperr.New(apperr.Forbidden, "SharedProviderReadOnly").WithField("id")
		}
	}
	return e, database.MapError(err, "find event", "event")
}

// servedHere reports whether event id is a shared provider's that municipality mid shows.
func servedHere(ctx context.Context, db bun.IDB, mid, id uuid.UUID) (bool, error) {
	ok, err := db.NewSelect().TableExpr("fritid_served_events(?) AS x(id)", mid).Where("x.id = ?", id).Exists(ctx)
	return ok, database.MapError(err, "find event", "event")
}

// UpdateEvent changes an event. For an occurrence of a series, scope says which: THIS
// (the default) changes it alone and the rule keeps it as it is from then on; ALL changes
// the series' template and every occurrence not changed alone, a new start moving the
// rule by as much; THIS_AND_FOLLOWING splits the series there and changes the second
// part as ALL does. The contacts of the sign-ups of an occurrence cancelled, removed or
// moved by the change are told by e-mail. It returns the event's ID. Errors:
// UNAUTHENTICATED, FORBIDDEN (for the event as it is or as it would be), NOT_FOUND,
// BAD_USER_INPUT naming the field, CONFLICT.
func (s *Service) UpdateEvent(ctx context.Context, in EventInput) (uuid.UUID, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(deref(in.ID), "Event", "input.id")
	if err != nil {
		return uuid.Nil, err
	}
	if in.Rule != nil || in.PausesInSchoolHolidays != nil || in.PausesOnPublicHolidays != nil || in.Signup != nil {
		return uuid.Nil, apperr.Invalid("input.rule", "SeriesOnly", nil)
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		e, err := findEventForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		// SECURITY: the writer must write the event as it is ...
		if err := mayWrite(ctx, tx, v, t.ID(), e.OrganisationID); err != nil {
			return err
		}
		scope := ScopeThis
		if in.Scope != nil {
			scope = *in.Scope
		}
		w, err := s.watchEdited(ctx, tx, t, e, scope)
		if err != nil {
			return err
		}
		if e.SeriesID != nil && scope != ScopeThis {
			err = s.updateSeriesFrom(ctx, tx, t, v, e, in, scope)
		} else {
			err = s.updateOne(ctx, tx, t, v, e, in)
		}
		if err != nil {
			return err
		}
		return w.tell(ctx, tx)
	})
}

// watchEdited watches the sign-ups of e, or with a scope other than THIS of every
// occurrence of e's series, for a change that may cancel, remove or move them.
func (s *Service) watchEdited(ctx context.Context, tx bun.IDB, t *tenant.Tenant, e *Event, scope Scope,
) (*signupWatch, error) {
	if e.SeriesID != nil && scope != ScopeThis {
		return s.watchSignups(ctx, tx, t, "e.series_id = ?", *e.SeriesID)
	}
	return s.watchSignups(ctx, tx, t, "e.id = ?", e.ID)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// updateOne applies in to e alone.
func (s *Service) updateOne(ctx context.Context, tx bun.IDB, t *tenant.Tenant, v *auth.Viewer, e *Event,
	in EventInput,
) error {
	var err error
	if in.OrganisationID != nil {
		if e.OrganisationID, err = optionalID(in.OrganisationID, "Organisation", "input.organisationId"); err != nil {
			return err
		}
	}
	if in.Slug != nil {
		if err := checkSlug(*in.Slug, 100); err != nil {
			return err
		}
		e.Slug = *in.Slug
	}
	if err := applyAttrs(&e.Attrs, &in); err != nil {
		return err
	}
	if err := applyTimes(&e.StartsAt, &e.EndsAt, &in); err != nil {
		return err
	}
	// SECURITY: ... and as it would be (no moving it to an organisation not theirs).
	if err := mayWrite(ctx, tx, v, t.ID(), e.OrganisationID); err != nil {
		return err
	}
	if err := checkRefs(ctx, tx, t.ID(), &e.Attrs, e.ID); err != nil {
		return err
	}
	if err := s.saveTexts(ctx, tx, t, e.ID, in.Texts); err != nil {
		return err
	}
	e.Overridden = e.SeriesID != nil
	_, err = tx.NewUpdate().Model(e).
		Column(attrColumns...).
		Column("slug", "starts_at", "ends_at", "overridden").
		Set("updated_at = now()").
		WherePK().
		Exec(ctx)
	if err != nil {
		return slugError(database.MapError(err, "update event", "event"))
	}
	if in.CategoryIDs != nil {
		if err := writeCategories(ctx, tx, t.ID(), []uuid.UUID{e.ID}, e.CategoryIDs); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
		Action: "update_event", ItemType: "Event", ItemID: &e.ID, Fields: fieldsOf(in)})
}

// saveTexts merges the texts given into event id's.
func (s *Service) saveTexts(ctx context.Context, tx bun.IDB, t *tenant.Tenant, id uuid.UUID, ins []*TextsInput) error {
	if len(ins) == 0 {
		return nil
	}
	ps, err := prepareTexts(ctx, tx, t, ins)
	if err != nil {
		return err
	}
	cur, err := loadTexts(ctx, tx, t.ID(), []uuid.UUID{id})
	if err != nil {
		return err
	}
	texts := mergeTexts(cur[id], ps)
	if err := requireTitle(texts); err != nil {
		return err
	}
	return writeTexts(ctx, tx, t.ID(), []uuid.UUID{id}, texts)
}

// updateSeriesFrom applies in to e's series from e on (THIS_AND_FOLLOWING) or to all of it.
func (s *Service) updateSeriesFrom(ctx context.Context, tx bun.IDB, t *tenant.Tenant, v *auth.Viewer, e *Event,
	in EventInput, scope Scope,
) error {
	sr, err := findSeriesForUpdate(ctx, tx, t.ID(), *e.SeriesID)
	if err != nil {
		return err
	}
	if scope == ScopeThisAndFollowing && e.RecurrenceStart.After(sr.StartsAt) {
		if sr, err = s.splitAt(ctx, tx, sr, *e.RecurrenceStart); err != nil {
			return err
		}
	}
	start, end := e.StartsAt, e.EndsAt
	if err := applyTimes(&start, &end, &in); err != nil {
		return err
	}
	if err := shift(ctx, tx, sr, e.StartsAt, start); err != nil {
		return err
	}
	// The occurrence edited goes with the series again, if it was changed alone before.
	if _, err := tx.NewUpdate().TableExpr("events").Set("overridden = false").Where("id = ?", e.ID).
		Exec(ctx); err != nil {
		return database.MapError(err, "update event", "event")
	}
	if in.StartsAt != nil || in.EndsAt != nil { // else each keeps the series' length
		sr.DurationSeconds = int(end.Sub(start) / time.Second)
	}
	return s.writeSeries(ctx, tx, t, v, sr, in, "update_series")
}

// writeSeries applies in's fields and texts to sr's template, checks and saves it and
// makes its occurrences again.
func (s *Service) writeSeries(ctx context.Context, tx bun.IDB, t *tenant.Tenant, v *auth.Viewer, sr *Series,
	in EventInput, action string,
) error {
	var err error
	if in.OrganisationID != nil {
		if sr.OrganisationID, err = optionalID(in.OrganisationID, "Organisation", "input.organisationId"); err != nil {
			return err
		}
	}
	sr.Template.OrganisationID = sr.OrganisationID
	if err := applyAttrs(&sr.Template.Attrs, &in); err != nil {
		return err
	}
	sr.Template.norm()
	sr.TimeZone = sr.Template.TimeZone
	setIf(&sr.PausesInSchoolHolidays, in.PausesInSchoolHolidays)
	setIf(&sr.PausesOnPublicHolidays, in.PausesOnPublicHolidays)
	if in.Rule != nil {
		sr.RRule, sr.RDates, sr.ExDates = deref(in.Rule.RRule), orNone(in.Rule.RDates), orNone(in.Rule.ExDates)
	}
	if in.Signup != nil {
		if sr.Template.Signup, err = seriesSignup(in.Signup); err != nil {
			return err
		}
	}
	// SECURITY: the writer must write the series as it will be.
	if err := mayWrite(ctx, tx, v, t.ID(), sr.OrganisationID); err != nil {
		return err
	}
	if err := checkRefs(ctx, tx, t.ID(), &sr.Template.Attrs, uuid.Nil); err != nil {
		return err
	}
	ps, err := prepareTexts(ctx, tx, t, in.Texts)
	if err != nil {
		return err
	}
	sr.Template.Texts = mergeTexts(sr.Template.Texts, ps)
	if err := requireTitle(sr.Template.Texts); err != nil {
		return err
	}
	if _, err := s.validate(sr, s.now()); err != nil {
		return err
	}
	if action == "create_series" {
		sr.MaterialisedUntil = sr.StartsAt
		if _, err := tx.NewInsert().Model(sr).Exec(ctx); err != nil {
			return database.MapError(err, "create series", "series")
		}
	} else if err := saveSeries(ctx, tx, sr); err != nil {
		return err
	}
	if err := s.materialise(ctx, tx, sr, s.now(), true); err != nil {
		return err
	}
	// The occurrences kept get the sign-up as it is now, their windows following their starts.
	if action != "create_series" && (in.Signup != nil || sr.Template.Signup != nil) {
		if err := applySeriesSignup(ctx, tx, t, sr, s.now()); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: action,
		ItemType: "EventSeries", ItemID: &sr.ID, Fields: fieldsOf(in)})
}

func orNone(ts []time.Time) []time.Time {
	if ts == nil {
		return []time.Time{}
	}
	return ts
}

// CreateSeries writes a recurring event and all its occurrences up to the horizon, or
// nothing: startsAt and endsAt are the first occurrence's. Errors: UNAUTHENTICATED,
// FORBIDDEN, BAD_USER_INPUT naming the field (an unknown time zone, an invalid RRULE, a
// rule making more than MaxOccurrences, an EXDATE that matches no occurrence).
func (s *Service) CreateSeries(ctx context.Context, in EventInput) (*Series, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := required(&in); err != nil {
		return nil, err
	}
	if in.Rule == nil {
		return nil, apperr.Invalid("input.rule", "ValueRequired", nil)
	}
	if err := checkSlug(*in.Slug, 80); err != nil {
		return nil, err
	}
	var start, end time.Time
	if err := applyTimes(&start, &end, &in); err != nil {
		return nil, err
	}
	sr := &Series{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), Slug: *in.Slug,
		Template: Template{Attrs: newAttrs(t)}, StartsAt: start, DurationSeconds: int(end.Sub(start) / time.Second),
		RDates: []time.Time{}, ExDates: []time.Time{}}
	return sr, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		return s.writeSeries(ctx, tx, t, v, sr, in, "create_series")
	})
}

// UpdateSeries changes a series as a whole: its rule, pauses, times (startsAt and endsAt
// are the first occurrence's), fields and texts, and makes its occurrences again;
// occurrences changed alone are kept. The contacts of the sign-ups of occurrences
// cancelled, removed or moved are told by e-mail. Errors: as CreateSeries, and NOT_FOUND.
func (s *Service) UpdateSeries(ctx context.Context, in EventInput) (*Series, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(deref(in.ID), "EventSeries", "input.id")
	if err != nil {
		return nil, err
	}
	var sr *Series
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if sr, err = findSeriesForUpdate(ctx, tx, t.ID(), id); err != nil {
			return err
		}
		// SECURITY: the writer must write the series as it is ...
		if err := mayWrite(ctx, tx, v, t.ID(), sr.OrganisationID); err != nil {
			return err
		}
		start, end := sr.StartsAt, sr.EndsAt()
		if err := applyTimes(&start, &end, &in); err != nil {
			return err
		}
		sr.StartsAt, sr.DurationSeconds = start, int(end.Sub(start)/time.Second)
		w, err := s.watchSignups(ctx, tx, t, "e.series_id = ?", sr.ID)
		if err != nil {
			return err
		}
		// ... and writeSeries checks it as it will be.
		if err := s.writeSeries(ctx, tx, t, v, sr, in, "update_series"); err != nil {
			return err
		}
		return w.tell(ctx, tx)
	})
	return sr, err
}

// DeleteEvent removes an event; for an occurrence of a series, scope says which: THIS
// (the default) removes it alone and excludes its date from the rule, THIS_AND_FOLLOWING
// ends the series before it, ALL removes the series. The contacts of the sign-ups of the
// events removed that have not ended are told by e-mail. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND.
func (s *Service) DeleteEvent(ctx context.Context, gid string, scope Scope) error {
	t, v, err := begin(ctx)
	if err != nil {
		return err
	}
	id, err := relay.ParseTypedID(gid, "Event", "id")
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		e, err := findEventForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		// SECURITY: the writer must write the event.
		if err := mayWrite(ctx, tx, v, t.ID(), e.OrganisationID); err != nil {
			return err
		}
		w, err := s.watchEdited(ctx, tx, t, e, scope)
		if err != nil {
			return err
		}
		if e.SeriesID != nil {
			if err := s.deleteFromSeries(ctx, tx, e, scope); err != nil {
				return err
			}
		}
		if _, err := tx.NewDelete().TableExpr("events").Where("id = ?", e.ID).Exec(ctx); err != nil {
			return database.MapError(err, "delete event", "event")
		}
		if err := w.tell(ctx, tx); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "delete_event", ItemType: "Event", ItemID: &e.ID, Fields: []string{string(scope)}})
	})
}

// deleteFromSeries changes e's series so that the rule does not make e again.
func (s *Service) deleteFromSeries(ctx context.Context, tx bun.IDB, e *Event, scope Scope) error {
	sr, err := findSeriesForUpdate(ctx, tx, e.MunicipalityID, *e.SeriesID)
	if err != nil {
		return err
	}
	at := *e.RecurrenceStart
	switch {
	case scope == ScopeAll || (scope == ScopeThisAndFollowing && !at.After(sr.StartsAt)):
		_, err := tx.NewDelete().Model(sr).WherePK().Exec(ctx)
		return database.MapError(err, "delete series", "series")
	case scope == ScopeThisAndFollowing:
		nw, err := s.splitAt(ctx, tx, sr, at)
		if err != nil {
			return err
		}
		_, err = tx.NewDelete().Model(nw).WherePK().Exec(ctx)
		return database.MapError(err, "delete series", "series")
	}
	sr.ExDates = append(sr.ExDates, at)
	return saveSeries(ctx, tx, sr)
}

// fieldsOf names the fields in sets, for the audit log.
func fieldsOf(in EventInput) []string {
	var out []string
	for name, set := range map[string]bool{"slug": in.Slug != nil, "organisationId": in.OrganisationID != nil,
		"parentId": in.ParentID != nil, "holidayProgramme": in.HolidayProgramme != nil, "venueId": in.VenueID != nil,
		"place": in.Place != nil, "startsAt": in.StartsAt != nil, "endsAt": in.EndsAt != nil, "allDay": in.AllDay != nil,
		"timeZone": in.TimeZone != nil, "status": in.Status != nil, "publication": in.Publication != nil,
		"categoryIds": in.CategoryIDs != nil, "imageIds": in.ImageIDs != nil, "targetGroups": in.TargetGroups != nil,
		"ageMin": in.AgeMin != nil,
		"ageMax": in.AgeMax != nil, "accessibility": in.Accessibility != nil, "priceOre": in.PriceOre != nil,
		"cardOfferId": in.CardOfferID != nil, "texts": in.Texts != nil, "rule": in.Rule != nil,
		"pausesInSchoolHolidays": in.PausesInSchoolHolidays != nil,
		"pausesOnPublicHolidays": in.PausesOnPublicHolidays != nil, "signup": in.Signup != nil} {
		if set {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
