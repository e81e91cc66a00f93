package card

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/migrations"
)

func TestSpreadRelease(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		left := make([]int, 1+r.IntN(stockSlots))
		for j := range left {
			left[j] = r.IntN(8)
		}
		amount := r.IntN(60)
		add := spreadRelease(slices.Clone(left), amount)
		sum, lowest := 0, -1
		for j, n := range add {
			if n < 0 {
				t.Fatalf("%d: %v + %d: slot %d gets %d", i, left, amount, j, n)
			}
			sum += n
			if after := left[j] + n; lowest < 0 || after < lowest {
				lowest = after
			}
		}
		if sum != amount {
			t.Fatalf("%d: %v + %d: adds %v, %d in all", i, left, amount, add, sum)
		}
		// Only the emptiest are filled: a slot that got some ends at most one above the
		// emptiest slot after the release.
		for j, n := range add {
			if n > 0 && left[j]+n > lowest+1 {
				t.Fatalf("%d: %v + %d: adds %v, slot %d ends at %d, the lowest at %d",
					i, left, amount, add, j, left[j]+n, lowest)
			}
		}
	}
	if got := spreadRelease([]int{0, 5, 0, 2}, 3); !slices.Equal(got, []int{2, 0, 1, 0}) {
		t.Errorf("spreadRelease([0 5 0 2], 3) = %v", got)
	}
}

// slotsOf returns an offer's stock slots: slot -> [released, claimed].
func (e *env) slotsOf(o *Offer) map[int][2]int {
	e.t.Helper()
	rows, err := e.db.QueryContext(context.Background(),
		"SELECT slot, released, claimed FROM card_offer_stock_slots WHERE offer_id = ?", o.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int][2]int{}
	for rows.Next() {
		var slot, released, claimed int
		if err := rows.Scan(&slot, &released, &claimed); err != nil {
			e.t.Fatal(err)
		}
		out[slot] = [2]int{released, claimed}
	}
	return out
}

// checkSlots checks that an offer's slots add up: their released to the offer's, and
// each slot's claimed to the tickets taken from it, not cancelled and not expired before
// the offer's end (whose units went back), and the places from the waiting list held in
// it.
func (e *env) checkSlots(o *Offer) {
	e.t.Helper()
	slots, released := e.slotsOf(o), 0
	for slot, s := range slots {
		released += s[0]
		n := e.count(`SELECT count(*) FROM card_tickets t JOIN card_offers o ON o.id = t.offer_id
			WHERE t.offer_id = ? AND t.stock_slot = ? AND t.status <> 'CANCELLED'
			AND NOT (t.status = 'EXPIRED' AND o.expire_unused_days_before > 0
				AND t.expires_at < greatest(o.valid_to, coalesce(o.event_at, o.valid_to)))`, o.ID, slot)
		held := e.count("SELECT count(*) FROM card_waiting_places WHERE offer_id = ? AND stock_slot = ? AND status = 'OFFERED'",
			o.ID, slot)
		if n+held != s[1] {
			e.t.Errorf("slot %d: claimed %d, %d tickets and %d places held", slot, s[1], n, held)
		}
	}
	if want := e.count("SELECT released FROM card_offers WHERE id = ?", o.ID); released != want {
		e.t.Errorf("the slots release %d, the offer %d", released, want)
	}
}

