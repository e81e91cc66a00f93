package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
)

// mentioning counts the bodies that contain s.
func mentioning(bodies []string, s string) int {
	n := 0
	for _, b := range bodies {
		if strings.Contains(b, s) {
			n++
		}
	}
	return n
}

// newSignupMailServer is newSignupServer delivering through the local SMTP server, with
// the portal at https://fritid.example.
func newSignupMailServer(t *testing.T) (*testServer, string, *mailtest.Inbox) {
	t.Helper()
	box, url := mailtest.Start(t)
	s, admin := newSignupServer(t, func(c *config.Config) { c.SMTPURL, c.PublicURL = url, "https://fritid.example" })
	return s, admin, box
}

// TestSignupConfirmationMail signs up one family that gets places and one that waits, in
// two languages: each gets a confirmation in its language saying which, with the time,
// the place, the group's size and a link that cancels with its own token, and without
// the answers given about the participants.
func TestSignupConfirmationMail(t *testing.T) {
	t.Parallel()
	s, admin, box := newSignupMailServer(t)
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("maleverksted", start,
		map[string]any{"publication": "PUBLISHED", "place": "Kulturhuset, sal 2"})}, admin))
	id := get(r.Data, "createEvent.event.id").(string)
	ok(t, s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": id, "places": 2,
		"waitingListSize": 4, "groupSizeLimit": 2, "askName": true, "askNeeds": true}}, admin))
	signUp := func(email string, names []string, header ...string) string {
		ps := make([]any, len(names))
		for i, n := range names {
			ps[i] = map[string]any{"name": n, "needs": "nøtteallergi"}
		}
		r := ok(t, s.post(t, signUpQ, map[string]any{"in": map[string]any{"eventId": id, "contactEmail": email,
			"participants": ps}}, header...))
		return get(r.Data, "signUp.cancellationToken").(string)
	}
	mor := signUp("mor@example.no", []string{"Ada", "Per"})
	far := signUp("far@example.no", []string{"Bo"}, "Accept-Language: en")

	got := bodiesTo(t, s, box, "mor@example.no")
	for _, want := range []string{"2 har fått plass på «Teater: maleverksted»", "Tid: 10.02.2027 19:00",
		"Sted: Kulturhuset, sal 2", "https://fritid.example/cancel-signup?token=" + mor} {
		if len(got) != 1 || !strings.Contains(got[0], want) {
			t.Fatalf("the confirmed family's e-mail lacks %q:\n%s", want, strings.Join(got, "\n---\n"))
		}
	}
	got = append(got, bodiesTo(t, s, box, "far@example.no")...)
	if len(got) != 2 || !strings.Contains(got[1], "1 is number 1 on the waiting list") ||
		!strings.Contains(got[1], "Time: 10.02.2027 19:00") ||
		!strings.Contains(got[1], "https://fritid.example/cancel-signup?token="+far) {
		t.Fatalf("the waiting family's e-mail:\n%s", strings.Join(got, "\n---\n"))
	}
	for _, secret := range []string{"nøtteallergi", "Ada", "Per", "Bo\n"} {
		if mentioning(got, secret) != 0 {
			t.Fatalf("an e-mail repeats the answer %q:\n%s", secret, strings.Join(got, "\n---\n"))
		}
	}
	t.Run("TheLinksTokenCancels", func(t *testing.T) {
		r := ok(t, s.post(t, cancelSignupQ, map[string]any{"t": far}))
		if get(r.Data, "cancelSignup.event.waitingListLength") != 0.0 {
			t.Fatalf("after cancelling with the e-mail's token: %v", r.Data)
		}
	})
}

const updateEventQ = `mutation($in: UpdateEventInput!) { updateEvent(input: $in) { event { id } } }`

