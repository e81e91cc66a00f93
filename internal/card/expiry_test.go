package card

import (
	"context"
	"sync"
	"testing"
	"time"
)

// expire gives the tickets an expiry an hour ago.
func (e *env) expire(tks []*Ticket) {
	e.t.Helper()
	for _, tk := range tks {
		e.exec("UPDATE card_tickets SET claimed_at = now() - interval '2 days', expires_at = now() - interval '1 hour' WHERE id = ?", tk.ID)
	}
}

func TestExpireTicketsAndCards(t *testing.T) {
	e := newEnv(t)
	org := e.organisation("museum")
	o, tks := e.doorTickets(org, 5)
	e.expire(tks[:3])
	if _, err := e.svc.RedeemTicket(e.member(org, "TICKET_CHECKER"), tks[3].Code); err != nil {
		t.Fatal(err)
	}
	e.exec(`UPDATE card_tickets SET claimed_at = now() - interval '2 days', redeemed_at = now() - interval '2 days',
		expires_at = now() - interval '1 hour' WHERE id = ?`, tks[3].ID)

	res, err := e.svc.ExpireTicketsAndCards(context.Background(), time.Now())
	if err != nil || res.Tickets != 3 || res.Cards != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	for i, want := range []TicketStatus{TicketExpired, TicketExpired, TicketExpired, TicketRedeemed, TicketClaimed} {
		if n := e.count("SELECT count(*) FROM card_tickets WHERE id = ? AND status = ?", tks[i].ID, want); n != 1 {
			t.Errorf("ticket %d is not %s", i, want)
		}
	}
	if n := e.claimed(o); n != 5 {
		t.Errorf("claimed = %d: an expired ticket was taken, its stock does not return", n)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'expire_card_ticket'"); n != 3 {
		t.Errorf("%d expiries audited", n)
	}
	if res, err := e.svc.ExpireTicketsAndCards(context.Background(), time.Now()); err != nil || res != (ExpiryResult{}) {
		t.Errorf("a second run: %+v %v", res, err)
	}

	t.Run("Cards", func(t *testing.T) {
		n := e.count("SELECT count(*) FROM cards WHERE status = 'ACTIVE'")
		far := time.Now().AddDate(2, 0, 0)
		res, err := e.svc.ExpireTicketsAndCards(context.Background(), far)
		if err != nil || res.Cards != n || res.Tickets != 1 {
			t.Fatalf("%+v %v, want %d cards and the last ticket", res, err, n)
		}
		if left := e.count("SELECT count(*) FROM cards WHERE status <> 'EXPIRED' OR ended_at IS NULL"); left != 0 {
			t.Errorf("%d cards not expired", left)
		}
	})
}

// TestExpiryConcurrent runs the job several times at once (as a retry beside a slow run
// could): rows one run holds are skipped by the others, so each ticket expires once.
func TestExpiryConcurrent(t *testing.T) {
	e := newEnv(t)
	_, tks := e.doorTickets(e.organisation("zoo"), 40)
	e.expire(tks)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Go(func() {
			res, err := e.svc.ExpireTicketsAndCards(ctx, time.Now())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			total += res.Tickets
		})
	}
	wg.Wait()
	if total != len(tks) {
		t.Errorf("%d tickets expired, want %d", total, len(tks))
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'expire_card_ticket'"); n != len(tks) {
		t.Errorf("%d expiries audited", n)
	}
}
