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

// TestExpiryLock runs the job from several servers at once: the advisory lock lets one at
// a time do the work, so each ticket expires once.
func TestExpiryLock(t *testing.T) {
	e := newEnv(t)
	_, tks := e.doorTickets(e.organisation("zoo"), 40)
	e.expire(tks)
	ctx := context.Background()

	t.Run("HeldElsewhere", func(t *testing.T) {
		conn, err := e.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var got bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", expiryLockKey).Scan(&got); err != nil || !got {
			t.Fatalf("lock: %v %v", got, err)
		}
		res, ran, err := e.svc.RunExpiry(ctx)
		if err != nil || ran || res != (ExpiryResult{}) {
			t.Errorf("ran beside another server: %+v %v %v", res, ran, err)
		}
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock(?)", expiryLockKey); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		total, runs := 0, 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, ran, err := e.svc.RunExpiry(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				total += res.Tickets
				if ran {
					runs++
				}
			}()
		}
		wg.Wait()
		if total != len(tks) || runs < 1 {
			t.Errorf("%d tickets expired in %d runs, want %d", total, runs, len(tks))
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'expire_card_ticket'"); n != len(tks) {
			t.Errorf("%d expiries audited", n)
		}
	})

	t.Run("RunJobs", func(t *testing.T) {
		_, more := e.doorTickets(e.organisation("akvarium"), 10)
		e.expire(more)
		jobCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); e.svc.RunJobs(jobCtx, 10*time.Millisecond) }()
		}
		deadline := time.Now().Add(10 * time.Second)
		for e.count("SELECT count(*) FROM card_tickets WHERE status = 'CLAIMED' AND expires_at < now()") > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // a few more rounds from both
		cancel()
		wg.Wait()
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'expire_card_ticket'"); n != len(tks)+len(more) {
			t.Errorf("%d expiries audited, want %d", n, len(tks)+len(more))
		}
	})
}
