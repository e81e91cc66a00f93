package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
)

// TestCardMoneyEndToEnd follows a membership fee paid from a child's card through the API:
// the programme's grant and budget, a club approved to accept the card, its invoice by card
// number, the mother's partial acceptance with ID-porten, what the club and the
// settlement see, and the coordinators' budget warning delivered by e-mail.
func TestCardMoneyEndToEnd(t *testing.T) {
	t.Parallel()
	box, smtpURL := mailtest.Start(t)
	iss := newIssuer(t)
	s := newServer(t, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
		c.SMTPURL = smtpURL
	})
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"admin@example.no": {auth.RoleAdmin},
		"koordinator@example.no": {auth.RoleCardCoordinator}, "nav@example.no": {auth.RoleCaseworker},
		"kasserer@example.no": nil} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	admin, coord, nav := login(t, s, "admin@example.no"), login(t, s, "koordinator@example.no"), login(t, s, "nav@example.no")
	var club string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'turn', 'Larvik Turn', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&club); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT ?, ?, id, 'OWNER' FROM users WHERE email = 'kasserer@example.no'`, demo.ID(), club)
	treasurer := login(t, s, "kasserer@example.no")
	clubID := relayID("Organisation", club)

	agency := get(ok(t, s.post(t, `mutation { saveCardAgency(input: {name: "NAV Larvik", kind: NAV}) { agency { id } } }`,
		nil, coord)).Data, "saveCardAgency.agency.id")
	var navUser string
	s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = 'nav@example.no'").Scan(&navUser)
	ok(t, s.post(t, `mutation($u: ID!, $a: ID) { setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`,
		map[string]any{"u": relayID("User", navUser), "a": agency}, admin))
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Fritidskortet"}},
			"minAge": 6, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
			"cardsAvailable": 10, "budgetOre": 200_000, "defaultAllowance": 5, "status": "ACTIVE",
			"agencyIds": []any{agency}}}, coord)).Data, "saveCardProgramme.programme.id")
	set := ok(t, s.post(t, `mutation($p: ID!) { setCardProgrammeMoney(programmeId: $p,
		input: {grantOre: 100000, grantPeriod: YEAR, budgetWarningPercent: 75}) {
		programme { grantOre grantPeriod budget { budgetOre committedOre leftOre } } } }`, map[string]any{"p": programme}, coord))
	if get(set.Data, "setCardProgrammeMoney.programme.grantPeriod") != "YEAR" ||
		get(set.Data, "setCardProgrammeMoney.programme.budget.leftOre") != 200_000.0 {
		t.Fatalf("money set: %+v", set.Data)
	}

	// The club applies; the coordinator approves.
	ok(t, s.post(t, `mutation($p: ID!, $o: ID!) { applyToAcceptCard(programmeId: $p, organisationId: $o) {
		provider { status } } }`, map[string]any{"p": programme, "o": clubID}, treasurer))
	ok(t, s.post(t, `mutation($p: ID!, $o: ID!) { decideCardProvider(programmeId: $p, organisationId: $o, approve: true) {
		provider { status } } }`, map[string]any{"p": programme, "o": clubID}, coord))

	// NAV issues Sara a card, with the year's grant on it.
	child := identityNumber(time.Date(year-10, 4, 2, 0, 0, 0, 0, time.UTC), 0)
	mother := identityNumber(time.Date(year-38, 9, 9, 0, 0, 0, 0, time.UTC), 0)
	issued := ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id number balanceOre } } }`,
		map[string]any{"in": map[string]any{"programmeId": programme, "childIdentityNumber": child, "givenName": "Sara",
			"birthDate": fmt.Sprintf("%d-04-02", year-10), "guardianIdentityNumbers": []string{mother}}}, nav))
	if get(issued.Data, "issueCard.card.balanceOre") != 100_000.0 {
		t.Fatalf("issued: %+v", issued.Data)
	}
	number := get(issued.Data, "issueCard.card.number").(string)

	// The club posts the membership fee by the card number; it learns only that it is posted.
	posted := ok(t, s.post(t, `mutation($in: PostCardInvoiceInput!) { postCardInvoice(input: $in) {
		invoice { id status amountOre acceptedOre } } }`, map[string]any{"in": map[string]any{"organisationId": clubID,
		"cardNumber": strings.ToLower(number), "amountOre": 150_000, "purpose": "MEMBERSHIP", "reference": "KID 1234567",
		"childFirstName": "Sara"}}, treasurer))
	invoice := get(posted.Data, "postCardInvoice.invoice.id")
	if get(posted.Data, "postCardInvoice.invoice.status") != "POSTED" {
		t.Fatalf("posted: %+v", posted.Data)
	}
	if r := s.post(t, `mutation($in: PostCardInvoiceInput!) { postCardInvoice(input: $in) { invoice { id } } }`,
		map[string]any{"in": map[string]any{"organisationId": clubID, "cardNumber": number, "amountOre": -5,
			"purpose": "CUP", "reference": "1"}}, treasurer); r.code() != "BAD_USER_INPUT" ||
		r.Errors[0].Extensions["field"] != "input.amountOre" {
		t.Errorf("a negative amount: %+v", r.Errors)
	}

	// The mother signs in with ID-porten, sees the invoice and the balance, and accepts the
	// part the card covers: the family pays the rest.
	now := time.Now()
	tok := iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "mor", "pid": mother,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	resident := "Authorization: Bearer " + tok
	mine := ok(t, s.post(t, `{ myCards { nodes { balanceOre
		invoices { id amountOre status holderFirstName childFirstName } } } }`, nil, resident))
	if get(mine.Data, "myCards.nodes.0.invoices.0.id") != invoice || get(mine.Data, "myCards.nodes.0.balanceOre") != 100_000.0 {
		t.Fatalf("myCards: %+v", mine.Data)
	}
	// The name given by its old name reads by both, the neutral and the deprecated.
	if get(mine.Data, "myCards.nodes.0.invoices.0.holderFirstName") != "Sara" ||
		get(mine.Data, "myCards.nodes.0.invoices.0.childFirstName") != "Sara" {
		t.Errorf("the first name: %+v", mine.Data)
	}
	if r := s.post(t, `mutation($id: ID!) { acceptCardInvoice(id: $id) { invoice { status } } }`,
		map[string]any{"id": invoice}, resident); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["reason"] != "INSUFFICIENT_BALANCE" {
		t.Fatalf("the whole fee: %+v", r.Errors)
	}
	acc := ok(t, s.post(t, `mutation($id: ID!) { acceptCardInvoice(id: $id, amountOre: 100000) {
		invoice { status acceptedOre } card { balanceOre ledger(first: 5) { nodes { kind amountOre } } } } }`,
		map[string]any{"id": invoice}, resident))
	if get(acc.Data, "acceptCardInvoice.invoice.status") != "PARTLY_ACCEPTED" ||
		get(acc.Data, "acceptCardInvoice.card.balanceOre") != 0.0 ||
		get(acc.Data, "acceptCardInvoice.card.ledger.nodes.0.kind") != "SPEND" ||
		get(acc.Data, "acceptCardInvoice.card.ledger.nodes.1.kind") != "GRANT" {
		t.Fatalf("accepted: %+v", acc.Data)
	}

	// The club sees what the card paid, so it bills the family the other 500 kroner.
	theirs := ok(t, s.post(t, `query($o: ID!) { organisationCardInvoices(organisationId: $o) {
		nodes { status acceptedOre amountOre } } }`, map[string]any{"o": clubID}, treasurer))
	if get(theirs.Data, "organisationCardInvoices.nodes.0.acceptedOre") != 100_000.0 {
		t.Errorf("the club's invoices: %+v", theirs.Data)
	}
	settled := ok(t, s.post(t, `query($p: ID!) { cardSettlement(programmeId: $p) { nodes { name invoices invoiceOre ore } } }`,
		map[string]any{"p": programme}, coord))
	if get(settled.Data, "cardSettlement.nodes.0.invoiceOre") != 100_000.0 || get(settled.Data, "cardSettlement.nodes.0.ore") != 100_000.0 {
		t.Errorf("settlement: %+v", settled.Data)
	}

	// A top-up passes 75 % of the budget: the coordinator hears of it by e-mail, once.
	card := get(issued.Data, "issueCard.card.id")
	ok(t, s.post(t, `mutation($c: ID!) { topUpCard(input: {cardId: $c, amountOre: 60000, reason: "Utstyr til turn"}) {
		card { balanceOre } } }`, map[string]any{"c": card}, coord))
	budget := ok(t, s.post(t, `query($p: ID!) { node(id: $p) { ... on CardProgramme { budget {
		committedOre spentOre leftOre warnedAt } } } }`, map[string]any{"p": programme}, coord))
	if get(budget.Data, "node.budget.spentOre") != 100_000.0 || get(budget.Data, "node.budget.committedOre") != 60_000.0 ||
		get(budget.Data, "node.budget.leftOre") != 40_000.0 || get(budget.Data, "node.budget.warnedAt") == nil {
		t.Errorf("budget: %+v", budget.Data)
	}
	warnings := bodiesTo(t, s, box, "koordinator@example.no")
	if len(warnings) != 1 || !strings.Contains(warnings[0], "Fritidskortet") || !strings.Contains(warnings[0], "75 %") {
		t.Errorf("the coordinator's warnings (%d):\n%s", len(warnings), strings.Join(warnings, "\n---\n"))
	}
	if r := s.post(t, `query($p: ID!) { node(id: $p) { ... on CardProgramme { budget { leftOre } } } }`,
		map[string]any{"p": programme}, nav); r.code() != "FORBIDDEN" {
		t.Errorf("a caseworker read the budget: %+v", r.Errors)
	}
}
