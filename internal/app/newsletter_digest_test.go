package app_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/mail/mailtest"
)

// plainText returns the text/plain part of a received message, decoded.
func plainText(t *testing.T, m mailtest.Message) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v\n%s", err, m.Data)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

// digestWorld is a residents' digest list offering two categories, with three subscribers:
// Kari (Norwegian, the first category), John (English, the second) and Alle (Norwegian,
// no interests), and a published organisation to write activities for.
type digestWorld struct {
	s                 *testServer
	box               *mailtest.Inbox
	admin, list, org  string
	catA, catB, other string
}

func newDigestWorld(t *testing.T) *digestWorld {
	t.Helper()
	w := &digestWorld{}
	w.s, w.admin, w.box, _, _, _ = newsletterServer(t)
	// Items published a moment ago count at once here; see TestDigestPeriodLeavesTheLastMinute.
	w.s.app.Newsletters.DigestSettle = 0
	cats := items(ok(t, w.s.post(t, `{ categories { id } }`, nil)).Data, "categories")
	w.catA, w.catB, w.other = get(cats[0], "id").(string), get(cats[1], "id").(string), get(cats[2], "id").(string)
	r := ok(t, w.s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"interests": map[string]any{"categories": []any{w.catA, w.catB}},
		"digest":    map[string]any{"cadence": "WEEKLY", "nextAt": time.Now().Add(24 * time.Hour).Format(time.RFC3339)},
		"texts": []any{map[string]any{"locale": "nb", "name": "Nytt i kommunen"},
			map[string]any{"locale": "en", "name": "New in town"}}}}, w.admin))
	w.list = get(r.Data, "createNewsletterList.id").(string)
	subs := []any{
		map[string]any{"email": "kari@example.no", "interests": map[string]any{"categories": []any{w.catA}}},
		map[string]any{"email": "john@example.no", "locale": "en",
			"interests": map[string]any{"categories": []any{w.catB}}},
		map[string]any{"email": "alle@example.no"}}
	ok(t, w.s.post(t, `mutation($in: AddNewsletterSubscribersInput!) {
		addNewsletterSubscribers(input: $in) { added } }`, map[string]any{"in": map[string]any{"listId": w.list, "source": "ADMIN", "subscribers": subs}}, w.admin))
	demo, _ := w.s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
	if err := w.s.app.DB.QueryRow(`INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'laget', 'Laget', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&w.org); err != nil {
		t.Fatal(err)
	}
	w.org = relayID("Organisation", w.org)
	return w
}

// activity writes an activity of the organisation in category cat with a Norwegian and an
// English title, published unless draft.
func (w *digestWorld) activity(t *testing.T, nb, en, cat string, draft bool) {
	t.Helper()
	r := ok(t, w.s.post(t, `mutation($o: ID!, $in: ActivityChangesInput!) { createActivity(organisationId: $o,
		input: $in) { activity { id } } }`, map[string]any{"o": w.org, "in": map[string]any{"title": nb,
		"summary": "Hver tirsdag", "categories": []any{cat}}}, w.admin))
	id := get(r.Data, "createActivity.activity.id").(string)
	ok(t, w.s.post(t, `mutation($id: ID!, $in: ActivityTextsInput!) { setActivityTranslation(id: $id, locale: "en",
		input: $in) { activity { id } } }`, map[string]any{"id": id, "in": map[string]any{"title": en}}, w.admin))
	if !draft {
		ok(t, w.s.post(t, `mutation($id: ID!) { setActivityStatus(id: $id, status: PUBLISHED) { activity { id } } }`,
			map[string]any{"id": id}, w.admin))
	}
}

// TestDigestWritesItself: a weekly digest previews and sends, per subscriber, the new
// activities, events and articles of their interests in their language, with links into
// the portal and the unsubscribe header fields; drafts, other municipalities' items and
// items outside the list's interests never appear; the issue is a SENT campaign with its
// counts; a second run with nothing new sends nothing, and the scheduled run takes only
// what came after and moves the next issue on a week.
func TestDigestWritesItself(t *testing.T) {
	t.Parallel()
	w := newDigestWorld(t)
	s, admin := w.s, w.admin
	w.activity(t, "Sjakk for barn", "Chess for children", w.catA, false)
	w.activity(t, "Utkast til kurs", "Draft course", w.catA, true)
	w.activity(t, "Utenfor lista", "Outside the list", w.other, false)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	event := func(slug, nb, en string, extra map[string]any) {
		in := eventInput(slug, start, map[string]any{"categoryIds": []any{w.catB}, "texts": []any{
			map[string]any{"locale": "nb", "title": nb, "summary": "For hele familien"},
			map[string]any{"locale": "en", "title": en}}})
		for k, v := range extra {
			in[k] = v
		}
		ok(t, s.post(t, createEventQ, map[string]any{"in": in}, admin))
	}
	event("apen-dag", "Åpen dag på biblioteket", "Open day at the library", map[string]any{"publication": "PUBLISHED"})
	event("utkast-dag", "Ikke klar ennå", "Not ready yet", nil)
	r := ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "vinterferie",
		"categoryIds": []any{w.catA}, "texts": []any{
			map[string]any{"locale": "nb", "title": "Vinterferie i hallen", "summary": "Gratis for alle"},
			map[string]any{"locale": "en", "title": "Winter holiday in the hall"}}}}, admin))
	article := get(r.Data, "createArticle.article.id").(string)
	for _, loc := range []string{"nb", "en"} {
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": article, "locale": loc,
			"status": "PUBLISHED"}}, admin))
	}
	_, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune"))
	if err != nil {
		t.Fatal(err)
	}
	s.exec(t, `WITH o AS (INSERT INTO organisations (municipality_id, slug, name, kind, status)
			SELECT id, 'nabo', 'Nabo', 'VOLUNTARY', 'PUBLISHED' FROM municipalities WHERE slug = 'larvik' RETURNING *),
		a AS (INSERT INTO activities (municipality_id, organisation_id, slug, status)
			SELECT municipality_id, id, 'nabo-aktivitet', 'PUBLISHED' FROM o RETURNING *)
		INSERT INTO activity_translations (activity_id, municipality_id, locale, title)
			SELECT id, municipality_id, 'nb', 'Aktivitet i Larvik' FROM a`)

	t.Run("Preview", func(t *testing.T) {
		r := ok(t, s.post(t, `query($l: ID!, $c: ID!) { newsletterDigestPreview(list: $l, locale: "en",
			interests: {categories: [$c]}) { itemCount preview { subject text } } }`,
			map[string]any{"l": w.list, "c": w.catB}, admin))
		p := "newsletterDigestPreview."
		if get(r.Data, p+"itemCount") != 1.0 || !strings.HasPrefix(get(r.Data, p+"preview.subject").(string),
			"New in town: new since ") || !strings.Contains(get(r.Data, p+"preview.text").(string), "Open day") {
			t.Fatalf("John's preview: %v", r.Data)
		}
		wantInvalid(t, s.post(t, `query($l: ID!, $c: ID!) { newsletterDigestPreview(list: $l, locale: "nb",
			interests: {categories: [$c]}) { itemCount } }`, map[string]any{"l": w.list, "c": w.other}, admin),
			"interests")
	})

	r = ok(t, s.post(t, `mutation($l: ID!) { sendNewsletterDigest(list: $l) { recipients campaign { id } } }`,
		map[string]any{"l": w.list}, admin))
	if get(r.Data, "sendNewsletterDigest.recipients") != 3.0 {
		t.Fatalf("the first issue: %v", r.Data)
	}
	sendNewsletters(t, s)
	never := []string{"Utkast", "Draft", "Ikke klar", "Not ready", "Utenfor", "Outside", "Larvik"}
	check := func(address string, n int, want []string, wantNot []string) string {
		t.Helper()
		got := w.box.To(address)
		if len(got) != n {
			t.Fatalf("%s got %d digests, want %d", address, len(got), n)
		}
		text := plainText(t, got[n-1])
		for _, s := range want {
			if !strings.Contains(text, s) {
				t.Errorf("%s's digest lacks %q:\n%s", address, s, text)
			}
		}
		for _, s := range append(wantNot, never...) {
			if strings.Contains(text, s) {
				t.Errorf("%s's digest has %q:\n%s", address, s, text)
			}
		}
		unsub, post := header(t, got[n-1], "List-Unsubscribe"), header(t, got[n-1], "List-Unsubscribe-Post")
		if !strings.HasPrefix(unsub, "<https://fritid.example/newsletter/unsubscribe?") ||
			post != "List-Unsubscribe=One-Click" {
			t.Errorf("%s's digest lacks the unsubscribe header fields", address)
		}
		return subject(t, got[n-1])
	}
	sub := check("kari@example.no", 1, []string{"Nye aktiviteter", "Sjakk for barn", "Vinterferie i hallen",
		"Gratis for alle", "https://fritid.example/aktiviteter/sjakk-for-barn?lang=nb",
		"https://fritid.example/nyheter/vinterferie?lang=nb"}, []string{"Åpen dag", "Open day"})
	if !strings.HasPrefix(sub, "Nytt i kommunen: nytt siden ") {
		t.Errorf("Kari's subject: %q", sub)
	}
	check("john@example.no", 1, []string{"Events", "Open day at the library", "For hele familien",
		start.In(oslo(t)).Format("2.1.2006 15:04"), "https://fritid.example/arrangementer/apen-dag?lang=en"},
		[]string{"Chess", "Winter", "Sjakk"})
	check("alle@example.no", 1, []string{"Sjakk for barn", "Åpen dag på biblioteket", "Vinterferie i hallen"}, nil)
	r = ok(t, s.post(t, `query($l: ID) { newsletterCampaigns(list: $l) { status digestPeriod { since until }
		texts { locale } counts { recipients sent } } }`, map[string]any{"l": w.list}, admin))
	if c := get(r.Data, "newsletterCampaigns.0"); get(c, "status") != "SENT" || get(c, "digestPeriod.until") == nil ||
		get(c, "counts.recipients") != 3.0 || get(c, "counts.sent") != 3.0 {
		t.Fatalf("the issue as a campaign: %v", r.Data)
	}

	t.Run("NothingNewSendsNothing", func(t *testing.T) {
		r := ok(t, s.post(t, `mutation($l: ID!) { sendNewsletterDigest(list: $l) { recipients campaign { id } } }`,
			map[string]any{"l": w.list}, admin))
		if get(r.Data, "sendNewsletterDigest.recipients") != 0.0 ||
			get(r.Data, "sendNewsletterDigest.campaign") != nil {
			t.Fatalf("a second issue with nothing new: %v", r.Data)
		}
	})
	t.Run("TheScheduledRunTakesWhatCameAfter", func(t *testing.T) {
		w.activity(t, "Fotball for alle", "Football for everyone", w.catA, false)
		s.exec(t, `UPDATE newsletter_lists SET digest_next_at = now() - interval '1 minute'
			WHERE digest_cadence IS NOT NULL`)
		if _, err := s.app.Newsletters.RunDueDigests(context.Background()); err != nil {
			t.Fatal(err)
		}
		sendNewsletters(t, s)
		check("kari@example.no", 2, []string{"Fotball for alle"}, []string{"Sjakk for barn", "Vinterferie"})
		check("john@example.no", 1, nil, nil)
		r := ok(t, s.post(t, `{ newsletterLists { digest { nextAt lastUntil } } }`, nil))
		for _, l := range items(r.Data, "newsletterLists") {
			if get(l, "digest") == nil {
				continue
			}
			next, _ := time.Parse(time.RFC3339, get(l, "digest.nextAt").(string))
			if d := time.Until(next); d < 6*24*time.Hour || d > 7*24*time.Hour {
				t.Fatalf("the next issue is in %v, want within the coming week", d)
			}
		}
	})
}

// oslo returns the demo municipality's time zone.
func oslo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
