package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
)

const inboundSecret = "the mail server's secret, thirty-two characters or more"

const countsQ = `query($l: ID) { newsletterCampaigns(list: $l) {
	counts { recipients sent bounced complained unsubscribed } } }`

// bounceServer is newsletterServer with a bounce address and the inbound secret.
func bounceServer(t *testing.T) (s *testServer, admin string, box *mailtest.Inbox, list, consent string) {
	t.Helper()
	s, admin, box, list, consent, _ = newsletterServer(t, func(c *config.Config) {
		c.NewsletterBounceAddress, c.NewsletterInboundSecret = "bounces@bounce.example.org", inboundSecret
	})
	return s, admin, box, list, consent
}

// postInbound hands msg to fritid as the mail server does, for the envelope recipient,
// with secret; it returns the status and the outcome (or the error's code).
func postInbound(t *testing.T, s *testServer, recipient string, msg []byte, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/newsletter/inbound?recipient="+url.QueryEscape(recipient),
		bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "message/rfc822")
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Outcome string
		Errors  []struct{ Extensions struct{ Code string } }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("status %d, not JSON: %v", res.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return res.StatusCode, out.Errors[0].Extensions.Code
	}
	return res.StatusCode, out.Outcome
}

// wantOutcome hands msg in and checks that fritid took it with outcome.
func wantOutcome(t *testing.T, s *testServer, recipient string, msg []byte, outcome string) {
	t.Helper()
	if status, got := postInbound(t, s, recipient, msg, inboundSecret); status != http.StatusOK || got != outcome {
		t.Fatalf("inbound: %d %s, want 200 %s", status, got, outcome)
	}
}

// subscriberIDs returns the list's subscribers' IDs by address.
func subscriberIDs(t *testing.T, s *testServer, list string, headers ...string) map[string]string {
	t.Helper()
	r := ok(t, s.post(t, `query($l: ID!) { newsletterSubscribers(list: $l, first: 50) { nodes { id email } } }`,
		map[string]any{"l": list}, headers...))
	out := map[string]string{}
	for _, n := range items(r.Data, "newsletterSubscribers.nodes") {
		out[get(n, "email").(string)] = get(n, "id").(string)
	}
	return out
}

