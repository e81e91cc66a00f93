package card

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// member creates a user who has role in the organisation and returns their context.
func (e *env) member(org uuid.UUID, role string) context.Context {
	e.t.Helper()
	ctx, u := e.as(e.larvik)
	e.exec("INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, ?)", e.larvik.ID(), org, u.ID, role)
	return ctx
}

// doorTickets makes an offer of org in a new programme with n tickets allocated, one per
// anonymous card.
func (e *env) doorTickets(org uuid.UUID, n int, change ...func(*OfferInput)) (*Offer, []*Ticket) {
	e.t.Helper()
	p := e.programme(nil)
	o := e.tkOffer(org, []*Programme{p}, n, change...)
	var out []*Ticket
	for _, a := range e.anonCards(p, n) {
		tk, err := e.svc.AllocateTicket(e.coord, a.Card.ID, o.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, tk)
	}
	return o, out
}

func TestCheckAndRedeem(t *testing.T) {
	e := newEnv(t)
	pool, cinema := e.organisation("svommehallen"), e.organisation("kino")
	o, tks := e.doorTickets(pool, 6)
	checker := e.member(pool, "TICKET_CHECKER")
	english := i18n.WithLocale(checker, i18n.Locale{Code: "en", Chain: []string{"en"}})

	t.Run("Check", func(t *testing.T) {
		tk := tks[0]
		for _, typed := range []string{tk.FormattedCode(), strings.ToLower(tk.Code), " " + tk.Payload + " "} {
			chk, err := e.svc.CheckTicket(english, typed)
			if err != nil {
				t.Fatalf("%q: %v", typed, err)
			}
			if !chk.Valid || chk.Problem != "" || chk.Admits != 2 || chk.OfferID != o.ID || chk.OfferTitle != "Swimming pool" ||
				chk.TitleLocale != "en" || chk.Code != tk.FormattedCode() || !chk.ValidUntil.Equal(o.ValidTo) || chk.Status != TicketClaimed {
				t.Errorf("%q: %+v", typed, chk)
			}
		}
		chk, err := e.svc.CheckTicket(checker, tk.Code)
		if err != nil || chk.OfferTitle != "Svømmehallen" {
			t.Errorf("in nb: %+v %v", chk, err)
		}
		if e.count("SELECT count(*) FROM card_tickets WHERE status = 'CLAIMED' AND id = ?", tk.ID) != 1 {
			t.Error("checking changed the ticket")
		}
	})

	t.Run("RedeemOnce", func(t *testing.T) {
		tk := tks[1]
		for _, role := range []string{"EDITOR", "OWNER"} {
			if _, err := e.svc.CheckTicket(e.member(pool, role), tk.Code); err != nil {
				t.Errorf("%s: %v", role, err)
			}
		}
		chk, err := e.svc.RedeemTicket(checker, tk.FormattedCode())
		if err != nil {
			t.Fatal(err)
		}
		if !chk.Valid || chk.Status != TicketRedeemed || chk.RedeemedAt == nil {
			t.Errorf("redeemed: %+v", chk)
		}
		_, err = e.svc.RedeemTicket(checker, tk.Code)
		ae := wantCode(t, err, apperr.AlreadyRedeemed, "code")
		if at, _ := ae.Data["RedeemedAt"].(time.Time); !at.Equal(*chk.RedeemedAt) || ae.MessageID != "TicketAlreadyRedeemed" {
			t.Errorf("err = %+v", ae)
		}
		msg := i18n.MustNewBundle().Localize([]string{"en"}, ae.MessageID, ae.Data)
		if !strings.Contains(msg, chk.RedeemedAt.In(time.FixedZone("", 0)).Format("2006")) || strings.Contains(msg, "no value") {
			t.Errorf("message %q", msg)
		}
		again, err := e.svc.CheckTicket(checker, tk.Code)
		if err != nil || again.Valid || again.Problem != apperr.AlreadyRedeemed || again.RedeemedAt == nil {
			t.Errorf("check after redeeming: %+v %v", again, err)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'redeem_card_ticket' AND item_id = ?", tk.ID); n != 1 {
			t.Errorf("%d audit entries", n)
		}
	})

	t.Run("NotValid", func(t *testing.T) {
		cancelled, expired := tks[2], tks[3]
		if _, err := e.svc.CancelTicket(e.coord, cancelled.ID, nil); err != nil {
			t.Fatal(err)
		}
		e.exec("UPDATE card_tickets SET claimed_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = ?", expired.ID)
		_, future := e.doorTickets(pool, 1, func(in *OfferInput) { ev := time.Now().AddDate(0, 0, 3); in.EventAt = &ev })
		for _, tt := range []struct {
			tk   *Ticket
			code apperr.Code
		}{{cancelled, apperr.TicketCancelled}, {expired, apperr.TicketExpired}, {future[0], apperr.TicketNotYetValid}} {
			chk, err := e.svc.CheckTicket(checker, tt.tk.Code)
			if err != nil || chk.Valid || chk.Problem != tt.code {
				t.Errorf("check %s: %+v %v", tt.code, chk, err)
			}
			_, err = e.svc.RedeemTicket(checker, tt.tk.Code)
			wantCode(t, err, tt.code, "code")
		}
		if e.count("SELECT count(*) FROM card_tickets WHERE status = 'REDEEMED' AND id IN (?, ?, ?)", cancelled.ID, expired.ID, future[0].ID) != 0 {
			t.Error("an invalid ticket was redeemed")
		}
	})

	t.Run("NothingToLearn", func(t *testing.T) {
		valid := tks[4]
		unknown, _ := code.New(code.TicketCodeLength)
		mistyped := []byte(valid.Code)
		mistyped[0] ^= 1
		var errs []error
		for _, typed := range []string{valid.Code, unknown, string(mistyped), "hello", "", "FRITID1:sandefjord:" + valid.Code} {
			stranger := e.member(cinema, "OWNER") // checks tickets, for another organisation
			_, err := e.svc.CheckTicket(stranger, typed)
			errs = append(errs, err)
			_, err = e.svc.RedeemTicket(stranger, typed)
			errs = append(errs, err)
		}
		for _, err := range errs {
			ae := wantCode(t, err, apperr.TicketNotFound, "code")
			if ae.MessageID != "" || ae.Data != nil || ae.Reason != "" {
				t.Errorf("err = %+v: the answers differ", ae)
			}
		}
		if e.count("SELECT count(*) FROM card_tickets WHERE status = 'REDEEMED' AND id = ?", valid.ID) != 0 {
			t.Error("another organisation redeemed the ticket")
		}
	})

	t.Run("Authorisation", func(t *testing.T) {
		_, err := e.svc.CheckTicket(anonymous(e.larvik), tks[5].Code)
		wantCode(t, err, apperr.Unauthenticated)
		nobody, _ := e.as(e.larvik)
		_, err = e.svc.RedeemTicket(nobody, tks[5].Code)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.CheckTicket(e.coord, tks[5].Code)
		wantCode(t, err, apperr.Forbidden)
	})
}

