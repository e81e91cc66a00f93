package app_test

import (
	"fmt"
	"testing"
	"time"
)

// TestSharedCardOfferThroughTheAPI offers the county's bus tickets to Sandefjord's card
// programme, has Sandefjord take them, a Sandefjord card claim one, and the bus company
// check it in from Larvik with its one account.
func TestSharedCardOfferThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newSharedWorld(t)
	s := w.s
	ok(t, s.post(t, acceptQ, map[string]any{"o": w.vkt}, sfjH, w.sfjAdmin))
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) {
		saveCardProgramme(input: $in) { programme { id } } }`, map[string]any{"in": map[string]any{
		"texts": []any{map[string]any{"locale": "nb", "name": "Fritidskortet"}}, "minAge": 0, "maxAge": 17,
		"validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year+1), "cardsAvailable": 10,
		"budgetOre": 0, "defaultAllowance": 5, "status": "ACTIVE", "agencyIds": []any{}}}, sfjH, w.sfjAdmin)).Data,
		"saveCardProgramme.programme.id")

	const save = `mutation($in: SharedCardOfferInput!) { saveSharedCardOffer(input: $in) {
		sharedCardOffer { id title placements {
			municipality { slug } stock status released claimed redeemed redeemedValueOre } } } }`
	input := func(split ...map[string]any) map[string]any {
		return map[string]any{"in": map[string]any{"organisationId": w.vkt, "admits": 1, "valueOre": 4000,
			"source":    "PURCHASED",
			"validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339), "validTo": time.Now().AddDate(0, 1,
				0).Format(time.RFC3339),
			"stock": 10, "texts": []any{map[string]any{"locale": "nb", "title": "2-klippskort"}}, "placements": split}}
	}
	r := s.post(t, save, input(map[string]any{"municipality": "porsgrunn", "stock": 5}), larvikH, w.owner)
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.placements[0].municipality" ||
		r.Errors[0].Extensions["reason"] != "PROVIDER_NOT_ACCEPTED" {
		t.Fatalf("a share for Porsgrunn, which has not accepted the provider: %+v", r.Errors)
	}
	r = s.post(t, save, input(map[string]any{"municipality": "sandefjord", "stock": 11}), larvikH, w.owner)
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["reason"] != "SPLIT_EXCEEDS_STOCK" {
		t.Fatalf("a split over the stock: %+v", r.Errors)
	}
	r = ok(t, s.post(t, save, input(map[string]any{"municipality": "sandefjord", "stock": 5}), larvikH, w.owner))
	shared := get(r.Data, "saveSharedCardOffer.sharedCardOffer.id")
	if get(r.Data, "saveSharedCardOffer.sharedCardOffer.placements.0.status") != "OFFERED" {
		t.Fatalf("placement %+v", r.Data)
	}

	r = ok(t, s.post(t,
		`{ sharedCardOfferRequests(status: OFFERED) { id title stock organisationName homeMunicipality { slug } } }`,
		nil, sfjH, w.sfjAdmin))
	if get(r.Data, "sharedCardOfferRequests.0.id") != shared || get(r.Data, "sharedCardOfferRequests.0.stock") != 5.0 ||
		get(r.Data, "sharedCardOfferRequests.0.homeMunicipality.slug") != "larvik" {
		t.Fatalf("Sandefjord's requests %+v", r.Data)
	}
	r = ok(t, s.post(t,
		`mutation($id: ID!, $p: ID!) { acceptSharedCardOffer(id: $id, input: {programmeIds: [$p], perCardLimit: 1}) {
		offer { id shared stock status title organisation { name } } } }`,
		map[string]any{"id": shared, "p": programme}, sfjH, w.sfjAdmin))
	offer := get(r.Data, "acceptSharedCardOffer.offer.id")
	if get(r.Data, "acceptSharedCardOffer.offer.shared") != true || get(r.Data,
		"acceptSharedCardOffer.offer.stock") != 5.0 ||
		get(r.Data, "acceptSharedCardOffer.offer.organisation.name") != "Vestfold kollektivtrafikk" {
		t.Fatalf("Sandefjord's offer %+v", r.Data)
	}
	// Sandefjord may not rewrite the provider's texts.
	r = s.post(t, `mutation($in: CardOfferInput!) { saveCardOffer(input: $in) { offer { id } } }`,
		map[string]any{"in": map[string]any{
			"id": offer, "organisationId": w.vkt, "programmeIds": []any{programme}, "stock": 5, "perCardLimit": 1, "admits": 1,
			"texts": []any{map[string]any{"locale": "nb", "title": "Sandefjordbussen"}}, "valueOre": 4000, "source": "PURCHASED",
			"validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339), "validTo": time.Now().AddDate(0, 0,
				20).Format(time.RFC3339)}},
		sfjH, w.sfjAdmin)
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.texts" ||
		r.Errors[0].Extensions["reason"] != "SHARED_OFFER" {
		t.Fatalf("Sandefjord rewriting the texts: %+v", r.Errors)
	}
	ok(t, s.post(t, `mutation($o: ID!) { releaseCardOfferStock(offerId: $o, amount: 5) { offer { id } } }`,
		map[string]any{"o": offer}, sfjH, w.sfjAdmin))
	ok(t, s.post(t, `mutation($o: ID!) { setCardOfferStatus(id: $o, status: PUBLISHED) { offer { id } } }`,
		map[string]any{"o": offer}, sfjH, w.sfjAdmin))
	r = ok(t, s.post(t,
		`mutation($p: ID!) { issueAnonymousCards(programmeId: $p, count: 1) { cards { pin card { id number } } } }`,
		map[string]any{"p": programme}, sfjH, w.sfjAdmin))
	r = ok(t, s.post(t,
		`mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { code } } }`,
		map[string]any{"c": get(r.Data, "issueAnonymousCards.cards.0.card.id"), "o": offer, "a": map[string]any{
			"number": get(r.Data, "issueAnonymousCards.cards.0.card.number"), "pin": get(r.Data,
				"issueAnonymousCards.cards.0.pin")}}, sfjH))
	code := get(r.Data, "claimTicket.ticket.code")

	// The bus company's one account, in Larvik, checks in Sandefjord's ticket.
	r = ok(t, s.post(t, `mutation($c: String!) { redeemTicket(code: $c) { ticketCheck { valid offerTitle admits } } }`,
		map[string]any{"c": code}, larvikH, w.owner))
	if get(r.Data, "redeemTicket.ticketCheck.valid") != true || get(r.Data,
		"redeemTicket.ticketCheck.offerTitle") != "2-klippskort" {
		t.Fatalf("redeem %+v", r.Data)
	}
	r = ok(t, s.post(t,
		`query($o: ID!) { sharedCardOffers(organisationId: $o) {
			placements { status released claimed redeemed redeemedValueOre } } }`,
		map[string]any{"o": w.vkt}, larvikH, w.owner))
	p := get(r.Data, "sharedCardOffers.0.placements.0").(map[string]any)
	if p["status"] != "ACCEPTED" || p["released"] != 5.0 || p["claimed"] != 1.0 || p["redeemed"] != 1.0 ||
		p["redeemedValueOre"] != 4000.0 {
		t.Fatalf("the provider's counts %+v", p)
	}
	// Sandefjord does not see the provider's shared offers; Larvik's admin of another
	// organisation's municipality sees no Sandefjord request.
	if r := s.post(t, `query($o: ID!) { sharedCardOffers(organisationId: $o) { id } }`, map[string]any{"o": w.vkt}, sfjH,
		w.sfjAdmin); r.code() != "BAD_USER_INPUT" {
		t.Errorf("Sandefjord reading the provider's shared offers: %+v", r.Errors)
	}
	r = ok(t, s.post(t, `{ sharedCardOfferRequests { id } }`, nil, larvikH, w.larvikAdmin))
	if n := len(get(r.Data, "sharedCardOfferRequests").([]any)); n != 0 {
		t.Errorf("Larvik sees %d requests", n)
	}
}