// suppressions counts the keyed hashes kept with reason, for every list or (perList) one.
func suppressions(t *testing.T, s *testServer, reason string, perList bool) int {
	t.Helper()
	var n int
	err := s.app.DB.QueryRow(`SELECT count(*) FROM newsletter_suppressions WHERE reason = ?
		AND (list_id IS NOT NULL) = ?`, reason, perList).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sendCampaign writes a campaign to the whole list and sends it through the job queue and
// SMTP.
func sendCampaign(t *testing.T, s *testServer, admin, list string) {
	t.Helper()
	r := ok(t, s.post(t, `mutation($in: CreateNewsletterCampaignInput!) { createNewsletterCampaign(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"listId": list, "texts": []any{map[string]any{"locale": "nb",
			"subject": "Vinterferien", "bodyMarkdown": "Se programmet for uke 8."}}}}, admin))
	ok(t, s.post(t, `mutation($id: ID!) { scheduleNewsletterCampaign(id: $id) { status } }`,
		map[string]any{"id": get(r.Data, "createNewsletterCampaign.id")}, admin))
	sendNewsletters(t, s)
}

// TestNewsletterBounces sends a campaign with a bounce address configured and hands what
// comes back to fritid as the mail server would: each e-mail went out from a return path
// of its own that names no person, and a real delivery report built for the envelope
// sender the SMTP server saw ends the subscription, keeps a BOUNCED hash for every list,
// tells the change feed and counts once; a delayed delivery changes nothing; a feedback
// loop's complaint, found by the header in the returned original, ends one; a forged
// token changes nothing; the mailto: address of List-Unsubscribe unsubscribes; the same
// address in another municipality stays.
func TestNewsletterBounces(t *testing.T) {
	t.Parallel()
	s, admin, box, list, _ := bounceServer(t)
	subs := []any{}
	for _, e := range []string{"a@example.no", "b@example.no", "c@example.no", "d@example.no"} {
		subs = append(subs, map[string]any{"email": e})
	}
	ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) { added } }`,
		map[string]any{"in": map[string]any{"listId": list, "source": "IMPORT", "subscribers": subs}}, admin))
	larvikAdmin, larvikList := larvikSubscriber(t, s, "a@example.no")
	ids := subscriberIDs(t, s, list, admin)
	sendCampaign(t, s, admin, list)

	received := map[string]mailtest.Message{}
	returnPath := regexp.MustCompile(`^bounces\+[a-z2-7]{31}@bounce\.example\.org$`)
	for _, e := range []string{"a@example.no", "b@example.no", "c@example.no", "d@example.no"} {
		got := box.To(e)
		if len(got) != 1 {
			t.Fatalf("%s received %d", e, len(got))
		}
		m := got[0]
		if !returnPath.MatchString(m.From) {
			t.Fatalf("the envelope sender of %s's e-mail: %q", e, m.From)
		}
		if tok := strings.TrimPrefix(strings.Split(m.From, "@")[0], "bounces+"); header(t, m, "X-Fritid-Delivery") != tok {
			t.Fatalf("the delivery header %q, the return path %q", header(t, m, "X-Fritid-Delivery"), m.From)
		}
		received[e] = m
	}
	if received["a@example.no"].From == received["b@example.no"].From {
		t.Fatal("two deliveries share a return path")
	}
	feedIDs := func() []string {
		if _, err := s.app.Integration.Dispatch(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, `{ changes(types: [SUBSCRIBER_UNSUBSCRIBED]) {
			nodes { payload { ... on SubscriberChangePayload { id } } } } }`, nil, admin))
		var out []string
		for _, n := range items(r.Data, "changes.nodes") {
			out = append(out, get(n, "payload.id").(string))
		}
		return out
	}
	counts := func() map[string]any {
		r := ok(t, s.post(t, countsQ, map[string]any{"l": list}, admin))
		return get(r.Data, "newsletterCampaigns.0.counts").(map[string]any)
	}

	t.Run("HardBounce", func(t *testing.T) {
		a := received["a@example.no"]
		dsn, err := mailtest.DeliveryReport(a, "failed", "5.1.1")
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, s, a.From, dsn, "BOUNCED")
		if _, still := subscriberIDs(t, s, list, admin)["a@example.no"]; still {
			t.Fatal("a@ is still subscribed after a hard bounce")
		}
		if c := counts(); c["bounced"] != 1.0 || c["sent"] != 4.0 {
			t.Fatalf("counts after the bounce: %v", c)
		}
		if n := suppressions(t, s, "BOUNCED", false); n != 1 {
			t.Fatalf("%d BOUNCED hashes for every list", n)
		}
		if !slices.Contains(feedIDs(), ids["a@example.no"]) {
			t.Fatal("the change feed did not hear that a@ left")
		}
		// The same report again (the mail server retried) counts nothing twice.
		wantOutcome(t, s, a.From, dsn, "IGNORED")
		if c := counts(); c["bounced"] != 1.0 {
			t.Fatalf("counted twice: %v", c)
		}
		if _, there := subscriberIDs(t, s, larvikList, larvikAdmin...)["a@example.no"]; !there {
			t.Fatal("the bounce in Demo ended a@'s subscription in Larvik")
		}
	})
	t.Run("DelayedIsNoBounce", func(t *testing.T) {
		b := received["b@example.no"]
		for _, st := range [][2]string{{"delayed", "4.4.1"}, {"failed", "4.2.2"}} {
			dsn, err := mailtest.DeliveryReport(b, st[0], st[1])
			if err != nil {
				t.Fatal(err)
			}
			wantOutcome(t, s, b.From, dsn, "IGNORED")
		}
		if _, still := subscriberIDs(t, s, list, admin)["b@example.no"]; !still {
			t.Fatal("a temporary failure ended b@'s subscription")
		}
	})
	t.Run("Complaint", func(t *testing.T) {
		// Feedback loops report to the address registered with them, not the return path:
		// the delivery is found by the header of the original.
		arf, err := mailtest.FeedbackReport(received["c@example.no"], "fbl@bounce.example.org", "abuse")
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, s, "fbl@bounce.example.org", arf, "COMPLAINED")
		if _, still := subscriberIDs(t, s, list, admin)["c@example.no"]; still {
			t.Fatal("c@ is still subscribed after a complaint")
		}
		if c := counts(); c["complained"] != 1.0 || c["bounced"] != 1.0 {
			t.Fatalf("counts after the complaint: %v", c)
		}
		if n := suppressions(t, s, "COMPLAINED", false); n != 1 {
			t.Fatalf("%d COMPLAINED hashes", n)
		}
	})
	t.Run("ForgedToken", func(t *testing.T) {
		d := received["d@example.no"]
		tok := strings.TrimPrefix(strings.Split(d.From, "@")[0], "bounces+")
		forged := tok[:10] + map[bool]string{true: "b", false: "a"}[tok[10] == 'a'] + tok[11:]
		d.From, d.Data = strings.ReplaceAll(d.From, tok, forged), strings.ReplaceAll(d.Data, tok, forged)
		dsn, err := mailtest.DeliveryReport(d, "failed", "5.1.1")
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, s, d.From, dsn, "IGNORED")
		if _, still := subscriberIDs(t, s, list, admin)["d@example.no"]; !still {
			t.Fatal("a forged token ended d@'s subscription")
		}
	})
	t.Run("MailtoUnsubscribe", func(t *testing.T) {
		lu := header(t, received["d@example.no"], "List-Unsubscribe")
		m := regexp.MustCompile(`^<https://[^>]+>, <mailto:(unsubscribe\+[a-z2-7]{31}@bounce\.example\.org)>$`).
			FindStringSubmatch(lu)
		if m == nil {
			t.Fatalf("List-Unsubscribe: %q", lu)
		}
		// What a mail client sends for the mailto: address.
		msg := []byte("From: d@example.no\r\nTo: " + m[1] + "\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n")
		wantOutcome(t, s, m[1], msg, "UNSUBSCRIBED")
		if _, still := subscriberIDs(t, s, list, admin)["d@example.no"]; still {
			t.Fatal("d@ is still subscribed after the mailto: unsubscribe")
		}
		if c := counts(); c["unsubscribed"] != 1.0 || suppressions(t, s, "UNSUBSCRIBED", true) != 1 {
			t.Fatalf("counts after the mailto: unsubscribe: %v", c)
		}
	})
	t.Run("OtherMunicipalityUntouched", func(t *testing.T) {
		if got := subscriberIDs(t, s, larvikList, larvikAdmin...); len(got) != 1 || got["a@example.no"] == "" {
			t.Fatalf("Larvik's subscribers: %v", got)
		}
	})
}

