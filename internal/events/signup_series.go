package events

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// SeriesSignup is a series' sign-up settings, kept in its template: every occurrence the
// series makes (when created, edited, or by the horizon job) gets a settings row of its
// own with its own counts, its window set relative to its start.
type SeriesSignup struct {
	Places          int `json:"places"`
	WaitingListSize int `json:"waitingListSize"`
	GroupSizeLimit  int `json:"groupSizeLimit"`
	// OpensDaysBefore: sign-up opens this many days before each occurrence starts; nil:
	// as soon as the occurrence exists.
	OpensDaysBefore *int `json:"opensDaysBefore,omitempty"`
	// ClosesMinutesBefore: sign-up closes this many minutes before each start (0: at it).
	ClosesMinutesBefore int  `json:"closesMinutesBefore"`
	AgeMin              *int `json:"ageMin,omitempty"`
	AgeMax              *int `json:"ageMax,omitempty"`
	AskName             bool `json:"askName"`
	AskGuardianPhone    bool `json:"askGuardianPhone"`
	AskNeeds            bool `json:"askNeeds"`
}

// SeriesSignupInput sets a series' sign-up; Places nil ends it.
type SeriesSignupInput struct {
	Places              *int
	WaitingListSize     *int
	GroupSizeLimit      *int
	OpensDaysBefore     *int
	ClosesMinutesBefore *int
	AgeMin              *int
	AgeMax              *int
	AskName             *bool
	AskGuardianPhone    *bool
	AskNeeds            *bool
}

// Signup returns the series' sign-up settings; nil when its occurrences take none.
func (sr *Series) Signup() *SeriesSignup { return sr.Template.Signup }

// seriesSignup checks in and returns the settings it gives (nil: sign-up ends). Errors:
// BAD_USER_INPUT naming the field under input.signup.
func seriesSignup(in *SeriesSignupInput) (*SeriesSignup, error) {
	if in.Places == nil {
		return nil, nil
	}
	ss := &SeriesSignup{Places: *in.Places, GroupSizeLimit: 1, OpensDaysBefore: in.OpensDaysBefore,
		AgeMin: in.AgeMin, AgeMax: in.AgeMax}
	setIf(&ss.WaitingListSize, in.WaitingListSize)
	setIf(&ss.GroupSizeLimit, in.GroupSizeLimit)
	setIf(&ss.ClosesMinutesBefore, in.ClosesMinutesBefore)
	setIf(&ss.AskName, in.AskName)
	setIf(&ss.AskGuardianPhone, in.AskGuardianPhone)
	setIf(&ss.AskNeeds, in.AskNeeds)
	switch {
	case ss.OpensDaysBefore != nil && (*ss.OpensDaysBefore < 0 || *ss.OpensDaysBefore > 365):
		return nil, apperr.Invalid("input.signup.opensDaysBefore", "NumberOutOfRange", nil)
	case ss.ClosesMinutesBefore < 0 || ss.ClosesMinutesBefore > 365*24*60:
		return nil, apperr.Invalid("input.signup.closesMinutesBefore", "NumberOutOfRange", nil)
	case ss.OpensDaysBefore != nil && *ss.OpensDaysBefore*24*60 <= ss.ClosesMinutesBefore:
		return nil, apperr.Invalid("input.signup.closesMinutesBefore", "EndBeforeStart", nil)
	}
	probe := ss.settingsAt(time.Now())
	if err := checkSettings(&probe); err != nil {
		return nil, underSignup(err)
	}
	return ss, nil
}

// underSignup names an error's field under input.signup (input.places ->
// input.signup.places).
func underSignup(err error) error {
	if e := apperr.As(err); e != nil && strings.HasPrefix(e.Field, "input.") {
		return e.WithField("input.signup." + strings.TrimPrefix(e.Field, "input."))
	}
	return err
}

// settingsAt returns ss as the settings of an occurrence starting at start.
func (ss *SeriesSignup) settingsAt(start time.Time) SignupSettingsInput {
	in := SignupSettingsInput{Places: &ss.Places, WaitingListSize: &ss.WaitingListSize,
		GroupSizeLimit: &ss.GroupSizeLimit, AgeMin: ss.AgeMin, AgeMax: ss.AgeMax, AskName: &ss.AskName,
		AskGuardianPhone: &ss.AskGuardianPhone, AskNeeds: &ss.AskNeeds}
	if ss.OpensDaysBefore != nil {
		at := start.AddDate(0, 0, -*ss.OpensDaysBefore)
		in.OpensAt = &at
	}
	if ss.ClosesMinutesBefore > 0 {
		at := start.Add(-time.Duration(ss.ClosesMinutesBefore) * time.Minute)
		in.ClosesAt = &at
	}
	return in
}

// applySeriesSignup gives every occurrence of sr that has not ended at now, apart from
// those whose sign-up was set alone, the series' sign-up settings (or, with none, ends
// their sign-up), keeping their counts. Errors: BAD_USER_INPUT naming input.signup.places
// when an occurrence has more participants than the settings allow, or any when they end.
func applySeriesSignup(ctx context.Context, tx bun.IDB, t *tenant.Tenant, sr *Series, now time.Time) error {
	var occ []struct {
		ID       uuid.UUID `bun:"id,type:uuid"`
		StartsAt time.Time `bun:"starts_at"`
	}
	err := tx.NewSelect().TableExpr("events AS e").Column("e.id", "e.starts_at").
		Join("LEFT JOIN event_signup_settings AS ss ON ss.event_id = e.id").
		Where("e.series_id = ? AND e.ends_at > ? AND ss.own IS NOT TRUE", sr.ID, now).
		Order("e.starts_at").
		Scan(ctx, &occ)
	if err != nil {
		return database.MapError(err, "find occurrences", "event")
	}
	for _, o := range occ {
		in := SignupSettingsInput{}
		if sr.Template.Signup != nil {
			in = sr.Template.Signup.settingsAt(o.StartsAt)
		}
		if err := saveSettings(ctx, tx, t, o.ID, &in); err != nil {
			return underSignup(err)
		}
	}
	return nil
}

// insertSeriesSignups gives the new occurrences evs of sr its sign-up settings.
func insertSeriesSignups(ctx context.Context, tx bun.IDB, sr *Series, evs []*Event) error {
	if sr.Template.Signup == nil || len(evs) == 0 {
		return nil
	}
	rows := make([]*SignupSettings, len(evs))
	for i, e := range evs {
		in := sr.Template.Signup.settingsAt(e.StartsAt)
		rows[i] = &SignupSettings{EventID: e.ID, MunicipalityID: sr.MunicipalityID, Places: *in.Places,
			WaitingListSize: *in.WaitingListSize, GroupSizeLimit: *in.GroupSizeLimit, OpensAt: in.OpensAt,
			ClosesAt: in.ClosesAt, AgeMin: in.AgeMin, AgeMax: in.AgeMax, AskName: *in.AskName,
			AskGuardianPhone: *in.AskGuardianPhone, AskNeeds: *in.AskNeeds}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return database.MapError(err, "save sign-up settings", "input")
}
