package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

const signUpWithCardQ = `mutation($in: SignUpWithCardInput!) { signUpWithCard(input: $in) {
	ticket { id code status admits } event { placesLeft signup { cardPlaces cardPlacesLeft } } card { id } } }`

const cardSignupsQ = `query($id: ID!) { event(id: $id) { signup { cardPlaces cardPlacesLeft } placesLeft
	signups(first: 100) { totalCount nodes { id status groupSize contactEmail cardPlace participants { name } } } } }`

// cardPlaces is a municipality with an activity-card programme, a published offer of an
// organisation and a published event linked to it, on 10 February 2027.
type cardPlaces struct {
	s            *testServer
	admin        string
	programme    string
	offer, event string
}

// newCardPlaces sets cardPlaces up, the event's sign-up with places and cardPlaces.
func newCardPlaces(t *testing.T, places, kept int) *cardPlaces {
	t.Helper()
	s, admin := newSignupServer(t)
	ctx := context.Background()
	demo, err := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	var org string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'teater', 'Larvik Teater', 'OTHER', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&org); err != nil {
		t.Fatal(err)
	}
	cp := &cardPlaces{s: s, admin: admin}
	cp.programme = cp.newProgramme(t, "Aktivitetskortet")
	offer := ok(t, s.post(t, `mutation($in: CardOfferInput!) { saveCardOffer(input: $in) { offer { id } } }`,
		map[string]any{"in": map[string]any{"organisationId": relayID("Organisation", org),
			"programmeIds": []string{cp.programme}, "texts": []any{map[string]any{"locale": "nb", "title": "Teaterbillett"}},
			"stock": 100, "perCardLimit": 2, "admits": 1, "validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339),
			"validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339), "valueOre": 20000, "source": "DONATED"}}, admin))
	cp.offer = get(offer.Data, "saveCardOffer.offer.id").(string)
	ok(t, s.post(t, `mutation($id: ID!) { releaseCardOfferStock(offerId: $id, amount: 100) { offer { released } } }`,
		map[string]any{"id": cp.offer}, admin))
	ok(t, s.post(t, `mutation($id: ID!) { setCardOfferStatus(id: $id, status: PUBLISHED) { offer { status } } }`,
		map[string]any{"id": cp.offer}, admin))
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("forestilling", start,
		map[string]any{"publication": "PUBLISHED", "cardOfferId": cp.offer})}, admin))
	cp.event = get(r.Data, "createEvent.event.id").(string)
	ok(t, s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": cp.event, "places": places,
		"cardPlaces": kept, "askName": true}}, admin))
	return cp
}

// newProgramme makes an active programme of this year and returns its ID.
func (cp *cardPlaces) newProgramme(t *testing.T, name string) string {
	t.Helper()
	year := time.Now().Year()
	r := ok(t, cp.s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": name}},
			"minAge": 0, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year),
			"validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 100, "budgetOre": 0, "defaultAllowance": 10,
			"status": "ACTIVE", "agencyIds": []any{}}}, cp.admin))
	return get(r.Data, "saveCardProgramme.programme.id").(string)
}

// heldCard is an anonymous card with its number and PIN.
type heldCard struct {
	id     string
	access map[string]any
}

// cards issues n anonymous cards of programme.
func (cp *cardPlaces) cards(t *testing.T, programme string, n int) []heldCard {
	t.Helper()
	r := ok(t, cp.s.post(t, `mutation($p: ID!, $n: Int!) { issueAnonymousCards(programmeId: $p, count: $n) {
		cards { pin card { id number } } } }`, map[string]any{"p": programme, "n": n}, cp.admin))
	out := make([]heldCard, n)
	for i := range out {
		c := fmt.Sprintf("issueAnonymousCards.cards.%d.", i)
		out[i] = heldCard{id: get(r.Data, c+"card.id").(string), access: map[string]any{
			"number": get(r.Data, c+"card.number"), "pin": get(r.Data, c+"pin")}}
	}
	return out
}

// signUp takes a card place at event with card c (with its number and PIN).
func (cp *cardPlaces) signUp(t *testing.T, event string, c heldCard, headers ...string) *gqlResponse {
	t.Helper()
	return cp.s.post(t, signUpWithCardQ, map[string]any{"in": map[string]any{"eventId": event, "cardId": c.id,
		"access": c.access}}, headers...)
}

