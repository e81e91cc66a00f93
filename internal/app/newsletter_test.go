package app_test

import (
	"context"
	"encoding/csv"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/relay"
)

const createListQ = `mutation($in: CreateNewsletterListInput!) { createNewsletterList(input: $in) {
	id name audience availableInterests { categories ageGroups } } }`

const consentQ = `mutation($l: ID!, $loc: String!, $t: String!) {
	setNewsletterConsentText(listId: $l, locale: $loc, text: $t) { id version } }`

const subscribeQ = `mutation($in: SubscribeInput!) { subscribe(input: $in) { accepted } }`

const subscribersQ = `query($l: ID!, $s: NewsletterSubscriberStatus, $i: NewsletterInterestsInput, $a: String) {
	newsletterSubscribers(list: $l, status: $s, interests: $i, first: 2, after: $a) { totalCount
	pageInfo { hasNextPage endCursor }
	nodes { email locale status interests { categories ageGroups }
		consent { source textId textVersion givenAt confirmedAt } } } }`

// newsletterLink finds a link of kind (confirm, preferences) in the newest e-mail to address.
func newsletterLink(t *testing.T, s *testServer, box *mailtest.Inbox, address, kind string) string {
	t.Helper()
	bodies := bodiesTo(t, s, box, address)
	re := regexp.MustCompile(`https://fritid\.example/newsletter/` + kind + `\?token=([A-Za-z0-9_%-]+)`)
	for i := len(bodies) - 1; i >= 0; i-- {
		if m := re.FindStringSubmatch(bodies[i]); m != nil {
			tok, _ := url.QueryUnescape(m[1])
			return tok
		}
	}
	t.Fatalf("no %s link to %s in:\n%s", kind, address, strings.Join(bodies, "\n---\n"))
	return ""
}

// subject returns a received message's decoded subject.
func subject(t *testing.T, m mailtest.Message) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newsletterServer starts fritid delivering through a local SMTP inbox, with an
// administrator, a residents' list offering one category and two age groups, and a
// consent text in Norwegian (version 2: the first was replaced); tweak changes the
// configuration further.
func newsletterServer(t *testing.T, tweak ...func(*config.Config)) (s *testServer, admin string, box *mailtest.Inbox,
	list, consent, cat string) {
	t.Helper()
	box, smtpURL := mailtest.Start(t)
	s = newServer(t, append([]func(*config.Config){func(c *config.Config) {
		c.SMTPURL, c.PublicURL = smtpURL, "https://fritid.example"
	}}, tweak...)...)
	createAdmin(t, s, "admin@example.no")
	admin = login(t, s, "admin@example.no")
	cat = get(ok(t, s.post(t, `{ categories { id } }`, nil)).Data, "categories.0.id").(string)
	r := ok(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"interests": map[string]any{"categories": []any{cat}, "ageGroups": []any{"CHILDREN", "YOUTH"}},
		"texts": []any{map[string]any{"locale": "nb", "name": "Fritid for barn og unge"},
			map[string]any{"locale": "en", "name": "Leisure for children and youth"}}}}, admin))
	list = get(r.Data, "createNewsletterList.id").(string)
	ok(t, s.post(t, consentQ, map[string]any{"l": list, "loc": "nb", "t": "Jeg vil ha nyhetsbrevet."}, admin))
	r = ok(t, s.post(t, consentQ, map[string]any{"l": list, "loc": "nb", "t": "Jeg vil ha nyhetsbrevet på e-post."}, admin))
	if get(r.Data, "setNewsletterConsentText.version") != 2.0 {
		t.Fatalf("the second consent text: %v", r.Data)
	}
	consent = get(r.Data, "setNewsletterConsentText.id").(string)
	return s, admin, box, list, consent, cat
}

