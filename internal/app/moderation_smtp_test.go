package app_test

import (
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
)

// bodiesTo delivers what the outbox holds and returns the texts of the messages to address.
func bodiesTo(t *testing.T, s *testServer, box *mailtest.Inbox, address string) []string {
	t.Helper()
	deliver(t, s)
	var out []string
	for _, m := range box.To(address) {
		body, err := m.Body()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, body)
	}
	return out
}

// TestModerationMailIsDelivered follows the moderation e-mails through SMTP as a person
// reads them: the administrator's notice with its link, and the owner's rejection with
// the reason, in the municipality's language.
func TestModerationMailIsDelivered(t *testing.T) {
	t.Parallel()
	box, url := mailtest.Start(t)
	s := newServer(t, func(c *config.Config) { c.SMTPURL, c.PublicURL = url, "https://fritid.example" })
	createAdmin(t, s, "admin@example.no")
	id := registerOrg(t, s, "Stavern Sjakklubb", "leder@sjakk.no", "Leder")

	got := bodiesTo(t, s, box, "admin@example.no")
	if len(got) != 1 || !strings.Contains(got[0], "Stavern Sjakklubb har registrert seg") ||
		!strings.Contains(got[0], "https://fritid.example") || strings.Contains(got[0], "leder@sjakk.no") {
		t.Fatalf("the administrator's notice (%d):\n%s", len(got), strings.Join(got, "\n---\n"))
	}
	admin := login(t, s, "admin@example.no", "Accept-Language: en")
	ok(t, s.post(t, `mutation($id: ID!) {
		rejectOrganisation(id: $id, reason: "Klubben finnes fra før") { organisation { status } } }`,
		map[string]any{"id": id}, admin, "Accept-Language: en"))
	var rejection string
	for _, b := range bodiesTo(t, s, box, "leder@sjakk.no") {
		if strings.Contains(b, "godkjente ikke") {
			rejection = b
		}
	}
	if !strings.Contains(rejection, "Klubben finnes fra før") {
		t.Errorf("the owner's rejection, in Norwegian although the administrator reads English:\n%s", rejection)
	}
}