// TestCardPlacesConcurrentNeverOverbook has 50 card holders take an event's 10 card
// places at once, each with a card of their own, against the real database: exactly 10
// get a place and a ticket, the other 40 are refused as CONFLICT with nothing kept (no
// ticket, no stock taken); the ordinary places are untouched.
func TestCardPlacesConcurrentNeverOverbook(t *testing.T) {
	t.Parallel()
	cp := newCardPlaces(t, 30, 10)
	s := cp.s
	cards := cp.cards(t, cp.programme, 50)
	demo, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	ctx := tenant.WithTenant(context.Background(), demo)

	var (
		mu     sync.Mutex
		placed int
		full   int
		others []error
		wg     sync.WaitGroup
	)
	start := make(chan struct{})
	for _, c := range cards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := s.app.Events.SignUpWithCard(ctx, events.CardSignupInput{EventID: cp.event, CardID: c.id,
				Access: &card.CardAccess{Number: c.access["number"].(string), PIN: c.access["pin"].(string)}})
			mu.Lock()
			defer mu.Unlock()
			switch e := apperr.As(err); {
			case err == nil && res.Signup.CardPlace && res.Ticket.Status == card.TicketClaimed:
				placed++
			case e != nil && e.Code == apperr.Conflict && e.MessageID == "CardPlacesFull" && e.Field == "input.eventId":
				full++
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()

	if len(others) > 0 {
		t.Fatalf("%d unexpected answers, the first: %v", len(others), others[0])
	}
	if placed != 10 || full != 40 {
		t.Fatalf("placed %d, refused %d; want 10, 40", placed, full)
	}
	for q, want := range map[string]int{
		`SELECT card_taken FROM event_signup_settings`:                                       10,
		`SELECT taken FROM event_signup_settings`:                                            0,
		`SELECT coalesce(sum(group_size), 0) FROM event_signups WHERE card_place`:            10,
		`SELECT count(*) FROM card_tickets`:                                                  10,
		`SELECT count(*) FROM card_tickets WHERE event_signup_id IS NOT NULL`:                10,
		`SELECT coalesce(sum(claimed), 0) FROM card_offer_stock_slots`:                       10,
		`SELECT count(*) FROM audit_log WHERE action = 'hold_event_card_place'`:              10,
		`SELECT count(DISTINCT card_id) FROM card_tickets WHERE event_signup_id IS NOT NULL`: 10,
	} {
		if n := count(t, s, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	r := ok(t, s.post(t, cardSignupsQ, map[string]any{"id": cp.event}, cp.admin))
	if get(r.Data, "event.signup.cardPlacesLeft") != 0.0 || get(r.Data, "event.placesLeft") != 20.0 ||
		get(r.Data, "event.signups.totalCount") != 10.0 {
		t.Fatalf("counts after the rush: %v", r.Data)
	}
}

// TestCardPlaceOrganiserSeesNoCard takes card places with an anonymous card's number and
// PIN and, for another card, as a card coordinator on the holder's behalf, beside an
// ordinary sign-up: the organiser's list shows the card places only as such, with
// nothing leading to a card; a card takes a place once; the organiser cannot cancel a
// card place, and cancelling its ticket, or revoking the card, frees it.
func TestCardPlaceOrganiserSeesNoCard(t *testing.T) {
	t.Parallel()
	cp := newCardPlaces(t, 10, 3)
	s := cp.s
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(),
		Email: "koordinator@example.no", Password: "riktig hest batteri",
		Roles: []auth.MunicipalRole{auth.RoleCardCoordinator}}); err != nil {
		t.Fatal(err)
	}
	coord := login(t, s, "koordinator@example.no")
	cards := cp.cards(t, cp.programme, 2)

	ok(t, signUpAs(t, s, cp.event, "mor@example.no", "Ola"))
	mine := ok(t, cp.signUp(t, cp.event, cards[0]))
	if get(mine.Data, "signUpWithCard.ticket.status") != "CLAIMED" ||
		get(mine.Data, "signUpWithCard.event.signup.cardPlacesLeft") != 2.0 ||
		get(mine.Data, "signUpWithCard.event.placesLeft") != 6.0 || get(mine.Data, "signUpWithCard.card.id") != cards[0].id {
		t.Fatalf("card place: %v", mine.Data)
	}
	ticket := get(mine.Data, "signUpWithCard.ticket.id").(string)
	allocated := ok(t, s.post(t, signUpWithCardQ, map[string]any{"in": map[string]any{"eventId": cp.event,
		"cardId": cards[1].id}}, coord))
	if get(allocated.Data, "signUpWithCard.event.signup.cardPlacesLeft") != 1.0 {
		t.Fatalf("allocated card place: %v", allocated.Data)
	}

	list := s.post(t, cardSignupsQ, map[string]any{"id": cp.event}, cp.admin)
	ok(t, list)
	body := string(mustJSON(list.Data))
	for _, secret := range []any{cards[0].id, cards[1].id, cards[0].access["number"], cards[1].access["number"],
		get(mine.Data, "signUpWithCard.ticket.code"), get(allocated.Data, "signUpWithCard.ticket.code"), ticket} {
		if strings.Contains(body, secret.(string)) {
			t.Errorf("the organiser's list shows %v: %s", secret, body)
		}
	}
	var cardPlace string
	nodes := get(list.Data, "event.signups.nodes").([]any)
	if len(nodes) != 3 {
		t.Fatalf("%d sign-ups in the list, want 3: %s", len(nodes), body)
	}
	for i, n := range nodes {
		n := n.(map[string]any)
		wantCard := i > 0
		if n["cardPlace"] != wantCard || (n["contactEmail"] == nil) != wantCard ||
			(len(n["participants"].([]any)) == 0) != wantCard || n["status"] != "CONFIRMED" || n["groupSize"] != 1.0 {
			t.Errorf("sign-up %d: %v", i, n)
		}
		if wantCard {
			cardPlace = n["id"].(string)
		}
	}

	wantInvalid(t, cp.signUp(t, cp.event, cards[0]), "input.cardId")
	wantInvalid(t, s.post(t, cancelSignupQ, map[string]any{"id": cardPlace}, cp.admin), "id")

	cancelled := ok(t, s.post(t, `mutation($id: ID!, $a: CardPinInput) { cancelTicket(id: $id, access: $a) {
		ticket { status } } }`, map[string]any{"id": ticket, "a": cards[0].access}))
	if get(cancelled.Data, "cancelTicket.ticket.status") != "CANCELLED" {
		t.Fatalf("cancel: %v", cancelled.Data)
	}
	after := ok(t, s.post(t, cardSignupsQ, map[string]any{"id": cp.event}, cp.admin))
	if get(after.Data, "event.signup.cardPlacesLeft") != 2.0 || get(after.Data, "event.signups.totalCount") != 2.0 {
		t.Fatalf("after the ticket was cancelled: %v", after.Data)
	}
	// The place is the card's to take again: the cancelled ticket no longer counts.
	again := ok(t, cp.signUp(t, cp.event, cards[0]))
	if get(again.Data, "signUpWithCard.event.signup.cardPlacesLeft") != 1.0 {
		t.Fatalf("taken again: %v", again.Data)
	}
	// Revoking a card cancels its tickets, and so frees the card places they held.
	ok(t, s.post(t, `mutation($c: ID!) { revokeCard(id: $c) { card { status } } }`, map[string]any{"c": cards[1].id}, coord))
	revoked := ok(t, s.post(t, cardSignupsQ, map[string]any{"id": cp.event}, cp.admin))
	if get(revoked.Data, "event.signup.cardPlacesLeft") != 2.0 || get(revoked.Data, "event.signups.totalCount") != 2.0 {
		t.Fatalf("after the card was revoked: %v", revoked.Data)
	}
}

// TestCardPlacesBadInput refuses, each with its field named and nothing kept: more card
// places than places, card places or a card sign-up at an event without a card offer, a card whose programme the offer is
// not open to, an ordinary sign-up when all places are card places, and fewer card
// places than taken.
func TestCardPlacesBadInput(t *testing.T) {
	t.Parallel()
	cp := newCardPlaces(t, 2, 1)
	s := cp.s
	set := func(places, cardPlaces int) *gqlResponse {
		return s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": cp.event, "places": places,
			"cardPlaces": cardPlaces}}, cp.admin)
	}
	wantInvalid(t, set(2, 3), "input.cardPlaces")
	wantInvalid(t, set(2, -1), "input.cardPlaces")

	plain := signupEvent(t, s, cp.admin, "uten-kort", map[string]any{"places": 5})
	wantInvalid(t, s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": plain, "places": 5,
		"cardPlaces": 2}}, cp.admin), "input.cardPlaces")
	cards := cp.cards(t, cp.programme, 2)
	r := cp.signUp(t, plain, cards[0])
	wantInvalid(t, r, "input.eventId")
	if r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "aktivitetskort") {
		t.Errorf("an event without a card offer: %+v", r.Errors)
	}

	other := cp.cards(t, cp.newProgramme(t, "Seniorkortet"), 1)[0]
	if r := cp.signUp(t, cp.event, other); r.code() != "OFFER_NOT_IN_PROGRAMME" ||
		r.Errors[0].Extensions["field"] != "input.eventId" {
		t.Errorf("a card of another programme: %+v", r.Errors)
	}
	if n := count(t, s, `SELECT count(*) FROM card_tickets`); n != 0 {
		t.Fatalf("%d tickets kept from refusals", n)
	}

	ok(t, cp.signUp(t, cp.event, cards[0]))
	if r := cp.signUp(t, cp.event, cards[1]); r.code() != "CONFLICT" || r.Errors[0].Extensions["field"] != "input.eventId" {
		t.Errorf("card places gone: %+v", r.Errors)
	}
	wantInvalid(t, set(2, 0), "input.cardPlaces")
	ok(t, set(1, 1))
	wantInvalid(t, signUpAs(t, s, cp.event, "far@example.no", "Kari"), "input.eventId")
	if n := count(t, s, `SELECT count(*) FROM card_tickets`); n != 1 {
		t.Fatalf("%d tickets, want the one card place's", n)
	}
}