// TestNewsletterDoubleOptIn subscribes through the form as a resident would: the answer is
// the same for a new and a known address, the confirmation e-mail (through SMTP) carries a
// signed link that confirms, the consent record points at the version of the text shown
// with its source and times, and a forged or foreign link is refused.
func TestNewsletterDoubleOptIn(t *testing.T) {
	t.Parallel()
	s, admin, box, list, consent, cat := newsletterServer(t)

	lists := ok(t, s.post(t, `{ newsletterLists { id name consentText { id version text } } }`, nil))
	if get(lists.Data, "newsletterLists.0.consentText.id") != consent ||
		get(lists.Data, "newsletterLists.0.name") != "Fritid for barn og unge" {
		t.Fatalf("the form's lists: %v", lists.Data)
	}
	in := func(email string) map[string]any {
		return map[string]any{"in": map[string]any{"listId": list, "email": email, "locale": "nb",
			"consentTextId": consent, "interests": map[string]any{"categories": []any{cat}, "ageGroups": []any{"YOUTH"}}}}
	}
	first := ok(t, s.post(t, subscribeQ, in("Kari@Example.no")))
	again := ok(t, s.post(t, subscribeQ, in("kari@example.no")))
	if get(first.Data, "subscribe.accepted") != true || get(again.Data, "subscribe.accepted") != true {
		t.Fatalf("the answers differ: %v %v", first.Data, again.Data)
	}
	tok := newsletterLink(t, s, box, "kari@example.no", "confirm")
	if msgs := box.To("kari@example.no"); len(msgs) != 2 ||
		subject(t, msgs[0]) != "Bekreft påmeldingen til Fritid for barn og unge" {
		t.Fatalf("the confirmation e-mails (%d): %v", len(msgs), msgs)
	}
	pending := ok(t, s.post(t, subscribersQ, map[string]any{"l": list}, admin))
	if get(pending.Data, "newsletterSubscribers.nodes.0.status") != "PENDING" {
		t.Fatalf("before the link: %v", pending.Data)
	}

	t.Run("ErrForgedToken", func(t *testing.T) {
		forged := tok[:len(tok)-2] + "AA"
		if forged == tok {
			forged = tok[:len(tok)-2] + "BB"
		}
		wantInvalid(t, s.post(t, `mutation($t: String!) { confirmSubscription(token: $t) { list { id } } }`,
			map[string]any{"t": forged}), "token")
	})
	r := ok(t, s.post(t, `mutation($t: String!) { confirmSubscription(token: $t) { list { id } } }`,
		map[string]any{"t": tok}))
	if get(r.Data, "confirmSubscription.list.id") != list {
		t.Fatalf("confirm: %v", r.Data)
	}
	r = ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "s": "CONFIRMED"}, admin))
	node := "newsletterSubscribers.nodes.0."
	if get(r.Data, node+"email") != "kari@example.no" || get(r.Data, node+"consent.source") != "FORM" ||
		get(r.Data, node+"consent.textId") != consent || get(r.Data, node+"consent.textVersion") != 2.0 ||
		get(r.Data, node+"consent.confirmedAt") == nil || get(r.Data, node+"interests.ageGroups.0") != "YOUTH" {
		t.Fatalf("the consent record: %v", r.Data)
	}

	t.Run("KnownAddressGetsItsPreferences", func(t *testing.T) {
		ok(t, s.post(t, subscribeQ, in("kari@example.no")))
		pref := newsletterLink(t, s, box, "kari@example.no", "preferences")
		r := ok(t, s.post(t, `mutation($in: UpdateNewsletterPreferencesInput!) {
			updateNewsletterPreferences(input: $in) { locale interests { ageGroups } } }`,
			map[string]any{"in": map[string]any{"token": pref, "locale": "en",
				"interests": map[string]any{"ageGroups": []any{"CHILDREN"}}}}))
		if get(r.Data, "updateNewsletterPreferences.locale") != "en" ||
			get(r.Data, "updateNewsletterPreferences.interests.ageGroups.0") != "CHILDREN" {
			t.Fatalf("preferences: %v", r.Data)
		}
		wantInvalid(t, s.post(t, `mutation($in: UpdateNewsletterPreferencesInput!) {
			updateNewsletterPreferences(input: $in) { locale } }`,
			map[string]any{"in": map[string]any{"token": pref, "interests": map[string]any{"ageGroups": []any{"SENIORS"}}}}),
			"input.interests")
	})
	t.Run("ErrInterestNotOffered", func(t *testing.T) {
		v := in("per@example.no")
		v["in"].(map[string]any)["interests"] = map[string]any{"ageGroups": []any{"ADULTS"}}
		wantInvalid(t, s.post(t, subscribeQ, v), "input.interests")
	})
	t.Run("ErrLinkOfAnotherMunicipality", func(t *testing.T) {
		if _, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune")); err != nil {
			t.Fatal(err)
		}
		r := s.post(t, `mutation($t: String!) { confirmSubscription(token: $t) { list { id } } }`,
			map[string]any{"t": tok}, "X-Municipality: larvik")
		wantInvalid(t, r, "token")
	})
}

