package card

import (
	"testing"
	"time"
)

// TestNoShows counts the expired tickets of events as no-shows, per offer, provider and
// programme, with small counts hidden; an offer without an event has none.
func TestNoShows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	ctx := anonymous(e.larvik)
	event := time.Now().Add(48 * time.Hour)
	theatre := e.tkOffer(e.organisation("teater"), []*Programme{p}, 30, func(in *OfferInput) {
		in.EventAt, in.PerCardLimit = &event, 5
	})
	pool := e.tkOffer(e.organisation("bad"), []*Programme{p}, 30, func(in *OfferInput) { in.PerCardLimit = 5 })
	var theatreTks, poolTks []*Ticket
	for _, a := range e.anonCards(p, 4) {
		for range 5 {
			tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, theatre.ID, access(a))
			if err != nil {
				t.Fatal(err)
			}
			theatreTks = append(theatreTks, tk)
		}
	}
	for _, a := range e.anonCards(p, 2) {
		for range 4 {
			tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, pool.ID, access(a))
			if err != nil {
				t.Fatal(err)
			}
			poolTks = append(poolTks, tk)
		}
	}
	// The play was yesterday: 12 came, 8 did not. At the pool, 6 tickets ran out unused.
	e.exec(`UPDATE card_offers SET valid_from = now() - interval '10 days', event_at = now() - interval '1 day',
		valid_to = now() - interval '1 day' WHERE id = ?`, theatre.ID)
	e.exec("UPDATE card_tickets SET claimed_at = now() - interval '5 days', expires_at = now() - interval '1 day' WHERE offer_id = ?",
		theatre.ID)
	for _, tk := range theatreTks[:12] {
		e.exec("UPDATE card_tickets SET status = 'REDEEMED', redeemed_at = now() - interval '1 day' WHERE id = ?", tk.ID)
	}
	e.expire(poolTks[:6])
	if _, err := e.svc.ExpireTicketsAndCards(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.CardStatistics(e.coord, p.ID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	byOffer := map[string]*OfferStatistics{}
	for _, o := range st.ByOffer {
		byOffer[o.OfferID.String()] = o
	}
	// (The expired counts beside them may be hidden by the rule's other sums: an event
	// that is over has no open tickets, a small count in the claimed sum.)
	if got := byOffer[theatre.ID.String()].Tickets.NoShows; got.Display != "8" {
		t.Errorf("the play: %s no-shows", got.Display)
	}
	if got := byOffer[pool.ID.String()].Tickets.NoShows; got.Display != "<5" || got.Value != nil {
		t.Errorf("the pool: %s no-shows", got.Display)
	}
	if got := st.Tickets.NoShows; got.Display != "8" {
		t.Errorf("the programme: %s no-shows", got.Display)
	}
	if n := e.count(`SELECT count(*) FROM card_tickets WHERE offer_id = ? AND status = 'EXPIRED'`, theatre.ID); n != 8 {
		t.Errorf("%d of the play's tickets expired", n)
	}
}
