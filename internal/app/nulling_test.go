package app_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
)

// cardSetup is a programme with one published offer, a NAV caseworker who issued cards in
// it, and the callers' Authorization headers.
type cardSetup struct {
	admin, coord, nav, school string
	programme, offer, org     string
}

// newCardSetup sets the activity card up through the API, with cards issued by NAV to
// children aged 9.
func newCardSetup(t *testing.T, s *testServer, cards int) *cardSetup {
	t.Helper()
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"admin@example.no": {auth.RoleAdmin},
		"koordinator@example.no": {auth.RoleCardCoordinator}, "nav@example.no": {auth.RoleCaseworker}, "skole@example.no": {auth.RoleCaseworker}} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email, Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	cs := &cardSetup{admin: login(t, s, "admin@example.no"), coord: login(t, s, "koordinator@example.no"),
		nav: login(t, s, "nav@example.no"), school: login(t, s, "skole@example.no")}
	agency := func(name, who string) string {
		r := ok(t, s.post(t, `mutation($n: String!) {
			saveCardAgency(input: {name: $n, kind: NAV}) { agency { id } } }`, map[string]any{"n": name}, cs.coord))
		var user string
		if err := s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", who).Scan(&user); err != nil {
			t.Fatal(err)
		}
		id := get(r.Data, "saveCardAgency.agency.id").(string)
		ok(t, s.post(t, `mutation($u: ID!, $a: ID) {
			setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`, map[string]any{"u": relayID("User", user), "a": id}, cs.admin))
		return id
	}
	agencies := []string{agency("NAV Larvik", "nav@example.no"), agency("Skolen", "skole@example.no")}
	year := time.Now().Year()
	r := ok(t, s.post(t, `mutation($in: CardProgrammeInput!) {
		saveCardProgramme(input: $in) { programme { id } } }`, map[string]any{"in": map[string]any{
		"texts": []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet"}}, "minAge": 6, "maxAge": 17,
		"validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 100,
		"budgetOre": 5000000, "defaultAllowance": 5, "status": "ACTIVE", "agencyIds": agencies}}, cs.coord))
	cs.programme = get(r.Data, "saveCardProgramme.programme.id").(string)
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'kino', 'Kinoen', 'COMMERCIAL', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&cs.org); err != nil {
		t.Fatal(err)
	}
	r = ok(t, s.post(t, `mutation($in: CardOfferInput!) {
		saveCardOffer(input: $in) { offer { id } } }`, map[string]any{"in": map[string]any{
		"organisationId": relayID("Organisation", cs.org), "programmeIds": []string{cs.programme},
		"texts": []any{map[string]any{"locale": "nb", "title": "Kinobillett"}}, "stock": 40, "perCardLimit": 2, "admits": 1,
		"validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339), "validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
		"valueOre": 9000, "source": "DONATED"}}, cs.coord))
	cs.offer = get(r.Data, "saveCardOffer.offer.id").(string)
	ok(t, s.post(t, `mutation($id: ID!) {
		releaseCardOfferStock(offerId: $id, amount: 20) { offer { released } } }`, map[string]any{"id": cs.offer}, cs.coord))
	ok(t, s.post(t, `mutation($id: ID!) {
		setCardOfferStatus(id: $id, status: PUBLISHED) { offer { status } } }`, map[string]any{"id": cs.offer}, cs.coord))
	for i := 1; i <= cards; i++ {
		ok(t, s.post(t, `mutation($in: CardRecipientInput!) {
			issueCard(input: $in) { card { id } } }`, map[string]any{"in": map[string]any{
			"programmeId": cs.programme, "childIdentityNumber": identityNumber(time.Date(year-9, 5, i, 0, 0, 0, 0, time.UTC), 0),
			"givenName": "Barn", "birthDate": fmt.Sprintf("%d-05-%02d", year-9, i)}}, cs.nav))
	}
	return cs
}

// items returns the list at path, or nil when there is none.
func items(data any, path string) []any {
	l, _ := get(data, path).([]any)
	return l
}