// TestNewsletterUnsubscribeAndSuppression ends subscriptions by the preferences link, by
// RFC 8058 one-click (a plain POST, no GraphQL) and by a bounce; each address is then kept
// only as a keyed hash, so an administrator's addition or an import refuses it, while the
// person may subscribe again by confirming.
func TestNewsletterUnsubscribeAndSuppression(t *testing.T) {
	t.Parallel()
	s, admin, box, list, consent, _ := newsletterServer(t)
	add := func(emails ...string) map[string]any {
		subs := make([]any, len(emails))
		for i, e := range emails {
			subs[i] = map[string]any{"email": e}
		}
		r := ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) {
			added alreadySubscribed suppressed } }`, map[string]any{"in": map[string]any{"listId": list,
			"source": "IMPORT", "subscribers": subs}}, admin))
		return get(r.Data, "addNewsletterSubscribers").(map[string]any)
	}
	if got := add("a@example.no", "b@example.no", "c@example.no", "A@example.no"); got["added"] != 3.0 ||
		got["alreadySubscribed"] != 1.0 {
		t.Fatalf("the import: %v", got)
	}
	r := ok(t, s.post(t, subscribersQ, map[string]any{"l": list}, admin))
	if get(r.Data, "newsletterSubscribers.totalCount") != 3.0 ||
		get(r.Data, "newsletterSubscribers.nodes.0.consent.source") != "IMPORT" ||
		get(r.Data, "newsletterSubscribers.nodes.0.consent.textId") != consent {
		t.Fatalf("imported: %v", r.Data)
	}
	// a@: by the preferences link; b@: one-click; c@: bounced.
	ok(t, s.post(t, subscribeQ, map[string]any{"in": map[string]any{"listId": list, "email": "a@example.no",
		"locale": "nb", "consentTextId": consent}}))
	pref := newsletterLink(t, s, box, "a@example.no", "preferences")
	ok(t, s.post(t, `mutation($t: String!) { unsubscribe(token: $t) { unsubscribed } }`, map[string]any{"t": pref}))
	ok(t, s.post(t, `mutation($t: String!) { unsubscribe(token: $t) { unsubscribed } }`, map[string]any{"t": pref}))
	oneClick := oneClickURL(t, s, admin, list, "b@example.no")
	res, err := http.Post(s.URL+oneClick, "application/x-www-form-urlencoded",
		strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("one-click: %d", res.StatusCode)
	}
	r = ok(t, s.post(t, `mutation { markNewsletterBounced(email: "C@example.no") { ended } }`, nil, admin))
	if get(r.Data, "markNewsletterBounced.ended") != 1.0 {
		t.Fatalf("bounce: %v", r.Data)
	}
	r = ok(t, s.post(t, subscribersQ, map[string]any{"l": list}, admin))
	if get(r.Data, "newsletterSubscribers.totalCount") != 0.0 {
		t.Fatalf("after leaving: %v", r.Data)
	}
	var plain int
	if err := s.app.DB.QueryRow(`SELECT count(*) FROM newsletter_suppressions
		WHERE encode(email_hash, 'escape') LIKE '%example%'`).Scan(&plain); err != nil || plain != 0 {
		t.Fatalf("a suppression holds an address (%d, %v)", plain, err)
	}
	if got := add("a@example.no", "b@example.no", "c@example.no"); got["suppressed"] != 3.0 || got["added"] != 0.0 {
		t.Fatalf("re-adding those who left: %v", got)
	}
	t.Run("TheyMaySubscribeAgainThemselves", func(t *testing.T) {
		ok(t, s.post(t, subscribeQ, map[string]any{"in": map[string]any{"listId": list, "email": "b@example.no",
			"locale": "nb", "consentTextId": consent}}))
		tok := newsletterLink(t, s, box, "b@example.no", "confirm")
		ok(t, s.post(t, `mutation($t: String!) { confirmSubscription(token: $t) { list { id } } }`, map[string]any{"t": tok}))
		r := ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "s": "CONFIRMED"}, admin))
		if get(r.Data, "newsletterSubscribers.nodes.0.email") != "b@example.no" {
			t.Fatalf("subscribed again: %v", r.Data)
		}
	})
}

// oneClickURL returns the path of the one-click unsubscribe link of email's subscription
// to list, as list e-mails carry it.
func oneClickURL(t *testing.T, s *testServer, admin, list, email string) string {
	t.Helper()
	r := ok(t, s.post(t, `query($l: ID!) { newsletterSubscribers(list: $l) { nodes { id email } } }`,
		map[string]any{"l": list}, admin))
	for _, n := range get(r.Data, "newsletterSubscribers.nodes").([]any) {
		if n.(map[string]any)["email"] == email {
			demo, _ := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
			_, id, err := relay.ParseGlobalID(n.(map[string]any)["id"].(string), "id")
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(s.app.Newsletters.UnsubscribeURL(demo.ID(), id, uuid.Nil))
			return u.RequestURI()
		}
	}
	t.Fatalf("%s is not subscribed", email)
	return ""
}

// TestNewsletterSubscribersForIntegrations reads a list as newsletter tooling does: with an
// API key holding SUBSCRIBERS_READ, page by page in the order of change, narrowed by
// status, interests and changedSince, and as CSV from the export endpoint with the same
// key; a key without the scope, and an EDITOR, are refused.
func TestNewsletterSubscribersForIntegrations(t *testing.T) {
	t.Parallel()
	s, admin, _, list, _, cat := newsletterServer(t)
	r := ok(t, s.post(t, `mutation { createApiKey(name: "Brevo", scopes: [SUBSCRIBERS_READ]) { token } }`, nil, admin))
	key := "Authorization: Bearer " + get(r.Data, "createApiKey.token").(string)
	r = ok(t, s.post(t, `mutation { createApiKey(name: "Katalog", scopes: [CATALOGUE_READ]) { token } }`, nil, admin))
	catalogueKey := "Authorization: Bearer " + get(r.Data, "createApiKey.token").(string)
	subs := []any{map[string]any{"email": "a@example.no", "interests": map[string]any{"categories": []any{cat}}},
		map[string]any{"email": "b@example.no", "locale": "en"},
		map[string]any{"email": "=cmd@example.no", "interests": map[string]any{"ageGroups": []any{"YOUTH"}}}}
	ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) { added } }`,
		map[string]any{"in": map[string]any{"listId": list, "source": "ADMIN", "subscribers": subs}}, admin))

	var emails []string
	after := any(nil)
	for range 3 {
		r := ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "a": after}, key))
		for _, n := range get(r.Data, "newsletterSubscribers.nodes").([]any) {
			emails = append(emails, n.(map[string]any)["email"].(string))
		}
		if get(r.Data, "newsletterSubscribers.pageInfo.hasNextPage") != true {
			break
		}
		after = get(r.Data, "newsletterSubscribers.pageInfo.endCursor")
	}
	if strings.Join(emails, " ") != "a@example.no b@example.no =cmd@example.no" {
		t.Fatalf("the pages: %v", emails)
	}
	r = ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "i": map[string]any{"categories": []any{cat},
		"ageGroups": []any{"YOUTH"}}}, key))
	if get(r.Data, "newsletterSubscribers.totalCount") != 2.0 {
		t.Fatalf("by interests: %v", r.Data)
	}
	r = ok(t, s.post(t, `query($l: ID!, $c: Time) { newsletterSubscribers(list: $l, changedSince: $c) { totalCount } }`,
		map[string]any{"l": list, "c": "2099-01-01T00:00:00Z"}, key))
	if get(r.Data, "newsletterSubscribers.totalCount") != 0.0 {
		t.Fatalf("changed since 2099: %v", r.Data)
	}

	t.Run("CSV", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/newsletter/subscribers.csv?list="+url.QueryEscape(list), nil)
		req.Header.Set("Authorization", strings.TrimPrefix(key, "Authorization: "))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		rows, err := csv.NewReader(res.Body).ReadAll()
		if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("status %d, %v", res.StatusCode, err)
		}
		if len(rows) != 4 || rows[0][1] != "email" || rows[2][1] != "b@example.no" || rows[2][2] != "en" ||
			rows[3][1] != "'=cmd@example.no" || rows[1][7] != "ADMIN" || rows[1][3] != "CONFIRMED" {
			t.Fatalf("the CSV: %q", rows)
		}
	})
	t.Run("ErrWithoutTheScope", func(t *testing.T) {
		if c := s.post(t, subscribersQ, map[string]any{"l": list}, catalogueKey).code(); c != "FORBIDDEN" {
			t.Fatalf("a catalogue key: %s", c)
		}
		res, err := http.Get(s.URL + "/newsletter/subscribers.csv?list=" + url.QueryEscape(list))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the CSV without a key: %d", res.StatusCode)
		}
	})
}