// TestCardPlacesGoBackWhenTheEventGoes: when an event with card places taken is cancelled
// or deleted, the tickets that held them are cancelled and their stock returns to the
// offer, with nobody mailed (a card place has no contact), and the change goes through.
func TestCardPlacesGoBackWhenTheEventGoes(t *testing.T) {
	t.Parallel()
	cp := newCardPlaces(t, 10, 4)
	s := cp.s
	cards := cp.cards(t, cp.programme, 2)
	first := get(ok(t, cp.signUp(t, cp.event, cards[0])).Data, "signUpWithCard.ticket.id").(string)
	claimed := func() int {
		return count(t, s, `SELECT coalesce(sum(claimed), 0)::int FROM card_offer_stock_slots`)
	}
	if claimed() != 1 {
		t.Fatalf("%d units claimed after one card place, want 1", claimed())
	}
	ok(t, s.post(t, `mutation($id: ID!) { updateEvent(input: {id: $id, status: CANCELLED}) { event { status } } }`,
		map[string]any{"id": cp.event}, cp.admin))
	if claimed() != 0 || ticketCancelled(t, s, first) != true {
		t.Fatalf("after the event was cancelled: %d units claimed, ticket cancelled %v", claimed(),
			ticketCancelled(t, s, first))
	}

	// A second event, deleted with a card place taken.
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput("ekstra", time.Date(2027, 2, 11, 18, 0, 0, 0,
		time.UTC), map[string]any{"publication": "PUBLISHED", "cardOfferId": cp.offer})}, cp.admin))
	second := get(r.Data, "createEvent.event.id").(string)
	ok(t, s.post(t, setSignupQ, map[string]any{"in": map[string]any{"eventId": second, "places": 5, "cardPlaces": 2}},
		cp.admin))
	ticket := get(ok(t, cp.signUp(t, second, cards[1])).Data, "signUpWithCard.ticket.id").(string)
	ok(t, s.post(t, `mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }`, map[string]any{"id": second}, cp.admin))
	if claimed() != 0 || !ticketCancelled(t, s, ticket) {
		t.Fatalf("after the event was deleted: %d units claimed, ticket cancelled %v", claimed(),
			ticketCancelled(t, s, ticket))
	}
}

// ticketCancelled reports whether the ticket with global ID gid is cancelled.
func ticketCancelled(t *testing.T, s *testServer, gid string) bool {
	t.Helper()
	_, id, err := relay.ParseGlobalID(gid, "id")
	if err != nil {
		t.Fatal(err)
	}
	return count(t, s, `SELECT count(*) FROM card_tickets WHERE id = ? AND status = 'CANCELLED'`, id) == 1
}
