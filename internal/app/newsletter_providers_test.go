package app_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/mail/mailtest"
)

// providerWorld is the demo municipality with an administrator, two owners signed in (one
// asks for the providers' information in English, one does not), their organisations and
// two neighbourhood committees.
type providerWorld struct {
	s                  *testServer
	box                *mailtest.Inbox
	admin, kari, nils  string
	larsOrg, pendingID string
}

// newProviderWorld registers three organisations, publishes two (Kari's and Nils's) and
// leaves one pending; committees Nord and Sør, Sør's address being Nils's organisation's
// in other letters.
func newProviderWorld(t *testing.T) *providerWorld {
	t.Helper()
	w := &providerWorld{}
	w.s, w.admin, w.box, _, _, _ = newsletterServer(t)
	w.kari, w.nils = createUser(t, w.s, "kari@eier.no"), createUser(t, w.s, "nils@eier.no")
	register := func(owner, name, email string) string {
		r := ok(t, w.s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": name,
			"kind": "VOLUNTARY", "email": email}}, owner))
		return get(r.Data, "registerOrganisation.organisation.id").(string)
	}
	approve := func(id string) {
		ok(t, w.s.post(t, `mutation($id: ID!) { approveOrganisation(id: $id) { organisation { status } } }`,
			map[string]any{"id": id}, w.admin))
	}
	approve(register(w.kari, "Stavern Sjakklubb", "post@sjakk.no"))
	approve(register(w.nils, "Larvik Kor", "Post@Kor.no"))
	w.pendingID = register(w.nils, "Ventende lag", "post@venter.no")
	ctx := context.Background()
	demo, _ := w.s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for _, nb := range []struct{ slug, email string }{{"nord", "utvalg@nord.no"}, {"sor", "POST@kor.no"}} {
		w.s.exec(t, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon,
			committee_email) VALUES (?, ?, ?, 59, 10, 59.1, 10.1, ?)`, demo.ID(), nb.slug,
			`{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`, nb.email)
	}
	r := ok(t, w.s.post(t, `mutation { setProviderNewsletter(receive: true, locale: "en") { consent { locale } } }`,
		nil, w.kari))
	if get(r.Data, "setProviderNewsletter.consent.locale") != "en" {
		t.Fatalf("Kari's wish: %v", r.Data)
	}
	return w
}

// campaign writes and sends a campaign in Norwegian and English to list, and returns its ID.
func (w *providerWorld) campaign(t *testing.T, list, nb, en string) string {
	t.Helper()
	r := ok(t, w.s.post(t, `mutation($in: CreateNewsletterCampaignInput!) { createNewsletterCampaign(input: $in) {
		id } }`, map[string]any{"in": map[string]any{"listId": list, "texts": []any{
		map[string]any{"locale": "nb", "subject": nb, "bodyMarkdown": "Søknadsfristen er 1. mars."},
		map[string]any{"locale": "en", "subject": en, "bodyMarkdown": "Apply by 1 March."}}}}, w.admin))
	id := get(r.Data, "createNewsletterCampaign.id").(string)
	ok(t, w.s.post(t, `mutation($id: ID!) { scheduleNewsletterCampaign(id: $id) { status } }`,
		map[string]any{"id": id}, w.admin))
	sendNewsletters(t, w.s)
	return id
}

// reached returns the addresses that got a message with subject, and fails unless each
// carries both unsubscribe header fields of RFC 8058.
func (w *providerWorld) reached(t *testing.T, subjects ...string) []string {
	t.Helper()
	var out []string
	for _, m := range w.box.Messages() {
		if !slices.Contains(subjects, subject(t, m)) {
			continue
		}
		unsub, post := header(t, m, "List-Unsubscribe"), header(t, m, "List-Unsubscribe-Post")
		if !strings.HasPrefix(unsub, "<https://fritid.example/newsletter/unsubscribe?token=") ||
			post != "List-Unsubscribe=One-Click" {
			t.Fatalf("a provider mail without the unsubscribe header fields:\n%s", m.Data)
		}
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}

// TestProviderListKeepsItself: a list kept from the organisations, their owners and the
// committees reaches, with no spreadsheet, the contact of every published organisation
// (not the pending one), the owner who asked (in her language) but not the one who did
// not, and each committee, every address once; after a one-click unsubscribe the next
// campaign leaves that address out although the organisation still lists it, and reaches
// an organisation published in between.
func TestProviderListKeepsItself(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	s := w.s
	r := ok(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "PROVIDERS",
		"keptFrom": []any{"ORGANISATION_CONTACTS", "ORGANISATION_OWNERS", "COMMITTEES"},
		"texts":    []any{map[string]any{"locale": "nb", "name": "Til lag og foreninger"}}}}, w.admin))
	list := get(r.Data, "createNewsletterList.id").(string)

	w.campaign(t, list, "Til alle lag", "To all providers")
	want := []string{"kari@eier.no", "post@kor.no", "post@sjakk.no", "utvalg@nord.no"}
	if got := w.reached(t, "Til alle lag", "To all providers"); !slices.Equal(got, want) {
		t.Fatalf("the first campaign reached %v, want %v", got, want)
	}
	if got := w.box.To("kari@eier.no"); subject(t, got[len(got)-1]) != "To all providers" {
		t.Fatalf("Kari asked for English, got %q", subject(t, got[len(got)-1]))
	}
	r = ok(t, s.post(t, `query($l: ID!) { newsletterSubscribers(list: $l) { nodes { email consent { source } } } }`,
		map[string]any{"l": list}, w.admin))
	sources := map[string]string{}
	for _, n := range items(r.Data, "newsletterSubscribers.nodes") {
		sources[get(n, "email").(string)] = get(n, "consent.source").(string)
	}
	if sources["kari@eier.no"] != "OWNER" || sources["post@sjakk.no"] != "ORGANISATION" ||
		sources["utvalg@nord.no"] != "COMMITTEE" || len(sources) != 4 {
		t.Fatalf("the kept subscribers: %v", sources)
	}

	// post@sjakk.no leaves with one click; a new organisation is published.
	var unsub string
	for _, m := range w.box.To("post@sjakk.no") {
		if subject(t, m) == "Til alle lag" {
			unsub = strings.Trim(header(t, m, "List-Unsubscribe"), "<>")
		}
	}
	u, _ := url.Parse(unsub)
	res, err := http.Post(s.URL+u.RequestURI(), "application/x-www-form-urlencoded",
		strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("one-click: %d", res.StatusCode)
	}
	ok(t, s.post(t, `mutation($id: ID!) { approveOrganisation(id: $id) { organisation { status } } }`,
		map[string]any{"id": w.pendingID}, w.admin))

	w.campaign(t, list, "Andre runde", "Second round")
	want = []string{"kari@eier.no", "post@kor.no", "post@venter.no", "utvalg@nord.no"}
	if got := w.reached(t, "Andre runde", "Second round"); !slices.Equal(got, want) {
		t.Fatalf("the second campaign reached %v, want %v", got, want)
	}

	t.Run("TheOwnersWishIsTheirs", func(t *testing.T) {
		r := ok(t, s.post(t, `{ viewer { providerNewsletter { locale givenAt } } }`, nil, w.kari))
		if get(r.Data, "viewer.providerNewsletter.locale") != "en" {
			t.Fatalf("Kari's own wish: %v", r.Data)
		}
		r = ok(t, s.post(t, `{ viewer { providerNewsletter { locale } } }`, nil, w.nils))
		if get(r.Data, "viewer.providerNewsletter") != nil {
			t.Fatalf("Nils never asked: %v", r.Data)
		}
		r = ok(t, s.post(t, `mutation { newsletterSubscriberDataReport(email: "kari@eier.no") {
			subscribers { consent { source } } ownerConsent { locale } } }`, nil, w.admin))
		if get(r.Data, "newsletterSubscriberDataReport.subscribers.0.consent.source") != "OWNER" ||
			get(r.Data, "newsletterSubscriberDataReport.ownerConsent.locale") != "en" {
			t.Fatalf("the report on Kari: %v", r.Data)
		}
	})
	t.Run("WithdrawnAndErasedLeaveTheList", func(t *testing.T) {
		ok(t, s.post(t, `mutation { setProviderNewsletter(receive: false) { consent { locale } } }`, nil, w.kari))
		ok(t, s.post(t, `mutation { eraseNewsletterSubscriberData(email: "utvalg@nord.no") { erased } }`, nil, w.admin))
		if err := s.app.Newsletters.SyncKeptLists(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, `query($l: ID!) { newsletterSubscribers(list: $l) { nodes { email } } }`,
			map[string]any{"l": list}, w.admin))
		got := names(r.Data, "newsletterSubscribers.nodes", "email")
		slices.Sort(got)
		if !slices.Equal(got, []string{"post@kor.no", "post@venter.no"}) {
			t.Fatalf("after the wish was withdrawn and the committee erased: %v", got)
		}
	})
}

// TestKeptAndDigestListsRefuseTheWrongAudience: only a PROVIDERS list keeps itself from
// the data, and only a RESIDENTS list is a digest; the field that is wrong is named.
func TestKeptAndDigestListsRefuseTheWrongAudience(t *testing.T) {
	t.Parallel()
	s, admin, _, list, _, _ := newsletterServer(t)
	texts := []any{map[string]any{"locale": "nb", "name": "Lista"}}
	wantInvalid(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"keptFrom": []any{"COMMITTEES"}, "texts": texts}}, admin), "input.keptFrom")
	wantInvalid(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "PROVIDERS",
		"digest": map[string]any{"cadence": "WEEKLY", "nextAt": "2099-01-02T15:00:00Z"}, "texts": texts}}, admin),
		"input.digest")
	wantInvalid(t, s.post(t, `mutation($l: ID!) { updateNewsletterList(input: {id: $l, digest: {cadence: MONTHLY,
		nextAt: "2099-01-30T08:00:00+01:00"}}) { id } }`, map[string]any{"l": list}, admin), "input.digest.nextAt")
	ok(t, s.post(t, `mutation($l: ID!) { updateNewsletterList(input: {id: $l, digest: {cadence: WEEKLY,
		nextAt: "2099-01-02T15:00:00+01:00"}}) { id } }`, map[string]any{"l": list}, admin))
	wantInvalid(t, s.post(t, `mutation($l: ID!) { updateNewsletterList(input: {id: $l, audience: PROVIDERS}) { id } }`,
		map[string]any{"l": list}, admin), "input.audience")
	r := ok(t, s.post(t, `mutation($l: ID!) { updateNewsletterList(input: {id: $l, digest: null}) {
		digest { cadence } } }`, map[string]any{"l": list}, admin))
	if get(r.Data, "updateNewsletterList.digest") != nil {
		t.Fatalf("the digest was not switched off: %v", r.Data)
	}
}