// TestNewsletterPersonalData reports and erases an address's subscriptions for the
// administrator (a data subject's request): the report shows the consent records, the
// erasure leaves no address, and the erased address is not imported again.
func TestNewsletterPersonalData(t *testing.T) {
	t.Parallel()
	s, admin, _, list, _, _ := newsletterServer(t)
	addQ := `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) { added suppressed } }`
	in := map[string]any{"in": map[string]any{"listId": list, "source": "ADMIN",
		"subscribers": []any{map[string]any{"email": "kari@example.no"}}}}
	ok(t, s.post(t, addQ, in, admin))
	r := ok(t, s.post(t, `mutation { newsletterSubscriberDataReport(email: "KARI@example.no") {
		subscribers { email listId consent { source givenAt } } } }`, nil, admin))
	if get(r.Data, "newsletterSubscriberDataReport.subscribers.0.listId") != list ||
		get(r.Data, "newsletterSubscriberDataReport.subscribers.0.consent.source") != "ADMIN" {
		t.Fatalf("the report: %v", r.Data)
	}
	r = ok(t, s.post(t, `mutation { eraseNewsletterSubscriberData(email: "kari@example.no") { erased } }`, nil, admin))
	if get(r.Data, "eraseNewsletterSubscriberData.erased") != 1.0 {
		t.Fatalf("the erasure: %v", r.Data)
	}
	var n int
	if err := s.app.DB.QueryRow(`SELECT count(*) FROM newsletter_subscribers WHERE email = 'kari@example.no'`).
		Scan(&n); err != nil || n != 0 {
		t.Fatalf("left after erasure: %d %v", n, err)
	}
	r = ok(t, s.post(t, addQ, in, admin))
	if get(r.Data, "addNewsletterSubscribers.suppressed") != 1.0 {
		t.Fatalf("imported again after erasure: %v", r.Data)
	}
	if c := s.post(t, `mutation { newsletterSubscriberDataReport(email: "kari@example.no") { subscribers { email } } }`,
		nil).code(); c != "UNAUTHENTICATED" {
		t.Fatalf("anonymous report: %s", c)
	}
}

