package app_test

import (
	"context"
	"testing"
	"time"
)

const seriesSignupQ = `query($id: ID!) { node(id: $id) { ... on EventSeries { signup { places opensDaysBefore
	closesMinutesBefore askName } occurrences { id startsAt placesLeft signup { places opensAt closesAt askName } } } } }`

// TestSeriesSignupReachesEveryOccurrence gives a weekly swimming course sign-up as a
// series: every occurrence, also those the daily job makes later, has its own places and
// window relative to its start; an edit of the series' sign-up keeps the counts, leaves
// an occurrence set on its own as it is, and is refused when it would take places
// already given.
func TestSeriesSignupReachesEveryOccurrence(t *testing.T) {
	t.Parallel()
	s, admin := newSignupServer(t)
	s.app.Events.Horizon = 30 * 24 * time.Hour
	start := time.Date(2027, 1, 5, 17, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createSeriesQ, map[string]any{"in": eventInput("svommekurs", start, map[string]any{
		"rule": map[string]any{"rrule": "FREQ=WEEKLY"}, "publication": "PUBLISHED",
		"signup": map[string]any{"places": 2, "waitingListSize": 1, "groupSizeLimit": 2, "opensDaysBefore": 14,
			"closesMinutesBefore": 60, "askName": true}})}, admin))
	id := get(r.Data, "createEventSeries.series.id").(string)
	read := func() []map[string]any {
		t.Helper()
		r := ok(t, s.post(t, seriesSignupQ, map[string]any{"id": id}, admin))
		if get(r.Data, "node.signup.places") != 2.0 && get(r.Data, "node.signup.places") != 3.0 {
			t.Fatalf("the series' sign-up: %v", r.Data)
		}
		var out []map[string]any
		for _, o := range get(r.Data, "node.occurrences").([]any) {
			out = append(out, o.(map[string]any))
		}
		return out
	}
	occ := read()
	if len(occ) < 4 {
		t.Fatalf("%d occurrences", len(occ))
	}
	at := func(o map[string]any, path string) time.Time {
		v, _ := time.Parse(time.RFC3339, get(o, path).(string))
		return v
	}
	for _, o := range occ {
		st := at(o, "startsAt")
		if get(o, "signup.places") != 2.0 || get(o, "signup.askName") != true ||
			!at(o, "signup.opensAt").Equal(st.AddDate(0, 0, -14)) || !at(o, "signup.closesAt").Equal(st.Add(-time.Hour)) {
			t.Fatalf("an occurrence's sign-up: %v", o)
		}
	}
	ok(t, signUpAs(t, s, occ[0]["id"].(string), "mor@example.no", "Ada", "Per"))
	if occ = read(); occ[0]["placesLeft"] != 0.0 || occ[1]["placesLeft"] != 2.0 {
		t.Fatalf("counts not each occurrence's own: %v, %v", occ[0], occ[1])
	}

	t.Run("EditKeepsCountsAndOwnSettings", func(t *testing.T) {
		ok(t, s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": occ[2]["id"], "places": 10}}, admin))
		ok(t, s.post(t, `mutation($id: ID!) { updateEventSeries(input: {id: $id, signup: {places: 3}}) {
			series { id } } }`, map[string]any{"id": id}, admin))
		occ := read()
		if get(occ[0], "signup.places") != 3.0 || occ[0]["placesLeft"] != 1.0 || get(occ[1], "signup.places") != 3.0 ||
			get(occ[2], "signup.places") != 10.0 || get(occ[1], "signup.askName") != false {
			t.Fatalf("after the edit: %v", occ[:3])
		}
	})
	t.Run("FewerPlacesThanTakenRefused", func(t *testing.T) {
		wantInvalid(t, s.post(t, `mutation($id: ID!) { updateEventSeries(input: {id: $id, signup: {places: 1}}) {
			series { id } } }`, map[string]any{"id": id}, admin), "input.signup.places")
		wantInvalid(t, s.post(t, `mutation($id: ID!) { updateEventSeries(input: {id: $id,
			signup: {places: 5, opensDaysBefore: 1, closesMinutesBefore: 1440}}) { series { id } } }`,
			map[string]any{"id": id}, admin), "input.signup.closesMinutesBefore")
	})
	t.Run("TheHorizonJobsOccurrencesTakeSignups", func(t *testing.T) {
		before := count(t, s, "SELECT count(*) FROM events WHERE series_id IS NOT NULL")
		if _, err := s.app.Events.ExtendHorizons(context.Background(), start.AddDate(0, 0, 21)); err != nil {
			t.Fatal(err)
		}
		after := count(t, s, "SELECT count(*) FROM events WHERE series_id IS NOT NULL")
		missing := count(t, s, `SELECT count(*) FROM events e WHERE e.series_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM event_signup_settings ss WHERE ss.event_id = e.id
				AND (ss.places = 3 OR ss.own))`)
		if after <= before || missing != 0 {
			t.Fatalf("%d occurrences after %d; %d without the series' sign-up", after, before, missing)
		}
	})
}