// larvikSubscriber makes a second municipality, Larvik, with an administrator and a list
// on which email is subscribed; it returns the administrator's headers and the list.
func larvikSubscriber(t *testing.T, s *testServer, email string) (headers []string, list string) {
	t.Helper()
	_, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune"))
	if err != nil {
		t.Fatal(err)
	}
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	r := ok(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"texts": []any{map[string]any{"locale": "nb", "name": "Nytt fra Larvik"}}}}, admin, "X-Municipality: larvik"))
	list = get(r.Data, "createNewsletterList.id").(string)
	ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) { added } }`,
		map[string]any{"in": map[string]any{"listId": list, "source": "ADMIN",
			"subscribers": []any{map[string]any{"email": email}}}}, admin, "X-Municipality: larvik"))
	return []string{admin, "X-Municipality: larvik"}, list
}

// TestNewsletterConfirmationBounces: the confirmation e-mail of a subscription from the
// form has a return path of its own too, and its hard bounce erases the pending
// subscription; the endpoint refuses a wrong secret and takes anything else it is given
// (garbage, an auto-reply) without acting on it.
func TestNewsletterConfirmationBounces(t *testing.T) {
	t.Parallel()
	s, admin, box, list, consent := bounceServer(t)
	ok(t, s.post(t, subscribeQ, map[string]any{"in": map[string]any{"listId": list, "email": "ukjent@example.no",
		"locale": "nb", "consentTextId": consent}}))
	bodiesTo(t, s, box, "ukjent@example.no")
	got := box.To("ukjent@example.no")
	if len(got) != 1 || !regexp.MustCompile(`^bounces\+[a-z2-7]{44}@bounce\.example\.org$`).MatchString(got[0].From) {
		t.Fatalf("the confirmation e-mail's envelope sender: %v", got)
	}
	autoReply := []byte("From: ukjent@example.no\r\nTo: " + got[0].From + "\r\nSubject: Automatic reply\r\n\r\nAway.\r\n")
	wantOutcome(t, s, got[0].From, autoReply, "IGNORED")
	wantOutcome(t, s, "", []byte("\x00garbage"), "IGNORED")
	dsn, err := mailtest.DeliveryReport(got[0], "failed", "5.1.1")
	if err != nil {
		t.Fatal(err)
	}
	if status, code := postInbound(t, s, got[0].From, dsn, "not the secret"); status != http.StatusUnauthorized ||
		code != "UNAUTHENTICATED" {
		t.Fatalf("a wrong secret: %d %s", status, code)
	}
	r := ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "s": "PENDING"}, admin))
	if get(r.Data, "newsletterSubscribers.totalCount") != 1.0 {
		t.Fatalf("before the bounce: %v", r.Data)
	}
	wantOutcome(t, s, got[0].From, dsn, "BOUNCED")
	r = ok(t, s.post(t, subscribersQ, map[string]any{"l": list}, admin))
	if get(r.Data, "newsletterSubscribers.totalCount") != 0.0 || suppressions(t, s, "BOUNCED", false) != 1 {
		t.Fatalf("after the bounce: %v", r.Data)
	}
}