// TestNewsletterUnconfirmedAreErased asks twice for a subscription that nobody confirms:
// the second asking takes the new form's language and renews the week, and once the week
// has passed the hourly job's erasure leaves nothing of the address; a list is a node.
func TestNewsletterUnconfirmedAreErased(t *testing.T) {
	t.Parallel()
	s, admin, box, list, consent, _ := newsletterServer(t)
	sub := func(locale string) {
		ok(t, s.post(t, subscribeQ, map[string]any{"in": map[string]any{"listId": list, "email": "ola@example.no",
			"locale": locale, "consentTextId": consent}}))
	}
	sub("nb")
	sub("en")
	// The two mails are sent by concurrent jobs, so either may arrive first.
	bodiesTo(t, s, box, "ola@example.no")
	var subjects []string
	for _, m := range box.To("ola@example.no") {
		subjects = append(subjects, subject(t, m))
	}
	if len(subjects) != 2 || !slices.Contains(subjects, "Confirm your subscription to Leisure for children and youth") {
		t.Fatalf("the second confirmation: %v", subjects)
	}
	r := ok(t, s.post(t, subscribersQ, map[string]any{"l": list, "s": "PENDING"}, admin))
	if get(r.Data, "newsletterSubscribers.totalCount") != 1.0 || get(r.Data, "newsletterSubscribers.nodes.0.locale") != "en" {
		t.Fatalf("pending: %v", r.Data)
	}
	if n, err := s.app.Newsletters.ErasePending(context.Background()); err != nil || n != 0 {
		t.Fatalf("erased within the week: %d %v", n, err)
	}
	s.app.Newsletters.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	if n, err := s.app.Newsletters.ErasePending(context.Background()); err != nil || n != 1 {
		t.Fatalf("erased after the week: %d %v", n, err)
	}
	r = ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on NewsletterList { name } } }`,
		map[string]any{"id": list}))
	if get(r.Data, "node.name") != "Fritid for barn og unge" {
		t.Fatalf("the list as a node: %v", r.Data)
	}
}

// TestNewsletterSubscribersInTheChangeFeed: a newsletter tool syncing through the change
// feed hears of a subscriber by ID alone: confirmed when added, unsubscribed when it
// bounces; when the address is erased, its earlier events go and one unsubscribed event
// stays, so the tool drops its copy.
func TestNewsletterSubscribersInTheChangeFeed(t *testing.T) {
	t.Parallel()
	s, admin, _, list, _, _ := newsletterServer(t)
	add := func(email string) string {
		ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) { added } }`,
			map[string]any{"in": map[string]any{"listId": list, "source": "IMPORT",
				"subscribers": []any{map[string]any{"email": email}}}}, admin))
		r := ok(t, s.post(t, `query($l: ID!) { newsletterSubscribers(list: $l) { nodes { id email } } }`,
			map[string]any{"l": list}, admin))
		for _, n := range items(r.Data, "newsletterSubscribers.nodes") {
			if get(n, "email") == email {
				return get(n, "id").(string)
			}
		}
		t.Fatalf("%s not listed", email)
		return ""
	}
	feed := func() []string {
		t.Helper()
		if _, err := s.app.Integration.Dispatch(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, `{ changes(types: [SUBSCRIBER_CONFIRMED, SUBSCRIBER_UNSUBSCRIBED]) {
			nodes { name payload { ... on SubscriberChangePayload { id } } } } }`, nil, admin))
		var out []string
		for _, n := range items(r.Data, "changes.nodes") {
			out = append(out, get(n, "name").(string)+" "+get(n, "payload.id").(string))
		}
		return out
	}
	kari, ola := add("kari@example.no"), add("ola@example.no")
	ok(t, s.post(t, `mutation { markNewsletterBounced(email: "ola@example.no") { ended } }`, nil, admin))
	want := []string{"subscriber.confirmed " + kari, "subscriber.confirmed " + ola, "subscriber.unsubscribed " + ola}
	if got := feed(); !slices.Equal(got, want) {
		t.Fatalf("feed %v, want %v", got, want)
	}
	ok(t, s.post(t, `mutation { eraseNewsletterSubscriberData(email: "kari@example.no") { erased } }`, nil, admin))
	want = []string{"subscriber.confirmed " + ola, "subscriber.unsubscribed " + ola, "subscriber.unsubscribed " + kari}
	if got := feed(); !slices.Equal(got, want) {
		t.Fatalf("after the erasure: %v, want %v", got, want)
	}
	r := ok(t, s.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ola}, admin))
	if r.Data["node"] != nil {
		t.Fatalf("a subscriber who left is still a node: %v", r.Data)
	}
}