// TestClaimsOverSlots claims offers from many cards at once: N claims on S released
// tickets give exactly min(N, S) tickets, the rest SOLD_OUT, taken from many slots, and
// every slot and the offer's totals agree with the tickets.
func TestClaimsOverSlots(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ claims, stock int }{{300, 120}, {100, 250}, {40, 17}} {
		t.Run(fmt.Sprintf("%dOn%d", tc.claims, tc.stock), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			p := e.programme(nil, func(in *ProgrammeInput) { in.CardsAvailable = tc.claims })
			cards := e.anonCards(p, tc.claims)
			o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, tc.stock)
			ctx := anonymous(e.larvik)
			var wg sync.WaitGroup
			var mu sync.Mutex
			got := map[apperr.Code]int{}
			start := make(chan struct{})
			for _, a := range cards {
				wg.Go(func() {
					<-start
					_, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
					mu.Lock()
					got[apperr.CodeOf(err)]++
					mu.Unlock()
					if err != nil && apperr.CodeOf(err) != apperr.SoldOut {
						t.Errorf("claim: %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			want := min(tc.claims, tc.stock)
			if got[""] != want || got[apperr.SoldOut] != tc.claims-want {
				t.Errorf("outcomes = %v, want %d tickets and %d SOLD_OUT", got, want, tc.claims-want)
			}
			if n := e.count("SELECT count(DISTINCT card_id) FROM card_tickets WHERE offer_id = ?", o.ID); n != want {
				t.Errorf("%d cards hold tickets, want %d", n, want)
			}
			if n := e.count("SELECT count(DISTINCT stock_slot) FROM card_tickets WHERE offer_id = ?", o.ID); n < 2 {
				t.Errorf("the tickets came from %d slot(s)", n)
			}
			e.checkSlots(o)
			read, err := e.svc.FindOfferByID(e.coord, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if read.Released != tc.stock || read.Claimed != want || read.Left() != tc.stock-want {
				t.Errorf("offer reads released %d, claimed %d, left %d", read.Released, read.Claimed, read.Left())
			}
		})
	}
}

// TestLastTicketsClaimable claims an offer down to its last ticket, which sits in one slot
// of sixteen, and checks that no claim is refused while any slot has one.
func TestLastTicketsClaimable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	cards := e.anonCards(p, 24)
	ctx := anonymous(e.larvik)
	o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, 3) // three slots of one
	if n := len(e.slotsOf(o)); n != 3 {
		t.Errorf("3 released tickets went into %d slots", n)
	}
	for _, a := range cards[:3] {
		if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
			t.Fatalf("claim with tickets left: %v", err)
		}
	}
	_, err := e.svc.ClaimTicket(ctx, cards[3].Card.ID, o.ID, access(cards[3]))
	wantCode(t, err, apperr.SoldOut, "offerId")
	// One more released: it lands in one of sixteen slots, and whichever slot a claim
	// starts from, it finds it.
	for i, a := range cards[4:20] {
		if _, err := e.svc.ReleaseStock(e.coord, o.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
			t.Fatalf("claim %d of the one ticket left: %v", i, err)
		}
	}
	e.checkSlots(o)

	t.Run("WaitsForALockedSlot", func(t *testing.T) {
		// Another transaction holds the only slot with a ticket left: the claim waits for
		// it rather than answer SOLD_OUT. When that transaction ends without taking it,
		// the claim gets it.
		if _, err := e.svc.ReleaseStock(e.coord, o.ID, 1); err != nil {
			t.Fatal(err)
		}
		bg := context.Background()
		tx, err := e.db.BeginTx(bg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var slot int
		if err := tx.QueryRowContext(bg, `SELECT slot FROM card_offer_stock_slots WHERE offer_id = ? AND claimed < released
			FOR UPDATE`, o.ID).Scan(&slot); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := e.svc.ClaimTicket(ctx, cards[20].Card.ID, o.ID, access(cards[20]))
			done <- err
		}()
		e.waitForLockWait(t, done)
		tx.Rollback() //nolint:errcheck // ends the lock
		if err := <-done; err != nil {
			t.Fatalf("claim of the ticket in a slot that was locked: %v", err)
		}

		// And when that transaction takes the last ticket, the waiting claim is SOLD_OUT.
		if _, err := e.svc.ReleaseStock(e.coord, o.ID, 1); err != nil {
			t.Fatal(err)
		}
		if tx, err = e.db.BeginTx(bg, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(bg, `UPDATE card_offer_stock_slots SET claimed = claimed + 1
			WHERE offer_id = ? AND claimed < released`, o.ID); err != nil {
			t.Fatal(err)
		}
		go func() {
			_, err := e.svc.ClaimTicket(ctx, cards[21].Card.ID, o.ID, access(cards[21]))
			done <- err
		}()
		e.waitForLockWait(t, done)
		tx.Rollback() //nolint:errcheck // gives the ticket back; taken by the claim
		if err := <-done; err != nil {
			t.Fatalf("claim after the other gave the ticket back: %v", err)
		}
		if _, err := e.svc.ReleaseStock(e.coord, o.ID, 1); err != nil {
			t.Fatal(err)
		}
		if tx, err = e.db.BeginTx(bg, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(bg, `UPDATE card_offer_stock_slots SET claimed = claimed + 1
			WHERE offer_id = ? AND claimed < released`, o.ID); err != nil {
			t.Fatal(err)
		}
		go func() {
			_, err := e.svc.ClaimTicket(ctx, cards[22].Card.ID, o.ID, access(cards[22]))
			done <- err
		}()
		e.waitForLockWait(t, done)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		wantCode(t, <-done, apperr.SoldOut, "offerId")
	})
}

// waitForLockWait waits until a session of the test's database waits for a row lock; it
// fails when the claim answers (on done) before it waited.
func (e *env) waitForLockWait(t *testing.T, done chan error) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for range 1000 {
		select {
		case err := <-done:
			t.Fatalf("the claim answered %v without waiting for the locked slot", err)
		case <-tick.C:
		}
		if e.count(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			return
		}
	}
	t.Fatal("no claim waits for the locked slot")
}

// TestStockReturns cancels and revokes tickets taken from slots: each unit returns to the
// slot it came from and can be claimed again, and a later release evens the slots out.
func TestStockReturns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	cards := e.anonCards(p, 12)
	ctx := anonymous(e.larvik)
	o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, 10)
	var tickets []*Ticket
	for _, a := range cards[:10] {
		tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	_, err := e.svc.ClaimTicket(ctx, cards[10].Card.ID, o.ID, access(cards[10]))
	wantCode(t, err, apperr.SoldOut, "offerId")

	before := e.slotsOf(o)[int(tickets[3].StockSlot)]
	if _, err := e.svc.CancelTicket(e.coord, tickets[3].ID, nil); err != nil {
		t.Fatal(err)
	}
	if after := e.slotsOf(o)[int(tickets[3].StockSlot)]; after[1] != before[1]-1 {
		t.Errorf("slot %d: claimed %d before the cancellation, %d after", tickets[3].StockSlot, before[1], after[1])
	}
	if _, err := e.svc.RevokeCard(e.coord, cards[5].Card.ID); err != nil {
		t.Fatal(err)
	}
	e.checkSlots(o)
	if n := e.claimed(o); n != 8 {
		t.Errorf("claimed = %d after a cancellation and a revocation, want 8", n)
	}
	// The two returned tickets are claimable, and then the offer is sold out again.
	for _, a := range cards[10:12] {
		if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
			t.Fatalf("claim of a returned ticket: %v", err)
		}
	}
	_, err = e.svc.ClaimTicket(ctx, cards[3].Card.ID, o.ID, access(cards[3]))
	wantCode(t, err, apperr.SoldOut, "offerId")

	// A release fills the empty slots evenly: 32 over sixteen empty slots is 2 each.
	if _, err := e.svc.ReleaseStock(e.coord, o.ID, 32); err != nil {
		t.Fatal(err)
	}
	slots := e.slotsOf(o)
	for slot := range stockSlots {
		if s := slots[slot]; s[0]-s[1] != 2 {
			t.Errorf("slot %d: %d released, %d claimed; want 2 left", slot, s[0], s[1])
		}
	}
	e.checkSlots(o)
	read, err := e.svc.FindOfferByID(e.coord, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if read.Released != 42 || read.Claimed != 10 || read.Left() != 32 {
		t.Errorf("offer reads released %d, claimed %d, left %d", read.Released, read.Claimed, read.Left())
	}
}