// TestSignupsToldWhenTheirEventGoesAway signs families up to events that are then
// cancelled, moved, and removed with their whole series: every confirmed and waiting
// contact is told by e-mail in its language, through SMTP, although the sign-ups go with
// a removed event. A family signed up to an event that only changes its texts is told
// nothing.
func TestSignupsToldWhenTheirEventGoesAway(t *testing.T) {
	t.Parallel()
	s, admin, box := newSignupMailServer(t)
	settings := func() map[string]any { return map[string]any{"places": 1, "waitingListSize": 5} }
	cancelled := signupEvent(t, s, admin, "bading", settings())
	moved := signupEvent(t, s, admin, "skoyter", settings())
	ok(t, signUpAs(t, s, cancelled, "a@example.no", "Ada"))
	ok(t, s.post(t, signUpQ, map[string]any{"in": map[string]any{"eventId": cancelled,
		"contactEmail": "b@example.no", "participants": []any{map[string]any{}}}}, "Accept-Language: en"))
	ok(t, signUpAs(t, s, moved, "c@example.no", "Ada"))
	start := time.Date(2027, 2, 9, 17, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createSeriesQ, map[string]any{"in": eventInput("svomming", start, map[string]any{
		"rule": map[string]any{"rrule": "FREQ=WEEKLY;COUNT=4"}, "publication": "PUBLISHED"})}, admin))
	occ := get(r.Data, "createEventSeries.series.occurrences").([]any)
	first, third := occ[0].(map[string]any)["id"].(string), occ[2].(map[string]any)["id"].(string)
	ok(t, s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": first, "places": 5, "scope": "ALL"}},
		admin))
	ok(t, signUpAs(t, s, first, "d@example.no", "Ada"))
	ok(t, signUpAs(t, s, third, "e@example.no", "Ada"))
	deliver(t, s) // the confirmations

	t.Run("Cancelled", func(t *testing.T) {
		ok(t, s.post(t, updateEventQ, map[string]any{"in": map[string]any{"id": cancelled, "status": "CANCELLED"}},
			admin))
		a, b := bodiesTo(t, s, box, "a@example.no"), bodiesTo(t, s, box, "b@example.no")
		if mentioning(a, "«Teater: bading» (10.02.2027 19:00) er avlyst") != 1 ||
			mentioning(b, "\"Teater: bading\" (10.02.2027 19:00) has been cancelled") != 1 {
			t.Fatalf("the confirmed and the waiting contact:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	})
	t.Run("Moved", func(t *testing.T) {
		ok(t, s.post(t, updateEventQ, map[string]any{"in": map[string]any{"id": moved,
			"texts": []any{map[string]any{"locale": "nb", "summary": "Husk hjelm"}}}}, admin))
		if got := bodiesTo(t, s, box, "c@example.no"); mentioning(got, "flyttet") != 0 {
			t.Fatalf("told of a move when only the texts changed:\n%s", strings.Join(got, "\n"))
		}
		ok(t, s.post(t, updateEventQ, map[string]any{"in": map[string]any{"id": moved,
			"startsAt": "2027-02-11T17:00:00Z"}}, admin))
		got := bodiesTo(t, s, box, "c@example.no")
		if mentioning(got, "«Teater: skoyter» er flyttet fra 10.02.2027 19:00 til 11.02.2027 18:00") != 1 {
			t.Fatalf("the contact of the moved event:\n%s", strings.Join(got, "\n---\n"))
		}
	})
	t.Run("SeriesDeleted", func(t *testing.T) {
		ok(t, s.post(t, `mutation($id: ID!) { deleteEvent(id: $id, scope: ALL) { deletedId } }`,
			map[string]any{"id": third}, admin))
		d, e := bodiesTo(t, s, box, "d@example.no"), bodiesTo(t, s, box, "e@example.no")
		if mentioning(d, "«Teater: svomming» (09.02.2027 18:00) er avlyst") != 1 ||
			mentioning(e, "«Teater: svomming» (23.02.2027 18:00) er avlyst") != 1 {
			t.Fatalf("the contacts of two occurrences:\n%s\n---\n%s", strings.Join(d, "\n"), strings.Join(e, "\n"))
		}
		if n := count(t, s, "SELECT count(*) FROM event_signups WHERE contact_email IN ('d@example.no', 'e@example.no')"); n != 0 {
			t.Fatalf("%d sign-ups left of a removed series", n)
		}
	})
}
