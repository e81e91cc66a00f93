package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
)

// TestCardWaitingListWithNotices follows a mother through the waiting list of a sold-out
// offer as she sees it: she leaves an address for her daughter's card, confirms it from
// the e-mail, queues, hears by e-mail in her language that a place is held, and takes it.
// The coordinator sees how long the line is, and the caseworker does not see the card's
// place in it.
func TestCardWaitingListWithNotices(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	box, smtpURL := mailtest.Start(t)
	s := newServer(t, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
		c.SMTPURL, c.PublicURL = smtpURL, "https://fritid.example"
	})
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"koordinator@example.no": {auth.RoleCardCoordinator},
		"admin@example.no": {auth.RoleAdmin}, "nav@example.no": {auth.RoleCaseworker}} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	coord, admin, nav := login(t, s, "koordinator@example.no"), login(t, s, "admin@example.no"), login(t, s, "nav@example.no")
	var org, user string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'teater', 'Teateret', 'OTHER', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&org); err != nil {
		t.Fatal(err)
	}
	agency := get(ok(t, s.post(t, `mutation { saveCardAgency(input: {name: "NAV", kind: NAV}) { agency { id } } }`,
		nil, coord)).Data, "saveCardAgency.agency.id")
	s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = 'nav@example.no'").Scan(&user)
	ok(t, s.post(t, `mutation($u: ID!, $a: ID) { setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`,
		map[string]any{"u": relayID("User", user), "a": agency}, admin))
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet"}},
			"minAge": 0, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
			"cardsAvailable": 10, "budgetOre": 0, "defaultAllowance": 5, "status": "ACTIVE", "agencyIds": []any{agency}}},
		coord)).Data, "saveCardProgramme.programme.id")
	offerIn := map[string]any{"organisationId": relayID("Organisation", org), "programmeIds": []any{programme},
		"texts": []any{map[string]any{"locale": "nb", "title": "Teaterforestilling"},
			map[string]any{"locale": "en", "title": "A play"}}, "stock": 1, "perCardLimit": 1, "admits": 1,
		"validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339), "validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
		"valueOre": 0, "source": "DONATED", "waitingHoldHours": 24, "cancelHoursBefore": 2, "expireUnusedDaysBefore": -1}
	saveOffer := `mutation($in: CardOfferInput!) { saveCardOffer(input: $in) {
		offer { id waitingHoldHours cancelHoursBefore cancellableUntil expireUnusedDaysBefore } } }`
	bad := s.post(t, saveOffer, map[string]any{"in": offerIn}, coord)
	if bad.code() != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "input.expireUnusedDaysBefore" {
		t.Fatalf("a negative number of days: %+v", bad.Errors)
	}
	offerIn["expireUnusedDaysBefore"] = nil
	r := ok(t, s.post(t, saveOffer, map[string]any{"in": offerIn}, coord))
	offer := get(r.Data, "saveCardOffer.offer.id")
	if get(r.Data, "saveCardOffer.offer.waitingHoldHours") != 24.0 || get(r.Data, "saveCardOffer.offer.cancellableUntil") == nil {
		t.Errorf("offer: %+v", r.Data)
	}
	ok(t, s.post(t, `mutation($o: ID!) { releaseCardOfferStock(offerId: $o, amount: 1) { offer { id } } }`,
		map[string]any{"o": offer}, coord))
	ok(t, s.post(t, `mutation($o: ID!) { setCardOfferStatus(id: $o, status: PUBLISHED) { offer { id } } }`,
		map[string]any{"o": offer}, coord))

	// A card for the daughter; her mother signs in with ID-porten.
	mother := identityNumber(time.Date(year-38, 4, 9, 0, 0, 0, 0, time.UTC), 0)
	card := get(ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`,
		map[string]any{"in": map[string]any{"programmeId": programme, "givenName": "Ida",
			"childIdentityNumber": identityNumber(time.Date(year-9, 2, 3, 0, 0, 0, 0, time.UTC), 0),
			"birthDate":           fmt.Sprintf("%d-02-03", year-9), "guardianIdentityNumbers": []any{mother}}}, nav)).Data,
		"issueCard.card.id")
	now := time.Now()
	mor := "Authorization: Bearer " + iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "mor",
		"pid": mother, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})

	// Without an SMS gateway no phone number is taken.
	r = s.post(t, `mutation($c: ID!) { setCardNoticeContact(cardId: $c,
		input: {phone: "91234567", notices: [WAITING_PLACE]}) { noticeContact { phone } } }`, map[string]any{"c": card}, mor)
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.phone" ||
		r.Errors[0].Extensions["reason"] != "SMS_NOT_AVAILABLE" {
		t.Errorf("a phone number without a gateway: %+v", r.Errors)
	}

	// She leaves her address, in English, and confirms it from the e-mail.
	r = ok(t, s.post(t, `mutation($c: ID!) { setCardNoticeContact(cardId: $c,
		input: {email: "Mor@Example.no", locale: "en", notices: [WAITING_PLACE]}) { noticeContact { email confirmed } } }`,
		map[string]any{"c": card}, mor))
	if get(r.Data, "setCardNoticeContact.noticeContact.email") != "mor@example.no" ||
		get(r.Data, "setCardNoticeContact.noticeContact.confirmed") != false {
		t.Fatalf("contact: %+v", r.Data)
	}
	bodies := bodiesTo(t, s, box, "mor@example.no")
	if len(bodies) != 1 || !strings.Contains(bodies[0], "https://fritid.example/card-notices/confirm?token=") {
		t.Fatalf("confirmation e-mail: %q", bodies)
	}
	link, err := url.Parse(strings.Fields(bodies[0][strings.Index(bodies[0], "https://fritid.example/card-notices"):])[0])
	if err != nil {
		t.Fatal(err)
	}
	ok(t, s.post(t, `mutation($t: String!) { confirmCardNoticeContact(token: $t) { confirmed } }`,
		map[string]any{"t": link.Query().Get("token")}))

	// Someone takes the only ticket; she queues and the coordinator sees one in line.
	anon := ok(t, s.post(t, `mutation($p: ID!) { issueAnonymousCards(programmeId: $p, count: 1) {
		cards { pin card { id number } } } }`, map[string]any{"p": programme}, coord))
	other := get(anon.Data, "issueAnonymousCards.cards.0.card.id")
	access := map[string]any{"number": get(anon.Data, "issueAnonymousCards.cards.0.card.number"),
		"pin": get(anon.Data, "issueAnonymousCards.cards.0.pin")}
	ticket := get(ok(t, s.post(t, `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
		claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { id } } }`,
		map[string]any{"c": other, "o": offer, "a": access})).Data, "claimTicket.ticket.id")
	r = ok(t, s.post(t, `mutation($c: ID!, $o: ID!) { joinCardWaitingList(cardId: $c, offerId: $o) {
		waitingPlace { id status position offer { title } } } }`, map[string]any{"c": card, "o": offer}, mor))
	place := get(r.Data, "joinCardWaitingList.waitingPlace.id")
	if get(r.Data, "joinCardWaitingList.waitingPlace.position") != 1.0 {
		t.Errorf("joined: %+v", r.Data)
	}
	again := s.post(t, `mutation($c: ID!, $o: ID!) { joinCardWaitingList(cardId: $c, offerId: $o) { waitingPlace { id } } }`,
		map[string]any{"c": card, "o": offer}, mor)
	if again.code() != "CONFLICT" || again.Errors[0].Extensions["field"] != "offerId" ||
		again.Errors[0].Extensions["reason"] != "ALREADY_WAITING" {
		t.Errorf("twice: %+v", again.Errors)
	}
	line := ok(t, s.post(t, `query($o: ID!) { node(id: $o) { ... on CardOffer { waitingList { waiting held } } } }`,
		map[string]any{"o": offer}, coord))
	if get(line.Data, "node.waitingList.waiting") != 1.0 {
		t.Errorf("the line: %+v", line.Data)
	}
	// Listed, the offers' lines are counted together, for those who run them only.
	lines := ok(t, s.post(t, `{ cardOffers { nodes { id waitingList { waiting held } } } }`, nil, coord))
	if get(lines.Data, "cardOffers.nodes.0.id") != offer || get(lines.Data, "cardOffers.nodes.0.waitingList.waiting") != 1.0 ||
		get(lines.Data, "cardOffers.nodes.0.waitingList.held") != 0.0 {
		t.Errorf("the listed line: %+v", lines.Data)
	}
	if r := s.post(t, `{ cardOffers { nodes { id waitingList { waiting } } } }`, nil, nav); r.code() != "FORBIDDEN" ||
		get(r.Data, "cardOffers.nodes.0.id") != offer || get(r.Data, "cardOffers.nodes.0.waitingList") != nil {
		t.Errorf("a caseworker sees the line: %+v %+v", r.Data, r.Errors)
	}
	if r := s.post(t, `{ agencyCards { nodes { id waitingPlaces { id } } } }`, nil, nav); len(r.Errors) == 0 ||
		get(r.Data, "agencyCards.nodes.0.id") != card || get(r.Data, "agencyCards.nodes.0.waitingPlaces") != nil {
		t.Errorf("the caseworker sees the card's place in line: %+v", r.Data)
	}

	// The ticket is cancelled: the place is held for her daughter, and she is told.
	ok(t, s.post(t, `mutation($id: ID!, $a: CardPinInput) { cancelTicket(id: $id, access: $a) { ticket { status } } }`,
		map[string]any{"id": ticket, "a": access}))
	bodies = bodiesTo(t, s, box, "mor@example.no")
	if len(bodies) != 2 || !strings.Contains(bodies[1], `waiting list for "A play" is now held`) ||
		!strings.Contains(bodies[1], "https://fritid.example") {
		t.Fatalf("the notice: %q", bodies)
	}
	mine := ok(t, s.post(t, `{ myCards { nodes { waitingPlaces { id status holdUntil } } } }`, nil, mor))
	if get(mine.Data, "myCards.nodes.0.waitingPlaces.0.status") != "OFFERED" ||
		get(mine.Data, "myCards.nodes.0.waitingPlaces.0.holdUntil") == nil {
		t.Fatalf("her card's places: %+v", mine.Data)
	}
	r = ok(t, s.post(t, `mutation($id: ID!) { acceptCardWaitingPlace(id: $id) { ticket { status offer { title } } } }`,
		map[string]any{"id": place}, mor))
	if get(r.Data, "acceptCardWaitingPlace.ticket.status") != "CLAIMED" {
		t.Errorf("accepted: %+v", r.Data)
	}
}