// TestStockConstraints checks that the database refuses stock that does not add up.
func TestStockConstraints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, 5)
	bg := context.Background()
	for _, q := range []string{
		"UPDATE card_offer_stock_slots SET claimed = released + 1 WHERE offer_id = ?",
		"UPDATE card_offer_stock_slots SET claimed = -1 WHERE offer_id = ?",
		"UPDATE card_offers SET released = released + 1 WHERE id = ?",
		"UPDATE card_offer_stock_slots SET released = released + 1 WHERE offer_id = ?",
	} {
		if _, err := e.db.ExecContext(bg, q, o.ID); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	e.checkSlots(o)
}

// TestStockSlotsMigration takes an offer back to one stock row (the migration's down
// file) and forward again: what was claimed is in slot 0 with the tickets, what is left is
// spread over sixteen slots (33 left: 2 each and one more in slot 0), and claims and
// cancellations go on.
func TestStockSlotsMigration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	cards := e.anonCards(p, 7)
	ctx := anonymous(e.larvik)
	o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, 37)
	var tickets []*Ticket
	for _, a := range cards[:5] {
		tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	if _, err := e.svc.CancelTicket(e.coord, tickets[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	migration := func(name string) string {
		q, err := migrations.FS.ReadFile("0018_offer_stock_slots.tx." + name + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		return string(q)
	}
	e.exec(migration("down"))
	if n := e.count("SELECT claimed FROM card_offers WHERE id = ?", o.ID); n != 4 {
		t.Fatalf("one stock row: claimed %d, want 4", n)
	}
	e.exec(migration("up"))
	slots := e.slotsOf(o)
	if len(slots) != stockSlots || slots[0] != [2]int{4 + 2 + 1, 4} || slots[1] != [2]int{2, 0} ||
		slots[15] != [2]int{2, 0} {
		t.Errorf("slots after the migration: %v", slots)
	}
	e.checkSlots(o)
	if _, err := e.svc.CancelTicket(e.coord, tickets[1].ID, nil); err != nil {
		t.Fatal(err)
	}
	for _, a := range cards[5:7] {
		if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
			t.Fatal(err)
		}
	}
	e.checkSlots(o)
	if n := e.claimed(o); n != 5 {
		t.Errorf("claimed = %d, want 5", n)
	}
}
