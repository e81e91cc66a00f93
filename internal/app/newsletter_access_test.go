package app_test

import (
	"fmt"
	"net/url"
	"testing"
)

// accessCase is one row of TestAccessMatrix.
type accessCase = struct {
	name, query string
	vars        func() map[string]any
	want        map[string]outcome
}

// newsletterOutcomes are the outcome columns the newsletter rows use.
type newsletterOutcomes struct {
	anyone, adminOnly, editors, signedIn, viewers map[string]outcome
}

// newsletterAccessCases returns the matrix's newsletter rows; signIn returns a fresh
// ADMIN's header (other rows end sessions).
func newsletterAccessCases(t *testing.T, s *testServer, signIn func() string, o newsletterOutcomes) []accessCase {
	t.Helper()
	admin := signIn()
	r := ok(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"texts": []any{map[string]any{"locale": "nb", "name": "Nyheter"}}}}, admin))
	list := get(r.Data, "createNewsletterList.id").(string)
	r = ok(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"digest": map[string]any{"cadence": "WEEKLY", "nextAt": "2099-01-01T08:00:00Z"},
		"texts":  []any{map[string]any{"locale": "nb", "name": "Ukas nytt"}}}}, admin))
	digest := get(r.Data, "createNewsletterList.id").(string)
	digestVars := func() map[string]any { return map[string]any{"l": digest} }
	r = ok(t, s.post(t, consentQ, map[string]any{"l": list, "loc": "nb", "t": "Ja takk."}, admin))
	consent := get(r.Data, "setNewsletterConsentText.id").(string)
	listVars := func() map[string]any { return map[string]any{"l": list} }
	n := 0
	// linkOf subscribes a new address with the form (after an administrator's addition
	// when confirmed, so the e-mail carries the preferences link) and returns its link's token.
	linkOf := func(confirmed bool) string {
		n++
		email := fmt.Sprintf("abonnent%d@example.no", n)
		if confirmed {
			ok(t, s.post(t, `mutation($in: AddNewsletterSubscribersInput!) { addNewsletterSubscribers(input: $in) {
				added } }`, map[string]any{"in": map[string]any{"listId": list, "source": "ADMIN",
				"subscribers": []any{map[string]any{"email": email}}}}, admin))
		}
		ok(t, s.post(t, subscribeQ, map[string]any{"in": map[string]any{"listId": list, "email": email,
			"locale": "nb", "consentTextId": consent}}))
		tmpl := "NewsletterConfirm"
		if confirmed {
			tmpl = "NewsletterAlreadySubscribed"
		}
		link, _ := url.Parse(outboxLink(t, s, tmpl, email))
		return link.Query().Get("token")
	}
	confirmTok, prefTok, leaveTok := linkOf(false), linkOf(true), linkOf(true)
	// draft writes a new draft campaign; scheduled also schedules it for 2099.
	draft := func(scheduled bool) func() map[string]any {
		return func() map[string]any {
			r := ok(t, s.post(t, `mutation($l: ID!) { createNewsletterCampaign(input: {listId: $l,
				texts: [{locale: "nb", subject: "Nytt", bodyMarkdown: "Hei"}]}) { id } }`, map[string]any{"l": list}, signIn()))
			id := get(r.Data, "createNewsletterCampaign.id").(string)
			if scheduled {
				ok(t, s.post(t, `mutation($id: ID!) { scheduleNewsletterCampaign(id: $id, at: "2099-01-01T08:00:00Z") {
					id } }`, map[string]any{"id": id}, signIn()))
			}
			return map[string]any{"id": id, "l": list}
		}
	}
	anyone, adminOnly, editors := o.anyone, o.adminOnly, o.editors
	return []accessCase{
		{"createNewsletterList", createListQ, func() map[string]any {
			return map[string]any{"in": map[string]any{"audience": "PROVIDERS",
				"texts": []any{map[string]any{"locale": "nb", "name": "Til lag og foreninger"}}}}
		}, editors},
		{"updateNewsletterList", `mutation($l: ID!) { updateNewsletterList(input: {id: $l, audience: RESIDENTS}) { id } }`,
			listVars, editors},
		{"setNewsletterConsentText", `mutation($l: ID!) { setNewsletterConsentText(listId: $l, locale: "nb",
			text: "Ja, send meg nyhetsbrevet.") { id } }`, listVars, editors},
		{"subscribe", subscribeQ, func() map[string]any {
			return map[string]any{"in": map[string]any{"listId": list, "email": "ny@example.no", "locale": "nb",
				"consentTextId": consent}}
		}, anyone},
		{"confirmSubscription", `mutation($t: String!) { confirmSubscription(token: $t) { list { id } } }`,
			func() map[string]any { return map[string]any{"t": confirmTok} }, anyone},
		{"updateNewsletterPreferences", `mutation($t: String!) {
			updateNewsletterPreferences(input: {token: $t, locale: "nb"}) { id } }`,
			func() map[string]any { return map[string]any{"t": prefTok} }, anyone},
		{"unsubscribe", `mutation($t: String!) { unsubscribe(token: $t) { unsubscribed } }`,
			func() map[string]any { return map[string]any{"t": leaveTok} }, anyone},
		{"addNewsletterSubscribers", `mutation($l: ID!) { addNewsletterSubscribers(input: {listId: $l, source: ADMIN,
			subscribers: [{email: "lagt-til@example.no"}]}) { added } }`, listVars, adminOnly},
		{"markNewsletterBounced", `mutation { markNewsletterBounced(email: "sprett@example.no") { ended } }`, nil,
			adminOnly},
		{"newsletterSubscriberDataReport", `mutation { newsletterSubscriberDataReport(email: "kari@example.no") {
			subscribers { id } } }`, nil, adminOnly},
		{"eraseNewsletterSubscriberData", `mutation { eraseNewsletterSubscriberData(email: "kari@example.no") {
			erased } }`, nil, adminOnly},
		{"createNewsletterCampaign", `mutation($l: ID!) { createNewsletterCampaign(input: {listId: $l,
			texts: [{locale: "nb", subject: "Nytt", bodyMarkdown: "Hei"}]}) { id } }`, listVars, editors},
		{"updateNewsletterCampaign", `mutation($id: ID!) { updateNewsletterCampaign(input: {id: $id,
			texts: [{locale: "en", subject: "News", bodyMarkdown: "Hello"}]}) { id } }`, draft(false), editors},
		{"sendNewsletterCampaignTest", `mutation($id: ID!) { sendNewsletterCampaignTest(id: $id, locale: "nb") {
			queued } }`, draft(false), editors},
		{"scheduleNewsletterCampaign", `mutation($id: ID!) { scheduleNewsletterCampaign(id: $id,
			at: "2099-01-01T08:00:00Z") { status } }`, draft(false), editors},
		{"unscheduleNewsletterCampaign", `mutation($id: ID!) { unscheduleNewsletterCampaign(id: $id) { status } }`,
			draft(true), editors},
		{"updateNewsletterSettings", `mutation { updateNewsletterSettings(input: {sendRatePerMinute: 300}) {
			sendRatePerMinute } }`, nil, adminOnly},
		{"newsletterCampaigns", `query($l: ID) { newsletterCampaigns(list: $l) { id } }`, listVars, editors},
		{"newsletterCampaignPreview", `query($id: ID!) { newsletterCampaignPreview(id: $id, locale: "nb") { subject } }`,
			draft(false), editors},
		{"newsletterSettings", `{ newsletterSettings { sendRatePerMinute } }`, nil, editors},
		{"newsletterSubscribers", `query($l: ID!) { newsletterSubscribers(list: $l) { totalCount } }`, listVars,
			adminOnly},
		{"setProviderNewsletter", `mutation { setProviderNewsletter(receive: true) { consent { locale } } }`, nil,
			o.signedIn},
		{"Viewer.providerNewsletter", `{ viewer { providerNewsletter { locale } } }`, nil, o.viewers},
		{"sendNewsletterDigest", `mutation($l: ID!) { sendNewsletterDigest(list: $l) { recipients } }`, digestVars,
			editors},
		{"newsletterDigestPreview", `query($l: ID!) { newsletterDigestPreview(list: $l, locale: "nb") { itemCount } }`,
			digestVars, editors},
	}
}
