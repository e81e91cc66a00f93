package app_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// cardWaitingAccessCases returns the matrix's rows for waiting lists and notice addresses.
// coordinator signs a card coordinator in and caseworker a caseworker of the programme's
// agency; anonymousCard issues an anonymous card and returns it with its access; iss signs
// ID-porten tokens.
func cardWaitingAccessCases(t *testing.T, s *testServer, iss *testIssuer, coordinator, caseworker func() string,
	programme, organisation any, anonymousCard func() (any, map[string]any), anyone, offerManagers map[string]outcome,
) []accessCase {
	t.Helper()
	// soldOut makes an offer of one ticket, claimed, and returns it with the claim's card
	// and ticket.
	soldOut := func() (offer, ticket any, access map[string]any) {
		in := map[string]any{"organisationId": organisation, "programmeIds": []any{programme},
			"texts": []any{map[string]any{"locale": "nb", "title": "Teater"}}, "stock": 1, "perCardLimit": 1, "admits": 1,
			"validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339), "validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
			"valueOre": 0, "source": "DONATED"}
		h := coordinator()
		offer = get(ok(t, s.post(t, `mutation($in: CardOfferInput!) { saveCardOffer(input: $in) { offer { id } } }`,
			map[string]any{"in": in}, h)).Data, "saveCardOffer.offer.id")
		ok(t, s.post(t, `mutation($o: ID!) { releaseCardOfferStock(offerId: $o, amount: 1) { offer { id } } }`,
			map[string]any{"o": offer}, h))
		ok(t, s.post(t, `mutation($o: ID!) { setCardOfferStatus(id: $o, status: PUBLISHED) { offer { id } } }`,
			map[string]any{"o": offer}, h))
		c, access := anonymousCard()
		ticket = get(ok(t, s.post(t, `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { id } } }`,
			map[string]any{"c": c, "o": offer, "a": access})).Data, "claimTicket.ticket.id")
		return offer, ticket, access
	}
	join := func(offer any) (any, map[string]any) {
		c, access := anonymousCard()
		r := ok(t, s.post(t, `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			joinCardWaitingList(cardId: $c, offerId: $o, access: $a) { waitingPlace { id } } }`,
			map[string]any{"c": c, "o": offer, "a": access}))
		return get(r.Data, "joinCardWaitingList.waitingPlace.id"), access
	}
	line, _, _ := soldOut()
	// A guardian signed in with ID-porten, with a child's card, for the notice addresses.
	n := 0
	family := func() (card any, guardian string) {
		n++
		year := time.Now().Year()
		mother := identityNumber(time.Date(1984, 5, 2, 0, 0, 0, 0, time.UTC), n)
		child := map[string]any{"programmeId": programme, "givenName": "Barn", "birthDate": fmt.Sprintf("%d-06-01", year-9),
			"childIdentityNumber":     identityNumber(time.Date(year-9, 6, 1, 0, 0, 0, 0, time.UTC), n),
			"guardianIdentityNumbers": []any{mother}}
		card = get(ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`,
			map[string]any{"in": child}, caseworker())).Data, "issueCard.card.id")
		now := time.Now()
		tok := iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": fmt.Sprint("mor", n), "pid": mother,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		return card, "Authorization: Bearer " + tok
	}
	holders := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": forbidden, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden, "user of another municipality": unauthenticated}
	contactIn := map[string]any{"email": "mor@example.no", "notices": []any{"WAITING_PLACE"}}
	const setContact = `mutation($c: ID!, $in: CardNoticeContactInput!) {
		setCardNoticeContact(cardId: $c, input: $in) { noticeContact { confirmed } } }`
	return []accessCase{
		{"joinCardWaitingList", `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			joinCardWaitingList(cardId: $c, offerId: $o, access: $a) { waitingPlace { position } } }`, func() map[string]any {
			c, access := anonymousCard()
			return map[string]any{"c": c, "o": line, "a": access}
		}, anyone},
		{"acceptCardWaitingPlace", `mutation($id: ID!, $a: CardPinInput) {
			acceptCardWaitingPlace(id: $id, access: $a) { ticket { status } } }`, func() map[string]any {
			offer, ticket, first := soldOut()
			id, access := join(offer)
			ok(t, s.post(t, `mutation($id: ID!, $a: CardPinInput) { cancelTicket(id: $id, access: $a) { ticket { status } } }`,
				map[string]any{"id": ticket, "a": first}))
			return map[string]any{"id": id, "a": access}
		}, anyone},
		{"leaveCardWaitingList", `mutation($id: ID!, $a: CardPinInput) {
			leaveCardWaitingList(id: $id, access: $a) { waitingPlace { status } } }`, func() map[string]any {
			id, access := join(line)
			return map[string]any{"id": id, "a": access}
		}, anyone},
		{"setCardNoticeContact", setContact, func() map[string]any {
			c, _ := family()
			return map[string]any{"c": c, "in": contactIn}
		}, holders},
		{"confirmCardNoticeContact", `mutation($t: String!) { confirmCardNoticeContact(token: $t) { confirmed } }`,
			func() map[string]any {
				c, mother := family()
				ok(t, s.post(t, setContact, map[string]any{"c": c, "in": contactIn}, mother))
				link, err := url.Parse(outboxLink(t, s, "CardNoticeConfirm", "mor@example.no"))
				if err != nil {
					t.Fatal(err)
				}
				return map[string]any{"t": link.Query().Get("token")}
			}, anyone},
		{"removeCardNoticeContact", `mutation($c: ID!) { removeCardNoticeContact(cardId: $c) { removed } }`,
			func() map[string]any {
				c, _ := family()
				return map[string]any{"c": c}
			}, holders},
		{"CardOffer.waitingList", `query($o: ID!) { node(id: $o) { ... on CardOffer { waitingList { waiting } } } }`,
			func() map[string]any { return map[string]any{"o": line} }, offerManagers},
	}
}
