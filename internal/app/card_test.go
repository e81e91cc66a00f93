package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/config"
)

// identityNumber returns a valid fødselsnummer for the birth date, the n-th one of that day
// that has valid check digits (synthetic: computed, not anyone's).
func identityNumber(birth time.Time, n int) string {
	w1 := []int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	w2 := []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	for ind := 0; ind < 1000; ind++ {
		if birth.Year() >= 2000 && ind < 500 {
			continue // 2000s births have individual numbers 500-999
		}
		d := fmt.Sprintf("%02d%02d%02d%03d", birth.Day(), int(birth.Month()), birth.Year()%100, ind)
		digits := make([]int, 0, 11)
		for _, c := range d {
			digits = append(digits, int(c-'0'))
		}
		check := func(w []int) int {
			sum := 0
			for i, x := range w {
				sum += x * digits[i]
			}
			k := 11 - sum%11
			if k == 11 {
				return 0
			}
			return k
		}
		k1 := check(w1)
		if k1 == 10 {
			continue
		}
		digits = append(digits, k1)
		k2 := check(w2)
		if k2 == 10 {
			continue
		}
		if n == 0 {
			return fmt.Sprintf("%s%d%d", d, k1, k2)
		}
		n--
	}
	panic("no identity number left for the day")
}

func TestActivityCardEndToEnd(t *testing.T) {
	iss := newIssuer(t)
	s := newServer(t, func(c *config.Config) { c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}} })
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"admin@example.no": {auth.RoleAdmin}, "koordinator@example.no": {auth.RoleCardCoordinator},
		"nav@example.no": {auth.RoleCaseworker}, "skole@example.no": {auth.RoleCaseworker}, "dor@example.no": nil} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email, Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	admin, coord, nav, school := login(t, s, "admin@example.no"), login(t, s, "koordinator@example.no"), login(t, s, "nav@example.no"), login(t, s, "skole@example.no")
	var org string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'bowling', 'Larvik Bowling', 'OTHER', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&org); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) SELECT ?, ?, id, 'TICKET_CHECKER' FROM users WHERE email = 'dor@example.no'`, demo.ID(), org)
	door := login(t, s, "dor@example.no")

	// The municipality sets up: agencies, caseworkers, a programme and a provider's offer.
	agency := func(name, kind, who string) string {
		r := ok(t, s.post(t, `mutation($n: String!, $k: CardAgencyKind!) {
			saveCardAgency(input: {name: $n, kind: $k}) { agency { id } } }`, map[string]any{"n": name, "k": kind}, coord))
		id := get(r.Data, "saveCardAgency.agency.id").(string)
		var user string
		s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", who).Scan(&user)
		tied := ok(t, s.post(t, `mutation($u: ID!, $a: ID) {
			setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`, map[string]any{"u": relayID("User", user), "a": id}, admin))
		if get(tied.Data, "setCaseworkerAgency.agency.id") != id {
			t.Errorf("tied to %+v, want %s", tied.Data, id)
		}
		return id
	}
	navID, schoolID := agency("NAV Larvik", "NAV", "nav@example.no"), agency("Hedrum ungdomsskole", "SCHOOL", "skole@example.no")
	year := time.Now().Year()
	prog := ok(t, s.post(t, `mutation($in: CardProgrammeInput!) {
		saveCardProgramme(input: $in) { programme { id name cardsLeft status agencies { name } } } }`, map[string]any{"in": map[string]any{
		"texts":  []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet", "eligibility": "Barn i familier med lav inntekt"}},
		"minAge": 6, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
		"cardsAvailable": 100, "budgetOre": 50000000, "defaultAllowance": 5, "status": "ACTIVE", "agencyIds": []string{navID, schoolID}}}, coord))
	programme := get(prog.Data, "saveCardProgramme.programme.id").(string)
	if get(prog.Data, "saveCardProgramme.programme.cardsLeft") != 100.0 || len(get(prog.Data, "saveCardProgramme.programme.agencies").([]any)) != 2 {
		t.Fatalf("programme: %+v", prog.Data)
	}
	offer := ok(t, s.post(t, `mutation($in: CardOfferInput!) {
		saveCardOffer(input: $in) { offer { id status released } } }`, map[string]any{"in": map[string]any{
		"organisationId": relayID("Organisation", org), "programmeIds": []string{programme},
		"texts": []any{map[string]any{"locale": "nb", "title": "To runder bowling", "howToUse": "Vis billetten i kassa"}},
		"stock": 40, "perCardLimit": 2, "admits": 2, "validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339),
		"validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339), "valueOre": 15000, "source": "PURCHASED"}}, coord))
	offerID := get(offer.Data, "saveCardOffer.offer.id").(string)
	// Anyone may read an active programme, also through node; a draft offer is the staff's.
	pub := ok(t, s.post(t, `query($p: ID!, $o: ID!) {
		p: node(id: $p) { ... on CardProgramme { name agencies { name } } } o: node(id: $o) { id } }`,
		map[string]any{"p": programme, "o": offerID}))
	if get(pub.Data, "p.name") != "Aktivitetskortet" || len(get(pub.Data, "p.agencies").([]any)) != 0 || get(pub.Data, "o") != nil {
		t.Errorf("public reads: %+v", pub.Data)
	}
	ok(t, s.post(t, `mutation($id: ID!) {
		releaseCardOfferStock(offerId: $id, amount: 20) { offer { released } } }`, map[string]any{"id": offerID}, coord))
	ok(t, s.post(t, `mutation($id: ID!) {
		setCardOfferStatus(id: $id, status: PUBLISHED) { offer { status } } }`, map[string]any{"id": offerID}, coord))

	// A caseworker issues a card to a child; the stopper catches the second agency.
	child := identityNumber(time.Date(year-10, 3, 14, 0, 0, 0, 0, time.UTC), 0)
	mother := identityNumber(time.Date(year-40, 7, 2, 0, 0, 0, 0, time.UTC), 0)
	recipient := map[string]any{"programmeId": programme, "childIdentityNumber": child, "givenName": "Sara",
		"birthDate": fmt.Sprintf("%d-03-14", year-10), "guardianIdentityNumbers": []string{mother}}
	if r := ok(t, s.post(t, `mutation($in: CardRecipientInput!) {
		checkRecipient(input: $in) { findings { code } } }`, map[string]any{"in": recipient}, nav)); len(get(r.Data, "checkRecipient.findings").([]any)) != 0 {
		t.Errorf("findings for a new child: %+v", r.Data)
	}
	issued := ok(t, s.post(t, `mutation($in: CardRecipientInput!) {
		issueCard(input: $in) { card { id number status holder { givenName } } } }`, map[string]any{"in": recipient}, nav))
	cardID := get(issued.Data, "issueCard.card.id").(string)
	if get(issued.Data, "issueCard.card.holder.givenName") != "Sara" || get(issued.Data, "issueCard.card.status") != "ACTIVE" {
		t.Fatalf("issued: %+v", issued.Data)
	}
	again := s.post(t, `mutation($in: CardRecipientInput!) {
		issueCard(input: $in) { card { id } } }`, map[string]any{"in": recipient}, school)
	if again.code() != "CARD_BLOCKED" {
		t.Fatalf("second card: %+v", again.Errors)
	}
	found := again.Errors[0].Extensions["findings"].([]any)[0].(map[string]any)
	if found["code"] != "ALREADY_HAS_CARD" || found["agency"] != "NAV Larvik" || strings.Contains(fmt.Sprint(again.Errors), child) {
		t.Errorf("finding: %+v", found)
	}
	bad := s.post(t, `mutation($in: CardRecipientInput!) {
		checkRecipient(input: $in) { findings { code } } }`, map[string]any{"in": map[string]any{
		"programmeId": programme, "childIdentityNumber": child[:10] + fmt.Sprint((int(child[10]-'0')+1)%10), "givenName": "Sara", "birthDate": fmt.Sprintf("%d-03-14", year-10)}}, nav)
	if bad.code() != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "input.childIdentityNumber" || bad.Errors[0].Extensions["reason"] != "CHECK_DIGIT" {
		t.Errorf("wrong check digit: %+v", bad.Errors)
	}

	// The mother signs in with ID-porten, sees her daughter's card and claims a ticket.
	now := time.Now()
	token := iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "mor", "pid": mother, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	resident := "Authorization: Bearer " + token
	mine := ok(t, s.post(t, `{
		myCards { nodes { id programme { name } holder { givenName } claimableOffers { id left } } } }`, nil, resident))
	if get(mine.Data, "myCards.nodes.0.id") != cardID || get(mine.Data, "myCards.nodes.0.programme.name") != "Aktivitetskortet" ||
		get(mine.Data, "myCards.nodes.0.claimableOffers.0.id") != offerID || get(mine.Data, "myCards.nodes.0.claimableOffers.0.left") != 20.0 {
		t.Fatalf("myCards: %+v", mine.Data)
	}
	claim := ok(t, s.post(t, `mutation($c: ID!, $o: ID!) {
		claimTicket(cardId: $c, offerId: $o) { ticket { code payload admits status offer { title } printable } } }`,
		map[string]any{"c": cardID, "o": offerID}, resident))
	code := get(claim.Data, "claimTicket.ticket.code").(string)
	if p := get(claim.Data, "claimTicket.ticket.printable").(string); !strings.Contains(p, code) || !strings.Contains(p, "<svg") || !strings.Contains(p, "To runder bowling") {
		t.Errorf("printable ticket: %.200s", p)
	}
	if get(claim.Data, "claimTicket.ticket.admits") != 2.0 || !strings.HasPrefix(get(claim.Data, "claimTicket.ticket.payload").(string), "FRITID1:demo:") {
		t.Errorf("claim: %+v", claim.Data)
	}

	// At the door: what it is for and for how many, nothing about Sara; checked in once.
	chk := ok(t, s.post(t, `mutation($c: String!) {
		checkTicket(code: $c) { ticketCheck { offerTitle admits valid problem } } }`, map[string]any{"c": strings.ToLower(code)}, door))
	if get(chk.Data, "checkTicket.ticketCheck.valid") != true || get(chk.Data, "checkTicket.ticketCheck.offerTitle") != "To runder bowling" {
		t.Errorf("check: %+v", chk.Data)
	}
	if r := s.post(t, `mutation($c: String!) {
		checkTicket(code: $c) { ticketCheck { valid } } }`, map[string]any{"c": code}, nav); r.code() != "FORBIDDEN" {
		t.Errorf("a caseworker at the door: %+v", r.Errors)
	}
	ok(t, s.post(t, `mutation($c: String!) {
		redeemTicket(code: $c) { ticketCheck { valid } } }`, map[string]any{"c": code}, door))
	if r := s.post(t, `mutation($c: String!) {
		redeemTicket(code: $c) { ticketCheck { valid } } }`, map[string]any{"c": code}, door); r.code() != "ALREADY_REDEEMED" {
		t.Errorf("second redeem: %+v", r.Errors)
	}

	// An anonymous card: number and PIN are the only way in.
	anon := ok(t, s.post(t, `mutation($p: ID!) {
		issueAnonymousCards(programmeId: $p, count: 2) { cards { pin card { id number kind } } sheet } }`, map[string]any{"p": programme}, coord))
	access := map[string]any{"number": get(anon.Data, "issueAnonymousCards.cards.0.card.number"), "pin": get(anon.Data, "issueAnonymousCards.cards.0.pin")}
	// The printable sheet holds both cards with their PINs.
	sheet := get(anon.Data, "issueAnonymousCards.sheet").(string)
	for i := 0; i < 2; i++ {
		n, pin := get(anon.Data, fmt.Sprintf("issueAnonymousCards.cards.%d.card.number", i)).(string), get(anon.Data, fmt.Sprintf("issueAnonymousCards.cards.%d.pin", i)).(string)
		if !strings.Contains(sheet, n) || !strings.Contains(sheet, pin) || !strings.Contains(sheet, "Aktivitetskortet") {
			t.Errorf("the sheet lacks card %s or its PIN", n)
		}
	}
	opened := ok(t, s.post(t, `mutation($a: CardPinInput!) {
		openCard(access: $a) { card { id kind holder { givenName } tickets { code } claimableOffers { id } } } }`, map[string]any{"a": access}))
	if get(opened.Data, "openCard.card.kind") != "ANONYMOUS" || get(opened.Data, "openCard.card.holder") != nil || get(opened.Data, "openCard.card.claimableOffers.0.id") != offerID {
		t.Errorf("opened: %+v", opened.Data)
	}
	anonClaim := ok(t, s.post(t, `mutation($c: ID!, $o: ID!, $a: CardPinInput) { claimTicket(cardId: $c, offerId: $o, access: $a) {
		ticket { id } offer { id claimed left } card { id tickets { id } } } }`,
		map[string]any{"c": get(opened.Data, "openCard.card.id"), "o": offerID, "a": access}))
	// The answer carries what changed: the offer's stock and the card's tickets.
	if get(anonClaim.Data, "claimTicket.offer.id") != offerID || get(anonClaim.Data, "claimTicket.offer.claimed") != 2.0 ||
		get(anonClaim.Data, "claimTicket.offer.left") != 18.0 || get(anonClaim.Data, "claimTicket.card.id") != get(opened.Data, "openCard.card.id") ||
		get(anonClaim.Data, "claimTicket.card.tickets.0.id") != get(anonClaim.Data, "claimTicket.ticket.id") {
		t.Errorf("claim with number and PIN: %+v", anonClaim.Data)
	}
	if r := s.post(t, `mutation($a: CardPinInput!) {
		openCard(access: $a) { card { id } } }`, map[string]any{"a": map[string]any{"number": access["number"], "pin": "000000"}}); r.code() != "NOT_FOUND" {
		t.Errorf("wrong PIN: %+v", r.Errors)
	}

	// Statistics: small counts never show exactly.
	st := ok(t, s.post(t, `query($p: ID!) {
		cardStatistics(programmeId: $p) { cardsIssued { value display } tickets { claimed { display } } byProvider { name } } }`,
		map[string]any{"p": programme}, coord))
	if get(st.Data, "cardStatistics.cardsIssued.value") != nil || get(st.Data, "cardStatistics.cardsIssued.display") != "<5" {
		t.Errorf("statistics: %+v", st.Data)
	}
	// The settlement is exact: one purchased ticket used at the bowling hall, 150 kroner owed.
	set := ok(t, s.post(t, `query($p: ID!) {
		cardSettlement(programmeId: $p) { nodes { name tickets ore } } }`, map[string]any{"p": programme}, coord))
	if get(set.Data, "cardSettlement.nodes.0.name") != "Larvik Bowling" || get(set.Data, "cardSettlement.nodes.0.tickets") != 1.0 || get(set.Data, "cardSettlement.nodes.0.ore") != 15000.0 {
		t.Errorf("settlement: %+v", set.Data)
	}
	if r := s.post(t, `query($p: ID!) {
		cardStatistics(programmeId: $p) { cardsIssued { display } } }`, map[string]any{"p": programme}, nav); r.code() != "FORBIDDEN" {
		t.Errorf("a caseworker read statistics: %+v", r.Errors)
	}
	checkYearlyReport(t, s, programme, coord, nav)

	// A caseworker's page of cards loads every card's tickets at once: a longer page costs
	// no more statements.
	for i := 1; i <= 3; i++ {
		ok(t, s.post(t, `mutation($in: CardRecipientInput!) {
			issueCard(input: $in) { card { id } } }`, map[string]any{"in": map[string]any{
			"programmeId": programme, "childIdentityNumber": identityNumber(time.Date(year-9, 5, i, 0, 0, 0, 0, time.UTC), 0), "givenName": "Barn",
			"birthDate": fmt.Sprintf("%d-05-%02d", year-9, i)}}, nav))
	}
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	statements := func(n int) int64 {
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, `query($n: Int) {
			agencyCards(first: $n) { nodes { number holder { givenName } tickets { code status } balanceOre } } }`,
			map[string]any{"n": n}, nav))
		if got := len(get(r.Data, "agencyCards.nodes").([]any)); got != n {
			t.Fatalf("agencyCards(first: %d) gave %d", n, got)
		}
		return counter.n.Load()
	}
	if one, four := statements(1), statements(4); one != four {
		t.Errorf("agencyCards with tickets and balances: %d statements for 1 card, %d for 4", one, four)
	}
	tickets := ok(t, s.post(t, `{ agencyCards(first: 10) { nodes { id tickets { status } } } }`, nil, nav))
	for _, n := range get(tickets.Data, "agencyCards.nodes").([]any) {
		if n.(map[string]any)["id"] == cardID && len(n.(map[string]any)["tickets"].([]any)) != 1 {
			t.Errorf("Sara's card in the agency's list: %+v", n)
		}
	}

	// A data-subject access request, then erasure: the card stays, anonymous.
	rep := ok(t, s.post(t, `mutation($n: String!) {
		personalDataReport(identityNumber: $n) { personalDataReport { found givenName cards { agency tickets { offer status } } } } }`, map[string]any{"n": child}, admin))
	if get(rep.Data, "personalDataReport.personalDataReport.givenName") != "Sara" || get(rep.Data, "personalDataReport.personalDataReport.cards.0.tickets.0.status") != "REDEEMED" {
		t.Errorf("report: %+v", rep.Data)
	}
	ok(t, s.post(t, `mutation($n: String!) {
		erasePersonalData(identityNumber: $n) { erased } }`, map[string]any{"n": child}, admin))
	if r := ok(t, s.post(t, `mutation($n: String!) {
		personalDataReport(identityNumber: $n) { personalDataReport { found } } }`, map[string]any{"n": child}, admin)); get(r.Data, "personalDataReport.personalDataReport.found") != false {
		t.Errorf("after erasure: %+v", r.Data)
	}
	var cards int
	s.app.DB.QueryRowContext(ctx, "SELECT count(*) FROM cards WHERE kind = 'PERSONAL' AND holder_id IS NULL").Scan(&cards)
	if cards != 1 {
		t.Errorf("%d anonymous personal cards after erasure, want 1", cards)
	}
}