// TestRedeemRace redeems one ticket from 50 goroutines: exactly one succeeds and the 49
// others say ALREADY_REDEEMED with the one redemption's time.
func TestRedeemRace(t *testing.T) {
	e := newEnv(t)
	org := e.organisation("konserthuset")
	_, tks := e.doorTickets(org, 1)
	checkers := make([]context.Context, 5)
	for i := range checkers {
		checkers[i] = e.member(org, "TICKET_CHECKER")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok int
	var times []time.Time
	start := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			chk, err := e.svc.RedeemTicket(checkers[i%len(checkers)], tks[0].FormattedCode())
			mu.Lock()
			defer mu.Unlock()
			switch apperr.CodeOf(err) {
			case "":
				ok++
				times = append(times, *chk.RedeemedAt)
			case apperr.AlreadyRedeemed:
				at, _ := apperr.As(err).Data["RedeemedAt"].(time.Time)
				times = append(times, at)
			default:
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 1 || len(times) != 50 {
		t.Fatalf("%d redeemed, %d answers", ok, len(times))
	}
	for _, at := range times {
		if !at.Equal(times[0]) || at.IsZero() {
			t.Errorf("redeemed at %v and %v", at, times[0])
		}
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'redeem_card_ticket'"); n != 1 {
		t.Errorf("%d redemptions audited", n)
	}
}

func TestDoorThrottle(t *testing.T) {
	e := newEnv(t)
	org := e.organisation("trampolinepark")
	_, tks := e.doorTickets(org, 1)
	guesser := e.member(org, "TICKET_CHECKER")
	for range doorMaxFailures {
		guess, _ := code.New(code.TicketCodeLength)
		_, err := e.svc.CheckTicket(guesser, guess)
		wantCode(t, err, apperr.TicketNotFound)
	}
	// Now even a valid code is refused: guessing has stopped.
	_, err := e.svc.RedeemTicket(guesser, tks[0].Code)
	ae := wantCode(t, err, apperr.RateLimited)
	if r, _ := ae.Data["RetryAfter"].(int); r < 1 || r > 15*60 || ae.MessageID != "TicketCodeRateLimited" {
		t.Errorf("err = %+v", ae)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'ticket_code_rejected'"); n != doorMaxFailures {
		t.Errorf("%d failures audited", n)
	}
	// The throttle is per user: a colleague at the same door goes on.
	if _, err := e.svc.CheckTicket(e.member(org, "TICKET_CHECKER"), tks[0].Code); err != nil {
		t.Errorf("another user: %v", err)
	}
	// Valid codes do not count as failures.
	for range 2 * doorMaxFailures {
		if _, err := e.svc.CheckTicket(e.member(org, "EDITOR"), tks[0].Code); err != nil {
			t.Fatal(err)
		}
	}
	e.svc.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	defer func() { e.svc.now = time.Now }()
	if _, err := e.svc.CheckTicket(guesser, tks[0].Code); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// TestDoorThrottleHoldsForABurst: codes guessed all at once are checked no more often than
// the limit allows, as those guessed one after another.
func TestDoorThrottleHoldsForABurst(t *testing.T) {
	e := newEnv(t)
	org := e.organisation("klatrepark")
	_, tks := e.doorTickets(org, 1)
	guesser := e.member(org, "TICKET_CHECKER")
	errs := make([]error, 3*doorMaxFailures)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			guess, _ := code.New(code.TicketCodeLength)
			_, errs[i] = e.svc.CheckTicket(guesser, guess)
		})
	}
	wg.Wait()
	checked := 0
	for _, err := range errs {
		switch apperr.CodeOf(err) {
		case apperr.TicketNotFound:
			checked++
		case apperr.RateLimited:
		default:
			t.Fatalf("a guess answered %v", err)
		}
	}
	if checked > doorMaxFailures {
		t.Errorf("%d codes guessed at once had %d looked up, want at most %d", len(errs), checked, doorMaxFailures)
	}
	// A valid code after the limit is refused too, and a colleague's is not.
	for ; checked < doorMaxFailures; checked++ {
		guess, _ := code.New(code.TicketCodeLength)
		_, err := e.svc.CheckTicket(guesser, guess)
		wantCode(t, err, apperr.TicketNotFound)
	}
	_, err := e.svc.CheckTicket(guesser, tks[0].Code)
	wantCode(t, err, apperr.RateLimited)
	if _, err := e.svc.CheckTicket(e.member(org, "TICKET_CHECKER"), tks[0].Code); err != nil {
		t.Errorf("another user: %v", err)
	}
}
