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
