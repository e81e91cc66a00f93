package card

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// soldOutOffer makes a PUBLISHED offer of one ticket in p and claims it with a new
// anonymous card, which it returns with the ticket.
func (e *env) soldOutOffer(p *Programme, change ...func(*OfferInput)) (*Offer, *AnonymousCard, *Ticket) {
	e.t.Helper()
	o := e.tkOffer(e.organisation("org-"+uuid.NewString()[:8]), []*Programme{p}, 1, change...)
	a := e.anonCards(p, 1)[0]
	tk, err := e.svc.ClaimTicket(anonymous(e.larvik), a.Card.ID, o.ID, access(a))
	if err != nil {
		e.t.Fatal(err)
	}
	return o, a, tk
}

// join puts anonymous card a in the offer's line.
func (e *env) join(o *Offer, a *AnonymousCard) *WaitingPlace {
	e.t.Helper()
	w, err := e.svc.JoinWaitingList(anonymous(e.larvik), a.Card.ID, o.ID, access(a))
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// place reads a waiting place as it is now.
func (e *env) place(id uuid.UUID) *WaitingPlace {
	e.t.Helper()
	w := new(WaitingPlace)
	if err := e.db.NewSelect().Model(w).Where("id = ?", id).Scan(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return w
}

func TestWaitingList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	o, first, tk := e.soldOutOffer(p)
	cards := e.anonCards(p, 3)
	b, c, d := cards[0], cards[1], cards[2]
	ctx := anonymous(e.larvik)

	wb := e.join(o, b)
	wc := e.join(o, c)
	if wb.Status != WaitingInLine || wb.Position != 1 || wc.Position != 2 {
		t.Fatalf("places: %+v %+v", wb, wc)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'join_card_waiting_list'"); n != 2 {
		t.Errorf("%d joins audited", n)
	}

	t.Run("BadInput", func(t *testing.T) {
		_, err := e.svc.JoinWaitingList(ctx, b.Card.ID, o.ID, access(b))
		wantCode(t, err, apperr.Conflict, "offerId", "ALREADY_WAITING")
		_, err = e.svc.JoinWaitingList(ctx, first.Card.ID, o.ID, access(first))
		wantCode(t, err, apperr.LimitReached, "offerId")
		open := e.tkOffer(e.organisation("kino"), []*Programme{p}, 5)
		_, err = e.svc.JoinWaitingList(ctx, d.Card.ID, open.ID, access(d))
		wantCode(t, err, apperr.Conflict, "offerId", "NOT_SOLD_OUT")
		f := e.family(p, e.caseworker(nav))
		teens, _, _ := e.soldOutOffer(p, func(in *OfferInput) { v := 15; in.MinAge = &v })
		_, err = e.svc.JoinWaitingList(resident(e.larvik, f.mother), f.card.ID, teens.ID, nil)
		wantCode(t, err, apperr.NotEligible, "offerId")
		_, err = e.svc.JoinWaitingList(ctx, d.Card.ID, o.ID, access(b))
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.JoinWaitingList(resident(e.larvik, e.guardian()), f.card.ID, o.ID, nil)
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("ACancelledTicketGoesToTheFirstInLine", func(t *testing.T) {
		if _, err := e.svc.CancelTicket(ctx, tk.ID, access(first)); err != nil {
			t.Fatal(err)
		}
		got := e.place(wb.ID)
		if got.Status != WaitingOffered || got.StockSlot == nil || *got.StockSlot != tk.StockSlot || got.HoldUntil == nil ||
			got.HoldUntil.Sub(time.Now()) < 47*time.Hour || got.HoldUntil.Sub(time.Now()) > 48*time.Hour {
			t.Fatalf("b's place: %+v", got)
		}
		if n := e.claimed(o); n != 1 {
			t.Errorf("claimed = %d: the unit is held for b", n)
		}
		_, err := e.svc.ClaimTicket(ctx, d.Card.ID, o.ID, access(d))
		wantCode(t, err, apperr.SoldOut, "offerId")
		list, err := e.svc.FindWaitingPlaces(ctx, c.Card.ID, access(c))
		if err != nil || len(list) != 1 || list[0].Position != 1 {
			t.Errorf("c is next: %+v %v", list, err)
		}
	})

	t.Run("OnlyTheHolderAccepts", func(t *testing.T) {
		_, err := e.svc.AcceptWaitingPlace(ctx, wb.ID, access(c))
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.AcceptWaitingPlace(ctx, wc.ID, access(c))
		wantCode(t, err, apperr.Conflict, "id", "NOT_OFFERED")
		_, err = e.svc.AcceptWaitingPlace(e.coord, wb.ID, nil)
		wantCode(t, err, apperr.Forbidden)
	})

	t.Run("Accept", func(t *testing.T) {
		got, err := e.svc.AcceptWaitingPlace(ctx, wb.ID, access(b))
		if err != nil {
			t.Fatal(err)
		}
		if got.CardID != b.Card.ID || got.OfferID != o.ID || got.Status != TicketClaimed || got.Payload == "" {
			t.Errorf("ticket: %+v", got)
		}
		if w := e.place(wb.ID); w.Status != WaitingAccepted || w.TicketID == nil || *w.TicketID != got.ID || w.StockSlot != nil {
			t.Errorf("place: %+v", w)
		}
		if n := e.claimed(o); n != 1 {
			t.Errorf("claimed = %d, want 1", n)
		}
		e.checkSlots(o)
		_, err = e.svc.AcceptWaitingPlace(ctx, wb.ID, access(b))
		wantCode(t, err, apperr.Conflict, "id", "NOT_OFFERED")
	})

	t.Run("AHoldLapsesToTheNext", func(t *testing.T) {
		tkB := e.count("SELECT count(*) FROM card_tickets WHERE card_id = ? AND status = 'CLAIMED'", b.Card.ID)
		if tkB != 1 {
			t.Fatalf("b holds %d tickets", tkB)
		}
		var id uuid.UUID
		e.db.QueryRowContext(context.Background(), "SELECT id FROM card_tickets WHERE card_id = ?", b.Card.ID).Scan(&id)
		if _, err := e.svc.CancelTicket(ctx, id, access(b)); err != nil {
			t.Fatal(err)
		}
		if w := e.place(wc.ID); w.Status != WaitingOffered {
			t.Fatalf("c's place: %+v", w)
		}
		e.exec("UPDATE card_waiting_places SET hold_until = now() - interval '1 minute' WHERE id = ?", wc.ID)
		_, err := e.svc.AcceptWaitingPlace(ctx, wc.ID, access(c))
		wantCode(t, err, apperr.Conflict, "id", "HOLD_EXPIRED")
		wd := e.join(o, d)
		res, err := e.svc.ExpireTicketsAndCards(context.Background(), time.Now())
		if err != nil || res.Lapsed != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if w := e.place(wc.ID); w.Status != WaitingLapsed || w.EndedAt == nil {
			t.Errorf("c's place: %+v", w)
		}
		if w := e.place(wd.ID); w.Status != WaitingOffered {
			t.Errorf("d's place: %+v", w)
		}
		if n := e.claimed(o); n != 1 {
			t.Errorf("claimed = %d: the unit went on to d", n)
		}
	})

	t.Run("DecliningGivesThePlaceBack", func(t *testing.T) {
		var wd uuid.UUID
		e.db.QueryRowContext(context.Background(), "SELECT id FROM card_waiting_places WHERE card_id = ?", d.Card.ID).Scan(&wd)
		left, err := e.svc.LeaveWaitingList(ctx, wd, access(d))
		if err != nil || left.Status != WaitingLeft {
			t.Fatalf("%+v %v", left, err)
		}
		if n := e.claimed(o); n != 0 {
			t.Errorf("claimed = %d: no one waits, the unit is back in the stock", n)
		}
		_, err = e.svc.LeaveWaitingList(ctx, wd, access(d))
		wantCode(t, err, apperr.Conflict, "id", "NOT_WAITING")
		if _, err := e.svc.ClaimTicket(ctx, d.Card.ID, o.ID, access(d)); err != nil {
			t.Errorf("the stock is free again: %v", err)
		}
		e.checkSlots(o)
	})
}

// TestWaitingHoldShorterBeforeTheEvent holds a place only until claims close, when the
// event is sooner than the offer's hold; and released stock goes to the line first.
func TestWaitingHoldShorterBeforeTheEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	event := time.Now().Add(5 * time.Hour).Truncate(time.Second)
	o, _, tk := e.soldOutOffer(p, func(in *OfferInput) {
		in.EventAt = &event
		h := 2
		in.WaitingHoldHours = &h
	})
	cards := e.anonCards(p, 2)
	w1, w2 := e.join(o, cards[0]), e.join(o, cards[1])
	if _, err := e.svc.CancelTicket(e.coord, tk.ID, nil); err != nil {
		t.Fatal(err)
	}
	if w := e.place(w1.ID); w.HoldUntil == nil || w.HoldUntil.Sub(time.Now()) > 2*time.Hour {
		t.Errorf("hold of 2 hours: %+v", w.HoldUntil)
	}
	e.exec("UPDATE card_offers SET waiting_hold_hours = 48 WHERE id = ?", o.ID)
	if _, err := e.svc.ReleaseStock(e.coord, o.ID, 1); err != nil {
		t.Fatal(err)
	}
	if w := e.place(w2.ID); w.Status != WaitingOffered || w.HoldUntil == nil || !w.HoldUntil.Equal(event) {
		t.Errorf("released stock is held for the next until the event: %+v", w)
	}
	if n := e.claimed(o); n != 2 {
		t.Errorf("claimed = %d, want the two held", n)
	}
	e.checkSlots(o)
}

// TestWaitingListConcurrent hands two units back at once to a line of three, again and
// again: exactly two places are offered, to two different cards, and no unit is lost.
func TestWaitingListConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	ctx := anonymous(e.larvik)
	for round := range 8 {
		o := e.tkOffer(e.organisation("org-"+uuid.NewString()[:8]), []*Programme{p}, 2)
		cards := e.anonCards(p, 5)
		var tks []*Ticket
		for _, a := range cards[:2] {
			tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
			if err != nil {
				t.Fatal(err)
			}
			tks = append(tks, tk)
		}
		for _, a := range cards[2:] {
			e.join(o, a)
		}
		var wg sync.WaitGroup
		for i, tk := range tks {
			wg.Go(func() {
				if _, err := e.svc.CancelTicket(ctx, tk.ID, access(cards[i])); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		offered := e.count("SELECT count(DISTINCT card_id) FROM card_waiting_places WHERE offer_id = ? AND status = 'OFFERED'", o.ID)
		waiting := e.count("SELECT count(*) FROM card_waiting_places WHERE offer_id = ? AND status = 'WAITING'", o.ID)
		if offered != 2 || waiting != 1 || e.claimed(o) != 2 {
			t.Fatalf("round %d: %d offered, %d waiting, %d claimed", round, offered, waiting, e.claimed(o))
		}
		// The first two in line are offered, whatever the order the units came back in.
		if n := e.count(`SELECT count(*) FROM card_waiting_places WHERE offer_id = ? AND status = 'OFFERED'
			AND card_id IN (?, ?)`, o.ID, cards[2].Card.ID, cards[3].Card.ID); n != 2 {
			t.Errorf("round %d: not the first two in line", round)
		}
		e.checkSlots(o)
	}
}

// TestJoiningWhileAUnitComesBack joins a line of one card at the moment the only ticket
// is cancelled: the card either waits and gets the unit, or is told it is not sold out
// and the unit is in the stock; never waiting with a unit free.
func TestJoiningWhileAUnitComesBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	ctx := anonymous(e.larvik)
	for round := range 10 {
		o, first, tk := e.soldOutOffer(p)
		a := e.anonCards(p, 1)[0]
		var wg sync.WaitGroup
		var joinErr error
		wg.Go(func() { _, joinErr = e.svc.JoinWaitingList(ctx, a.Card.ID, o.ID, access(a)) })
		wg.Go(func() {
			if _, err := e.svc.CancelTicket(ctx, tk.ID, access(first)); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		offered := e.count("SELECT count(*) FROM card_waiting_places WHERE offer_id = ? AND status = 'OFFERED'", o.ID)
		switch {
		case joinErr == nil && offered == 1 && e.claimed(o) == 1:
		case apperr.CodeOf(joinErr) == apperr.Conflict && offered == 0 && e.claimed(o) == 0:
		default:
			t.Fatalf("round %d: join %v, %d offered, %d claimed", round, joinErr, offered, e.claimed(o))
		}
		e.checkSlots(o)
	}
}

// TestWaitingListCounts shows the length of a line to those who run the offer, and no
// more.
func TestWaitingListCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	o, _, tk := e.soldOutOffer(p)
	for _, a := range e.anonCards(p, 3) {
		e.join(o, a)
	}
	if _, err := e.svc.CancelTicket(e.coord, tk.ID, nil); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.WaitingListCounts(e.coord, o.ID)
	if err != nil || n.Waiting != 2 || n.Held != 1 {
		t.Fatalf("%+v %v", n, err)
	}
	if _, err := e.svc.WaitingListCounts(e.member(o.OrganisationID, "EDITOR"), o.ID); err != nil {
		t.Errorf("the provider's editor: %v", err)
	}
	other := e.organisation("annet")
	_, err = e.svc.WaitingListCounts(e.member(other, "OWNER"), o.ID)
	wantCode(t, err, apperr.Forbidden)
	_, err = e.svc.WaitingListCounts(anonymous(e.larvik), o.ID)
	wantCode(t, err, apperr.Unauthenticated)
}

// TestRevokedCardLeavesTheLines revokes a card holding a place: the next in line gets it.
func TestRevokedCardLeavesTheLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	o, _, tk := e.soldOutOffer(p)
	f := e.family(p, cw)
	wf, err := e.svc.JoinWaitingList(resident(e.larvik, f.mother), f.card.ID, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	next := e.join(o, e.anonCards(p, 1)[0])
	if _, err := e.svc.CancelTicket(e.coord, tk.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RevokeCard(cw, f.card.ID); err != nil {
		t.Fatal(err)
	}
	if w := e.place(wf.ID); w.Status != WaitingDropped {
		t.Errorf("the revoked card's place: %+v", w)
	}
	if w := e.place(next.ID); w.Status != WaitingOffered {
		t.Errorf("the next place: %+v", w)
	}
	if n := e.claimed(o); n != 1 {
		t.Errorf("claimed = %d", n)
	}
}
