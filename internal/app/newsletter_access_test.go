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

// newsletterAccessCases returns the matrix's newsletter rows; admin is an ADMIN's header.
func newsletterAccessCases(t *testing.T, s *testServer, admin string, anyone, adminOnly,
	editors map[string]outcome) []accessCase {
	t.Helper()
	r := ok(t, s.post(t, createListQ, map[string]any{"in": map[string]any{"audience": "RESIDENTS",
		"texts": []any{map[string]any{"locale": "nb", "name": "Nyheter"}}}}, admin))
	list := get(r.Data, "createNewsletterList.id").(string)
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
		{"newsletterSubscribers", `query($l: ID!) { newsletterSubscribers(list: $l) { totalCount } }`, listVars,
			adminOnly},
	}
}
