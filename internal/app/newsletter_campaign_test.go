package app_test

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	fmail "github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/newsletter"
	"github.com/fritid/fritid/internal/platform/jobs"
)

const campaignQ = `query($l: ID) { newsletterCampaigns(list: $l) { id status
	counts { recipients pending sent failed skipped unsubscribed } } }`

// sendNewsletters has the job queue work until no newsletter or mail job is due.
func sendNewsletters(t *testing.T, s *testServer) {
	t.Helper()
	startJobs(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := jobs.WaitIdle(ctx, s.app.DB, newsletter.QueueKind, newsletter.SendKind, fmail.Kind); err != nil {
		t.Fatal(err)
	}
}

// header returns a header field of a received message.
func header(t *testing.T, m mailtest.Message, name string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header.Get(name)
}

// TestNewsletterCampaign writes an issue in two languages for the subscribers of one
// interest, previews it, tests it to the editor's own address and sends it through the job
// queue and SMTP: each confirmed subscriber with the interest (or with none picked) gets
// it in their language with both unsubscribe headers of RFC 8058 and no tracking; the
// counts say what was sent, and a one-click unsubscribe from the received header counts.
func TestNewsletterCampaign(t *testing.T) {
	t.Parallel()
	s, admin, box, list, consent, cat := newsletterServer(t)
	subs := []any{map[string]any{"email": "a@example.no", "interests": map[string]any{"categories": []any{cat}}},
		map[string]any{"email": "b@example.no", "locale": "en"},
		map[string]any{"email": "c@example.no", "interests": map[string]any{"ageGroups": []any{"YOUTH"}}}}
	ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) { added } }`,
		map[string]any{"in": map[string]any{"listId": list, "source": "IMPORT", "subscribers": subs}}, admin))
	ok(t, s.post(t, subscribeQ, map[string]any{"in": map[string]any{"listId": list, "email": "venter@example.no",
		"locale": "nb", "consentTextId": consent}}))
	r := ok(t, s.post(t, `mutation($in: CreateNewsletterCampaignInput!) { createNewsletterCampaign(input: $in) {
		id status texts { locale subject body { html } } } }`, map[string]any{"in": map[string]any{"listId": list,
		"interests": map[string]any{"categories": []any{cat}},
		"texts": []any{
			map[string]any{"locale": "nb", "subject": "Vinterferien", "bodyMarkdown": "Se **programmet** for uke 8."},
			map[string]any{"locale": "en", "subject": "Winter holiday", "bodyMarkdown": "See the **programme** for week 8."}}}},
		admin))
	id := get(r.Data, "createNewsletterCampaign.id").(string)
	if get(r.Data, "createNewsletterCampaign.status") != "DRAFT" ||
		!strings.Contains(get(r.Data, "createNewsletterCampaign.texts.1.body.html").(string), "<strong>programmet</strong>") {
		t.Fatalf("the draft: %v", r.Data)
	}
	p := ok(t, s.post(t, `query($id: ID!) { newsletterCampaignPreview(id: $id, locale: "en") { subject html text
		headers { name value } } }`, map[string]any{"id": id}, admin))
	if get(p.Data, "newsletterCampaignPreview.subject") != "Winter holiday" ||
		!strings.Contains(get(p.Data, "newsletterCampaignPreview.text").(string), "Unsubscribe: http") {
		t.Fatalf("the preview: %v", p.Data)
	}

	ok(t, s.post(t, `mutation($id: ID!) { sendNewsletterCampaignTest(id: $id, locale: "nb") { queued } }`,
		map[string]any{"id": id}, admin))
	sendNewsletters(t, s)
	if got := box.To("admin@example.no"); len(got) != 1 || subject(t, got[0]) != "[Test] Vinterferien" {
		t.Fatalf("the test to the editor: %v", got)
	}
	if len(box.To("a@example.no")) != 0 {
		t.Fatal("a test reached a subscriber")
	}

	ok(t, s.post(t, `mutation { updateNewsletterSettings(input: {sendRatePerMinute: 120}) { sendRatePerMinute } }`,
		nil, admin))
	r = ok(t, s.post(t, `mutation($id: ID!) { scheduleNewsletterCampaign(id: $id) { status } }`,
		map[string]any{"id": id}, admin))
	if get(r.Data, "scheduleNewsletterCampaign.status") != "SCHEDULED" {
		t.Fatalf("scheduled: %v", r.Data)
	}
	sendNewsletters(t, s)

	a, b := box.To("a@example.no"), box.To("b@example.no")
	if len(a) != 1 || len(b) != 1 || len(box.To("c@example.no")) != 0 || len(box.To("venter@example.no")) != 1 {
		t.Fatalf("received: a %d, b %d, c %d, pending %d (only the confirmation)", len(a), len(b),
			len(box.To("c@example.no")), len(box.To("venter@example.no")))
	}
	if subject(t, a[0]) != "Vinterferien" || subject(t, b[0]) != "Winter holiday" {
		t.Fatalf("subjects: %q %q", subject(t, a[0]), subject(t, b[0]))
	}
	unsub := header(t, a[0], "List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://fritid.example/newsletter/unsubscribe?token=") ||
		header(t, a[0], "List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("the unsubscribe headers: %q %q", unsub, header(t, a[0], "List-Unsubscribe-Post"))
	}
	if strings.Contains(unsub, "mailto:") || a[0].From != "noreply@localhost" ||
		header(t, a[0], "X-Fritid-Delivery") != "" {
		t.Fatalf("without a bounce address, a return path or mailto: %q, %q", a[0].From, unsub)
	}
	if status, code := postInbound(t, s, "", []byte("Subject: x\r\n\r\n"), "any"); status != http.StatusNotFound ||
		code != "NOT_FOUND" {
		t.Fatalf("the inbound endpoint without its secret: %d %s", status, code)
	}
	if strings.Contains(strings.ToLower(a[0].Data), "<img") {
		t.Fatalf("a list e-mail carries an image (a tracking pixel?):\n%s", a[0].Data)
	}
	r = ok(t, s.post(t, campaignQ, map[string]any{"l": list}, admin))
	if c := get(r.Data, "newsletterCampaigns.0").(map[string]any); c["status"] != "SENT" ||
		get(c, "counts.recipients") != 2.0 || get(c, "counts.sent") != 2.0 || get(c, "counts.failed") != 0.0 {
		t.Fatalf("after sending: %v", c)
	}

	t.Run("OneClickFromTheHeader", func(t *testing.T) {
		u, err := url.Parse(strings.Trim(strings.SplitN(unsub, ",", 2)[0], "<> "))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.Post(s.URL+u.RequestURI(), "application/x-www-form-urlencoded",
			strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("one-click: %d", res.StatusCode)
		}
		r := ok(t, s.post(t, campaignQ, map[string]any{"l": list}, admin))
		if get(r.Data, "newsletterCampaigns.0.counts.unsubscribed") != 1.0 {
			t.Fatalf("unsubscribed count: %v", r.Data)
		}
		r = ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "s": "CONFIRMED"}, admin))
		if get(r.Data, "newsletterSubscribers.totalCount") != 2.0 {
			t.Fatalf("left: %v", r.Data)
		}
	})
	t.Run("ErrChangeAfterSending", func(t *testing.T) {
		wantInvalid(t, s.post(t, `mutation($id: ID!) { updateNewsletterCampaign(input: {id: $id,
			texts: [{locale: "nb", subject: "Ny", bodyMarkdown: "x"}]}) { id } }`, map[string]any{"id": id}, admin),
			"input.id")
	})
}
