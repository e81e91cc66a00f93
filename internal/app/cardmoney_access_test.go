package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/relay"
)

// cardMoneyAccessCases returns the matrix's rows for the card's money: lagA is approved to
// accept the card in programme, whose personal cards personalCard issues (by the
// caseworker's agency) and whose anonymous cards anonymousCard issues; admin signs in an
// administrator, orgEditor the editor of lagA.
func cardMoneyAccessCases(t *testing.T, s *testServer, admin, orgEditor func() string, lagA string, programme any,
	personalCard func() any, anonymousCard func() (any, map[string]any), anyone, cardStaff map[string]outcome,
) []accessCase {
	t.Helper()
	org := relayID("Organisation", lagA)
	ok(t, s.post(t, `mutation($p: ID!, $o: ID!) { applyToAcceptCard(programmeId: $p, organisationId: $o) {
		provider { status } } }`, map[string]any{"p": programme, "o": org}, admin()))
	ok(t, s.post(t, `mutation($p: ID!, $o: ID!) { decideCardProvider(programmeId: $p, organisationId: $o, approve: true) {
		provider { status } } }`, map[string]any{"p": programme, "o": org}, admin()))
	n := 0
	// newProgramme is a programme of its own for each case that applies or decides.
	newProgramme := func() any {
		n++
		year := time.Now().Year()
		return get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) {
			saveCardProgramme(input: $in) { programme { id } } }`, map[string]any{"in": map[string]any{
			"texts": []any{map[string]any{"locale": "nb", "name": fmt.Sprintf("Fond %d", n)}}, "minAge": 0, "maxAge": 17,
			"validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 10,
			"budgetOre": 0, "defaultAllowance": 1, "status": "ACTIVE", "agencyIds": []any{}}}, admin())).Data,
			"saveCardProgramme.programme.id")
	}
	// numberOf returns a card's number, as the provider reads it off the card.
	numberOf := func(card any) string {
		_, raw, err := relay.ParseGlobalID(card.(string), "id")
		if err != nil {
			t.Fatal(err)
		}
		var number string
		if err := s.app.DB.QueryRowContext(context.Background(), "SELECT number FROM cards WHERE id = ?", raw).
			Scan(&number); err != nil {
			t.Fatal(err)
		}
		return number
	}
	// invoiceTo tops a card up and posts it an invoice of lagA's, and returns the invoice.
	invoiceTo := func(card any) any {
		ok(t, s.post(t, `mutation($c: ID!) { topUpCard(input: {cardId: $c, amountOre: 10000, reason: "Kontingent"}) {
			entry { id } } }`, map[string]any{"c": card}, admin()))
		r := ok(t, s.post(t, `mutation($in: PostCardInvoiceInput!) { postCardInvoice(input: $in) { invoice { id } } }`,
			map[string]any{"in": map[string]any{"organisationId": org, "cardNumber": numberOf(card), "amountOre": 5000,
				"purpose": "MEMBERSHIP", "reference": "123"}}, orgEditor()))
		return get(r.Data, "postCardInvoice.invoice.id")
	}
	acceptedInvoice := func() map[string]any {
		inv := invoiceTo(personalCard())
		ok(t, s.post(t, `mutation($id: ID!) { acceptCardInvoice(id: $id) { invoice { status } } }`,
			map[string]any{"id": inv}, admin()))
		return map[string]any{"id": inv}
	}
	// Posted by a provider's owners and editors; an administrator is no member of lagA.
	posters := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": forbidden, "ADMIN": forbidden, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden, "user of another municipality": unauthenticated}
	applicants := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": forbidden, "org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden,
		"CARD_COORDINATOR": forbidden, "CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	// For a child's card without its number and PIN: the card's staff; a resident signed in
	// without an identity number holds no card.
	deciders := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": forbidden, "user of another municipality": unauthenticated}
	invoiceReaders := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": allowed, "org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden,
		"CARD_COORDINATOR": allowed, "CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	withAccess := func() map[string]any {
		c, access := anonymousCard()
		return map[string]any{"id": invoiceTo(c), "a": access}
	}
	forChild := func() map[string]any { return map[string]any{"id": invoiceTo(personalCard())} }
	return []accessCase{
		{"setCardProgrammeMoney", `mutation($p: ID!) { setCardProgrammeMoney(programmeId: $p,
			input: {grantOre: 0, budgetWarningPercent: 90}) { programme { id } } }`,
			func() map[string]any { return map[string]any{"p": programme} }, cardStaff},
		{"topUpCard", `mutation($c: ID!) { topUpCard(input: {cardId: $c, amountOre: 100, reason: "Utstyr"}) {
			entry { amountOre } } }`, func() map[string]any {
			c, _ := anonymousCard()
			return map[string]any{"c": c}
		}, cardStaff},
		{"applyToAcceptCard", `mutation($p: ID!, $o: ID!) { applyToAcceptCard(programmeId: $p, organisationId: $o) {
			provider { status } } }`, func() map[string]any { return map[string]any{"p": newProgramme(), "o": org} },
			applicants},
		{"decideCardProvider", `mutation($p: ID!, $o: ID!) { decideCardProvider(programmeId: $p, organisationId: $o,
			approve: true) { provider { status } } }`, func() map[string]any {
			p := newProgramme()
			ok(t, s.post(t, `mutation($p: ID!, $o: ID!) { applyToAcceptCard(programmeId: $p, organisationId: $o) {
				provider { status } } }`, map[string]any{"p": p, "o": org}, admin()))
			return map[string]any{"p": p, "o": org}
		}, cardStaff},
		{"postCardInvoice", `mutation($in: PostCardInvoiceInput!) { postCardInvoice(input: $in) { invoice { status } } }`,
			func() map[string]any {
				c, _ := anonymousCard()
				return map[string]any{"in": map[string]any{"organisationId": org, "cardNumber": numberOf(c),
					"amountOre": 5000, "purpose": "CUP", "reference": "KID 42", "childFirstName": "Ola"}}
			}, posters},
		{"cancelCardInvoice", `mutation($id: ID!) { cancelCardInvoice(id: $id) { invoice { status } } }`,
			func() map[string]any {
				c, _ := anonymousCard()
				return map[string]any{"id": invoiceTo(c)}
			}, posters},
		{"acceptCardInvoice (with the card's number and PIN)", `mutation($id: ID!, $a: CardPinInput) {
			acceptCardInvoice(id: $id, access: $a) { invoice { status } } }`, withAccess, anyone},
		{"acceptCardInvoice (for a child's card, without access)", `mutation($id: ID!) {
			acceptCardInvoice(id: $id) { invoice { status } } }`, forChild, deciders},
		{"declineCardInvoice (with the card's number and PIN)", `mutation($id: ID!, $a: CardPinInput) {
			declineCardInvoice(id: $id, access: $a) { invoice { status } } }`, withAccess, anyone},
		{"declineCardInvoice (for a child's card, without access)", `mutation($id: ID!) {
			declineCardInvoice(id: $id) { invoice { status } } }`, forChild, deciders},
		{"reverseCardInvoice", `mutation($id: ID!) { reverseCardInvoice(id: $id, reason: "Refundert av klubben") {
			invoice { status } } }`, acceptedInvoice, cardStaff},
		// Reads with rows in docs/access.md's query table.
		{"organisationCardInvoices", `query($o: ID!) { organisationCardInvoices(organisationId: $o) { totalCount } }`,
			func() map[string]any { return map[string]any{"o": org} }, invoiceReaders},
		{"cardProviders", `query($o: ID!) { cardProviders(organisationId: $o) { status } }`,
			func() map[string]any { return map[string]any{"o": org} }, invoiceReaders},
		{"CardProgramme.budget", `query { cardProgrammes(first: 1) { nodes { budget { leftOre } } } }`, nil, cardStaff},
	}
}
