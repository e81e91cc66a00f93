package push

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// anonymousTicket issues an anonymous card in a new programme of Larvik, claims a ticket
// of a new offer ("Svømmehallen", in English "Swimming pool") with it, and returns the
// card with its PIN, and the ticket.
func (e *env) anonymousTicket() (*card.AnonymousCard, *card.Ticket) {
	e.t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	p, err := e.cards.SaveProgramme(e.coord, card.ProgrammeInput{
		Texts:  []card.ProgrammeText{{Locale: "nb", Name: "Aktivitetskortet", Eligibility: "Barn"}},
		MinAge: 2, MaxAge: 18, ValidFrom: today.AddDate(0, -1, 0), ValidTo: today.AddDate(0, 10, 0),
		CardsAvailable: 10, BudgetOre: 1_000_000, DefaultAllowance: 5, Status: card.ProgrammeActive})
	if err != nil {
		e.t.Fatal(err)
	}
	cards, err := e.cards.IssueAnonymousCards(e.coord, p.ID, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	var org uuid.UUID
	err = e.db.QueryRowContext(context.Background(), `INSERT INTO organisations (municipality_id, slug, name, kind,
		status) VALUES (?, 'bad', 'Badet', 'COMMERCIAL', 'PUBLISHED') RETURNING id`, e.larvik.ID()).Scan(&org)
	if err != nil {
		e.t.Fatal(err)
	}
	o, err := e.cards.SaveOffer(e.coord, card.OfferInput{OrganisationID: org, ProgrammeIDs: []uuid.UUID{p.ID},
		Texts: []card.OfferText{{Locale: "nb", Title: "Svømmehallen"}, {Locale: "en", Title: "Swimming pool"}},
		Stock: 10, PerCardLimit: 1, Admits: 1, ValidFrom: time.Now().Add(-time.Hour),
		ValidTo: time.Now().AddDate(0, 1, 0), ValueOre: 9000, Source: card.SourceDonated})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.cards.ReleaseStock(e.coord, o.ID, 10); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.cards.SetOfferStatus(e.coord, o.ID, card.OfferPublished); err != nil {
		e.t.Fatal(err)
	}
	a := cards[0]
	tk, err := e.cards.ClaimTicket(e.anonymous("nb"), a.Card.ID, o.ID,
		&card.CardAccess{Number: code.Format(a.Card.Number), PIN: a.PIN})
	if err != nil {
		e.t.Fatal(err)
	}
	return a, tk
}

// TestAnonymousCardExpiringTicket: an anonymous card's holder, known by nothing but the
// card's number and PIN, hears that its ticket expires soon, in their language.
func TestAnonymousCardExpiringTicket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, tk := e.anonymousTicket()
	number := code.Format(a.Card.Number)
	ep, b := e.rcv.endpoint("/ok/card")
	if _, err := e.svc.SubscribeCard(e.anonymous("en"), number, "000000", b.input(ep)); apperr.CodeOf(err) !=
		apperr.NotFound {
		t.Fatalf("a wrong PIN: %v, want NOT_FOUND", err)
	}
	if _, err := e.svc.SubscribeCard(e.anonymous("en"), "XXXX-XXXX", a.PIN, b.input(ep)); apperr.CodeOf(err) !=
		apperr.NotFound {
		t.Fatalf("an unknown number: %v, want NOT_FOUND", err)
	}
	s, err := e.svc.SubscribeCard(e.anonymous("en"), strings.ToLower(number), a.PIN, b.input(ep))
	if err != nil {
		t.Fatal(err)
	}
	// Two days before the ticket expires, the reminders run.
	res, err := e.cards.ExpireTicketsAndCards(context.Background(), tk.ExpiresAt.Add(-48*time.Hour))
	if err != nil || res.Reminded != 1 {
		t.Fatalf("reminders: %+v, %v", res, err)
	}
	for _, err := range e.deliverAll() {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := e.rcv.messages()
	if len(got) != 1 {
		t.Fatalf("received %d messages, want 1", len(got))
	}
	p := got[0].Payload
	until := tk.ExpiresAt.In(time.FixedZone("", 0))
	if p.Kind != KindTicketExpiring || p.Title != "Your ticket expires soon" ||
		!strings.Contains(p.Body, `"Swimming pool"`) || p.URL != "https://larvik.example" {
		t.Errorf("payload %+v (expires %s)", p, until)
	}
	// Nothing personal: the card's number and PIN are nowhere in it.
	if strings.Contains(p.Body+p.Title+p.URL, a.Card.Number) || strings.Contains(p.Body+p.Title, a.PIN) {
		t.Errorf("the payload carries the card's number or PIN: %+v", p)
	}
	removed, err := e.svc.UnsubscribeCard(e.anonymous("en"), number, a.PIN, s.Endpoint)
	if err != nil || !removed {
		t.Errorf("unsubscribe: %v %v", removed, err)
	}
}

// TestCardSubscriptionErasedWhenCardEnds: nothing is kept for a card that has ended.
func TestCardSubscriptionErasedWhenCardEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, _ := e.anonymousTicket()
	ep, b := e.rcv.endpoint("/ok/card")
	if _, err := e.svc.SubscribeCard(e.anonymous("nb"), code.Format(a.Card.Number), a.PIN, b.input(ep)); err != nil {
		t.Fatal(err)
	}
	e.exec("UPDATE cards SET status = 'REVOKED', ended_at = now() - interval '1 minute' WHERE id = ?", a.Card.ID)
	if _, err := e.cards.ExpireTicketsAndCards(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM push_subscriptions"); n != 0 {
		t.Errorf("%d subscriptions of an ended card left", n)
	}
}