// wantFieldErrors fails t unless r has exactly one error per path, each with code, and the
// value at each path is null.
func wantFieldErrors(t *testing.T, r *gqlResponse, code string, paths ...string) {
	t.Helper()
	got := map[string]string{}
	for _, e := range r.Errors {
		p := ""
		for i, x := range e.Path {
			if i > 0 {
				p += "."
			}
			p += fmt.Sprint(x)
		}
		got[p], _ = e.Extensions["code"].(string)
	}
	want := map[string]string{}
	for _, p := range paths {
		want[p] = code
		if v := get(r.Data, p); v != nil {
			t.Errorf("%s = %v, want null", p, v)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors by path %v, want %v", got, want)
	}
}

// TestARefusedFieldNullsOnlyItself proves the GraphQL rule that an error nulls the nearest
// nullable ancestor: a field refused or failing on its own is null with its error (path
// and code), and its siblings and parents stand.
func TestARefusedFieldNullsOnlyItself(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	cs := newCardSetup(t, s, 2)

	t.Run("TheFoundCase", func(t *testing.T) {
		// A caseworker's page of cards with what each may claim: it was data null.
		r := ok(t, s.post(t, `{ agencyCards { nodes { number claimableOffers { title } } } }`, nil, cs.nav))
		nodes := items(r.Data, "agencyCards.nodes")
		if len(nodes) != 2 || get(nodes[0], "number") == nil || get(nodes[1], "claimableOffers.0.title") != "Kinobillett" {
			t.Errorf("agencyCards: %+v", r.Data)
		}
	})

	t.Run("RefusedNestedFieldsUnderAList", func(t *testing.T) {
		// An administrator issues anonymous cards, whose PINs are shown only now, and asks
		// for what they may claim and their tickets, which are not theirs to see.
		r := s.post(t, `mutation($p: ID!) { issueAnonymousCards(programmeId: $p, count: 2) {
			cards { pin card { number claimableOffers { title } tickets { code } } } } }`, map[string]any{"p": cs.programme}, cs.admin)
		if r.Status != 200 {
			t.Fatalf("status %d", r.Status)
		}
		for i := 0; i < 2; i++ {
			if get(r.Data, fmt.Sprintf("issueAnonymousCards.cards.%d.pin", i)) == nil || get(r.Data, fmt.Sprintf("issueAnonymousCards.cards.%d.card.number", i)) == nil {
				t.Errorf("card %d lost its PIN or number: %+v", i, r.Data)
			}
		}
		wantFieldErrors(t, r, "FORBIDDEN", "issueAnonymousCards.cards.0.card.claimableOffers", "issueAnonymousCards.cards.0.card.tickets",
			"issueAnonymousCards.cards.1.card.claimableOffers", "issueAnonymousCards.cards.1.card.tickets")
	})

	t.Run("RefusedRootFieldLeavesItsSiblings", func(t *testing.T) {
		r := s.post(t, `query($p: ID!) { viewer { roles } agencyCards { nodes { number } } users { nodes { roles } }
			cardStatistics(programmeId: $p) { cardsIssued { display } } }`, map[string]any{"p": cs.programme}, cs.nav)
		if !has(get(r.Data, "viewer.roles"), "CASEWORKER") || len(items(r.Data, "agencyCards.nodes")) != 2 {
			t.Errorf("the allowed fields: %+v", r.Data)
		}
		wantFieldErrors(t, r, "FORBIDDEN", "users", "cardStatistics")
	})

	t.Run("AnEmptyListIsNotNull", func(t *testing.T) {
		r := ok(t, s.post(t, `query($p: ID!) {
			apiKeys { nodes { id } } cardSettlement(programmeId: $p) { nodes { name } } }`, map[string]any{"p": cs.programme}, cs.admin))
		for _, p := range []string{"apiKeys", "cardSettlement"} {
			if l, isList := get(r.Data, p+".nodes").([]any); !isList || len(l) != 0 {
				t.Errorf("%s = %v, want []", p, get(r.Data, p))
			}
		}
	})

	t.Run("FailedNestedFieldUnderAList", func(t *testing.T) {
		// A ticket's printable page needs its offer; once the offer is paused, a caseworker
		// no longer sees it. The page is null, the card and its ticket stand.
		var card string
		if err := s.app.DB.QueryRowContext(context.Background(), "SELECT id FROM cards ORDER BY issued_at, id LIMIT 1").Scan(&card); err != nil {
			t.Fatal(err)
		}
		ok(t, s.post(t, `mutation($c: ID!, $o: ID!) { allocateTicket(cardId: $c, offerId: $o) { ticket { code } } }`,
			map[string]any{"c": relayID("Card", card), "o": cs.offer}, cs.nav))
		ok(t, s.post(t, `mutation($id: ID!) {
			setCardOfferStatus(id: $id, status: PAUSED) { offer { status } } }`, map[string]any{"id": cs.offer}, cs.coord))
		r := s.post(t, `{ agencyCards { nodes { id number tickets { code printable } } } }`, nil, cs.nav)
		var paths []string
		for i, n := range items(r.Data, "agencyCards.nodes") {
			if get(n, "id") == relayID("Card", card) {
				if get(n, "tickets.0.code") == nil {
					t.Errorf("the ticket lost its code: %+v", n)
				}
				paths = append(paths, fmt.Sprintf("agencyCards.nodes.%d.tickets.0.printable", i))
			}
		}
		if len(paths) != 1 {
			t.Fatalf("the card is not in the agency's list once: %+v", r)
		}
		wantFieldErrors(t, r, "NOT_FOUND", paths...)
	})

	t.Run("BadNestedConnection", func(t *testing.T) {
		r := s.post(t, `{
			municipality { name } organisations { nodes { name activities(first: 5, after: "not-a-cursor") { nodes { title } } } } }`, nil)
		if get(r.Data, "municipality.name") != "Demo kommune" || get(r.Data, "organisations.nodes.0.name") != "Kinoen" {
			t.Errorf("the parents: %+v", r.Data)
		}
		wantFieldErrors(t, r, "BAD_USER_INPUT", "organisations.nodes.0.activities")
	})
}

// TestClaimableOffersForTheCardsStaff: a caseworker of the issuing agency and a card
// coordinator read what a card may claim, the list its holder would see; a page of cards
// loads it in one batch.
func TestClaimableOffersForTheCardsStaff(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	cs := newCardSetup(t, s, 4)
	var card string
	if err := s.app.DB.QueryRowContext(context.Background(), "SELECT id FROM cards ORDER BY issued_at, id LIMIT 1").Scan(&card); err != nil {
		t.Fatal(err)
	}
	card = relayID("Card", card)
	al := ok(t, s.post(t, `mutation($c: ID!, $o: ID!) {
		allocateTicket(cardId: $c, offerId: $o) { ticket { code } card { id tickets { code } } } }`,
		map[string]any{"c": card, "o": cs.offer}, cs.nav))
	if get(al.Data, "allocateTicket.card.id") != card || get(al.Data, "allocateTicket.card.tickets.0.code") != get(al.Data, "allocateTicket.ticket.code") {
		t.Errorf("allocate: %+v", al.Data)
	}

	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	statements := func(n int) int64 {
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, `query($n: Int) {
			agencyCards(first: $n) { nodes { id claimableOffers { id left } } } }`, map[string]any{"n": n}, cs.nav))
		for _, node := range items(r.Data, "agencyCards.nodes") {
			if get(node, "claimableOffers.0.id") != cs.offer || get(node, "claimableOffers.0.left") != 19.0 {
				t.Errorf("card %v may claim %+v", get(node, "id"), get(node, "claimableOffers"))
			}
		}
		return counter.n.Load()
	}
	if one, four := statements(1), statements(4); one != four || one == 0 {
		t.Errorf("agencyCards with claimableOffers: %d statements for 1 card, %d for 4", one, four)
	}

	// One card at a time, through the mutations that answer with it: a suspended card may
	// claim nothing; resumed, it may claim the offer again.
	for _, who := range []struct{ name, header string }{{"issuing agency", cs.nav}, {"card coordinator", cs.coord}} {
		t.Run(who.name, func(t *testing.T) {
			r := ok(t, s.post(t, `mutation($c: ID!) {
				suspendCard(id: $c) { card { status claimableOffers { id } } } }`, map[string]any{"c": card}, who.header))
			if get(r.Data, "suspendCard.card.status") != "SUSPENDED" || len(items(r.Data, "suspendCard.card.claimableOffers")) != 0 {
				t.Errorf("suspended: %+v", r.Data)
			}
			r = ok(t, s.post(t, `mutation($c: ID!) {
				resumeCard(id: $c) { card { claimableOffers { id title } } } }`, map[string]any{"c": card}, who.header))
			if get(r.Data, "resumeCard.card.claimableOffers.0.id") != cs.offer || len(items(r.Data, "resumeCard.card.claimableOffers")) != 1 {
				t.Errorf("resumed: %+v", r.Data)
			}
		})
	}
}
