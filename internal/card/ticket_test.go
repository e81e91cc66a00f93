package card

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// tkOffer creates a PUBLISHED offer of org in programmes p, open from an hour ago for a
// month, with released of 1,000 tickets released, per-card limit 1, admitting 2, worth
// 150 kroner (DONATED); change adjusts the input first.
func (e *env) tkOffer(org uuid.UUID, p []*Programme, released int, change ...func(*OfferInput)) *Offer {
	e.t.Helper()
	in := OfferInput{OrganisationID: org, Texts: []OfferText{{Locale: "nb", Title: "Svømmehallen"}, {Locale: "en", Title: "Swimming pool"}},
		Stock: 1000, PerCardLimit: 1, Admits: 2, ValidFrom: time.Now().Add(-time.Hour), ValidTo: time.Now().AddDate(0, 1, 0),
		ValueOre: 15000, Source: SourceDonated}
	for _, prog := range p {
		in.ProgrammeIDs = append(in.ProgrammeIDs, prog.ID)
	}
	for _, f := range change {
		f(&in)
	}
	o, err := e.svc.SaveOffer(e.coord, in)
	if err != nil {
		e.t.Fatal(err)
	}
	if released > 0 {
		if _, err := e.svc.ReleaseStock(e.coord, o.ID, released); err != nil {
			e.t.Fatal(err)
		}
	}
	if o, err = e.svc.SetOfferStatus(e.coord, o.ID, OfferPublished); err != nil {
		e.t.Fatal(err)
	}
	return o
}

// anonCards issues n anonymous cards in p, in batches.
func (e *env) anonCards(p *Programme, n int) []*AnonymousCard {
	e.t.Helper()
	var out []*AnonymousCard
	for n > 0 {
		batch, err := e.svc.IssueAnonymousCards(e.coord, p.ID, min(n, 500))
		if err != nil {
			e.t.Fatal(err)
		}
		out, n = append(out, batch...), n-len(batch)
	}
	return out
}

// access returns the card access of an anonymous card.
func access(a *AnonymousCard) *CardAccess {
	return &CardAccess{Number: code.Format(a.Card.Number), PIN: a.PIN}
}

// claimed returns how many of an offer's tickets are claimed: the sum over its stock slots.
func (e *env) claimed(o *Offer) int {
	e.t.Helper()
	return e.count("SELECT coalesce(sum(claimed), 0) FROM card_offer_stock_slots WHERE offer_id = ?", o.ID)
}

func TestClaimTicket(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav))
	pool := e.organisation("svommehallen")
	o := e.tkOffer(pool, []*Programme{p}, 10, func(in *OfferInput) { in.PerCardLimit = 2 })

	t.Run("ByTheChild", func(t *testing.T) {
		tk, err := e.svc.ClaimTicket(resident(e.larvik, f.child), f.card.ID, o.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != TicketClaimed || tk.Admits != 2 || tk.ValueOre != 15000 || tk.Source != SourceDonated || tk.AllocatedBy != nil ||
			!tk.ExpiresAt.Equal(o.ValidTo) || tk.CardID != f.card.ID || tk.OfferID != o.ID {
			t.Errorf("ticket = %+v", tk)
		}
		if len(tk.Code) != code.TicketCodeLength+1 || !strings.Contains(tk.FormattedCode(), "-") {
			t.Errorf("code %q, formatted %q", tk.Code, tk.FormattedCode())
		}
		if canonical, ok := code.Normalise(tk.FormattedCode()); !ok || canonical != tk.Code {
			t.Errorf("the code does not check: %q", tk.Code)
		}
		if tk.Payload != "FRITID1:larvik:"+tk.Code {
			t.Errorf("payload %q", tk.Payload)
		}
		if got := e.claimed(o); got != 1 {
			t.Errorf("claimed = %d", got)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'claim_card_ticket' AND item_id = ?", tk.ID); n != 1 {
			t.Errorf("%d audit entries", n)
		}
	})

	t.Run("ByAGuardian", func(t *testing.T) {
		if _, err := e.svc.ClaimTicket(resident(e.larvik, f.mother), f.card.ID, o.ID, nil); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.FindCardTickets(resident(e.larvik, f.father), f.card.ID, nil)
		if err != nil || len(list) != 2 || list[0].Payload == "" {
			t.Fatalf("%d tickets, %v", len(list), err)
		}
	})

	t.Run("WithNumberAndPIN", func(t *testing.T) {
		a := e.anonCards(p, 1)[0]
		tk, err := e.svc.ClaimTicket(anonymous(e.larvik), a.Card.ID, o.ID, access(a))
		if err != nil || tk.CardID != a.Card.ID {
			t.Fatalf("%+v %v", tk, err)
		}
		wrong := &CardAccess{Number: a.Card.Number, PIN: "12345x"}
		_, err = e.svc.ClaimTicket(anonymous(e.larvik), a.Card.ID, o.ID, wrong)
		wantCode(t, err, apperr.NotFound)
		// The number and PIN of one card do not open another.
		_, err = e.svc.ClaimTicket(anonymous(e.larvik), f.card.ID, o.ID, access(a))
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("WrongPINsThrottled", func(t *testing.T) {
		// Wrong PINs on claims count as on CardByNumber: after five, the right one is
		// refused too, and each was recorded.
		b := e.anonCards(p, 1)[0]
		failures := func() int {
			return e.count("SELECT count(*) FROM audit_log WHERE action = 'card_pin_failed' AND item_id = ?", b.Card.ID)
		}
		before := failures()
		for range 5 {
			_, err := e.svc.ClaimTicket(anonymous(e.larvik), b.Card.ID, o.ID, &CardAccess{Number: b.Card.Number, PIN: "000000x"})
			wantCode(t, err, apperr.NotFound)
		}
		_, err := e.svc.ClaimTicket(anonymous(e.larvik), b.Card.ID, o.ID, access(b))
		wantCode(t, err, apperr.RateLimited)
		if _, err := e.svc.CardByNumber(anonymous(e.larvik), b.Card.Number, b.PIN); apperr.CodeOf(err) != apperr.RateLimited {
			t.Errorf("CardByNumber after five wrong PINs on claims: %v", err)
		}
		if n := failures(); n != before+5 {
			t.Errorf("%d failures recorded, want 5", n-before)
		}
		if n := e.count("SELECT count(*) FROM card_tickets WHERE card_id = ?", b.Card.ID); n != 0 {
			t.Errorf("%d tickets taken with wrong PINs", n)
		}
	})

	t.Run("Authorisation", func(t *testing.T) {
		_, err := e.svc.ClaimTicket(anonymous(e.larvik), f.card.ID, o.ID, nil)
		wantCode(t, err, apperr.Unauthenticated)
		_, err = e.svc.ClaimTicket(resident(e.larvik, e.guardian()), f.card.ID, o.ID, nil)
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.ClaimTicket(e.coord, f.card.ID, o.ID, nil)
		wantCode(t, err, apperr.Forbidden)
		sf := e.municipality("sandefjord")
		_, err = e.svc.ClaimTicket(resident(sf, f.child), f.card.ID, o.ID, nil)
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.FindCardTickets(resident(e.larvik, e.guardian()), f.card.ID, nil)
		wantCode(t, err, apperr.NotFound)
	})
}

func TestClaimRefusals(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	other := e.programme(nil)
	org := e.organisation("kino")
	ctx := anonymous(e.larvik)
	f := e.family(p, e.caseworker(nav)) // aged 10
	today := e.today()

	// card returns a fresh anonymous card after change has been run on its row.
	card := func(change string, args ...any) *AnonymousCard {
		a := e.anonCards(p, 1)[0]
		if change != "" {
			e.exec("UPDATE cards SET "+change+" WHERE id = ?", append(args, a.Card.ID)...)
		}
		return a
	}
	open := e.tkOffer(org, []*Programme{p}, 100)

	tests := []struct {
		name   string
		card   func() *AnonymousCard
		offer  func() *Offer
		code   apperr.Code
		field  string
		reason string
	}{
		{"CardSuspended", func() *AnonymousCard {
			a := card("")
			if _, err := e.svc.SuspendCard(e.coord, a.Card.ID); err != nil {
				t.Fatal(err)
			}
			return a
		}, nil, apperr.CardNotActive, "cardId", "SUSPENDED"},
		{"CardRevoked", func() *AnonymousCard {
			a := card("")
			if _, err := e.svc.RevokeCard(e.coord, a.Card.ID); err != nil {
				t.Fatal(err)
			}
			return a
		}, nil, apperr.CardNotActive, "cardId", "REVOKED"},
		{"CardNotYetValid", func() *AnonymousCard {
			return card("valid_from = ?, valid_to = ?", sqlDate(today.AddDate(0, 0, 1)), sqlDate(today.AddDate(0, 1, 0)))
		}, nil, apperr.CardNotActive, "cardId", "NOT_YET_VALID"},
		{"CardPastItsDays", func() *AnonymousCard {
			return card("valid_from = ?, valid_to = ?", sqlDate(today.AddDate(0, -2, 0)), sqlDate(today.AddDate(0, 0, -1)))
		}, nil, apperr.CardExpired, "cardId", ""},
		{"CardExpired", func() *AnonymousCard {
			return card("status = 'EXPIRED', ended_at = now()")
		}, nil, apperr.CardExpired, "cardId", ""},
		{"OfferPaused", nil, func() *Offer {
			o := e.tkOffer(org, []*Programme{p}, 10)
			if _, err := e.svc.SetOfferStatus(e.coord, o.ID, OfferPaused); err != nil {
				t.Fatal(err)
			}
			return o
		}, apperr.OfferNotAvailable, "offerId", "PAUSED"},
		{"OfferEnded", nil, func() *Offer {
			o := e.tkOffer(org, []*Programme{p}, 10)
			if _, err := e.svc.SetOfferStatus(e.coord, o.ID, OfferEnded); err != nil {
				t.Fatal(err)
			}
			return o
		}, apperr.OfferNotAvailable, "offerId", "ENDED"},
		{"OfferNotYetOpen", nil, func() *Offer {
			return e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { in.ValidFrom = time.Now().Add(time.Hour) })
		}, apperr.OfferNotAvailable, "offerId", "NOT_YET_OPEN"},
		{"OfferClosed", nil, func() *Offer {
			return e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) {
				in.ValidFrom, in.ValidTo = time.Now().AddDate(0, -1, 0), time.Now().Add(-time.Minute)
			})
		}, apperr.OfferNotAvailable, "offerId", "CLOSED"},
		{"EventStarted", nil, func() *Offer {
			return e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { ev := time.Now().Add(-time.Minute); in.EventAt = &ev })
		}, apperr.OfferNotAvailable, "offerId", "CLOSED"},
		{"OfferOfAnotherProgramme", nil, func() *Offer {
			return e.tkOffer(org, []*Programme{other}, 10)
		}, apperr.OfferNotInProgramme, "offerId", ""},
		{"SoldOut", nil, func() *Offer {
			return e.tkOffer(org, []*Programme{p}, 0)
		}, apperr.SoldOut, "offerId", ""},
		{"NothingReleasedLeft", nil, func() *Offer {
			o := e.tkOffer(org, []*Programme{p}, 1)
			first := card("")
			if _, err := e.svc.ClaimTicket(ctx, first.Card.ID, o.ID, access(first)); err != nil {
				t.Fatal(err)
			}
			return o
		}, apperr.SoldOut, "offerId", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, o := card(""), open
			if tt.card != nil {
				a = tt.card()
			}
			if tt.offer != nil {
				o = tt.offer()
			}
			before := e.claimed(o)
			_, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
			wantCode(t, err, tt.code, tt.field, tt.reason)
			if e.claimed(o) != before {
				t.Error("a refused claim took stock")
			}
		})
	}

	t.Run("OfferOfAnotherMunicipality", func(t *testing.T) {
		a := card("")
		_, err := e.svc.ClaimTicket(ctx, a.Card.ID, uuid.New(), access(a))
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("NotEligible", func(t *testing.T) {
		teens := e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { lo := 13; in.MinAge = &lo })
		_, err := e.svc.ClaimTicket(resident(e.larvik, f.child), f.card.ID, teens.ID, nil)
		wantCode(t, err, apperr.NotEligible, "offerId")
		small := e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { hi := 9; in.MaxAge = &hi })
		_, err = e.svc.ClaimTicket(resident(e.larvik, f.child), f.card.ID, small.ID, nil)
		wantCode(t, err, apperr.NotEligible, "offerId")
		// An anonymous card has no age.
		a := card("")
		if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, teens.ID, access(a)); err != nil {
			t.Errorf("anonymous card: %v", err)
		}
	})

	t.Run("LimitReached", func(t *testing.T) {
		o := e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { in.PerCardLimit = 2 })
		a := card("")
		for range 2 {
			if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
		ae := wantCode(t, err, apperr.LimitReached, "offerId")
		if ae.MessageID != "TicketLimitReached" || ae.Data["Limit"] != 2 {
			t.Errorf("err = %+v", ae)
		}
	})

	t.Run("AllowanceUsed", func(t *testing.T) {
		a := card("allowance = 2")
		for range 2 {
			o := e.tkOffer(org, []*Programme{p}, 10)
			if _, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.ClaimTicket(ctx, a.Card.ID, open.ID, access(a))
		wantCode(t, err, apperr.AllowanceUsed, "cardId")
	})
}

// TestClaimRace claims one offer with 100 released tickets from 1,000 cards at once:
// exactly 100 get one, every other claim is SOLD_OUT, and the counter agrees.
func TestClaimRace(t *testing.T) {
	e := newEnv(t)
	p := e.programme(nil, func(in *ProgrammeInput) { in.CardsAvailable = 1000 })
	cards := e.anonCards(p, 1000)
	o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, 100)
	ctx := anonymous(e.larvik)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[apperr.Code]int{}
	start := make(chan struct{})
	for _, a := range cards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
			mu.Lock()
			got[apperr.CodeOf(err)]++
			mu.Unlock()
			if err != nil && apperr.CodeOf(err) != apperr.SoldOut {
				t.Errorf("claim: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if got[""] != 100 || got[apperr.SoldOut] != 900 {
		t.Errorf("outcomes = %v, want 100 tickets and 900 SOLD_OUT", got)
	}
	if n := e.claimed(o); n != 100 {
		t.Errorf("claimed = %d", n)
	}
	if n := e.count("SELECT count(*) FROM card_tickets WHERE offer_id = ?", o.ID); n != 100 {
		t.Errorf("%d tickets", n)
	}
	if n := e.count("SELECT count(DISTINCT card_id) FROM card_tickets WHERE offer_id = ?", o.ID); n != 100 {
		t.Errorf("%d cards hold the tickets", n)
	}
}

func TestAllocateTicket(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	p := e.programme([]*Agency{nav, school})
	cw := e.caseworker(nav)
	f := e.family(p, cw)
	o := e.tkOffer(e.organisation("bowling"), []*Programme{p}, 10, func(in *OfferInput) { in.PerCardLimit = 3 })

	tk, err := e.svc.AllocateTicket(cw, f.card.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cwID uuid.UUID
	if err := e.db.QueryRowContext(context.Background(), "SELECT allocated_by FROM card_tickets WHERE id = ?", tk.ID).Scan(&cwID); err != nil {
		t.Fatal(err)
	}
	if tk.AllocatedBy == nil || *tk.AllocatedBy != cwID || tk.Payload == "" {
		t.Errorf("ticket = %+v", tk)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'allocate_card_ticket' AND item_id = ?", tk.ID); n != 1 {
		t.Errorf("%d audit entries", n)
	}
	if _, err := e.svc.AllocateTicket(e.coord, f.card.ID, o.ID); err != nil {
		t.Errorf("coordinator: %v", err)
	}
	a := e.anonCards(p, 1)[0]
	if _, err := e.svc.AllocateTicket(e.coord, a.Card.ID, o.ID); err != nil {
		t.Errorf("coordinator, anonymous card: %v", err)
	}

	t.Run("Authorisation", func(t *testing.T) {
		_, err := e.svc.AllocateTicket(e.caseworker(school), f.card.ID, o.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.AllocateTicket(cw, a.Card.ID, o.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.AllocateTicket(e.admin, f.card.ID, o.ID)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.AllocateTicket(resident(e.larvik, f.mother), f.card.ID, o.ID)
		wantCode(t, err, apperr.Unauthenticated)
		_, err = e.svc.AllocateTicket(anonymous(e.larvik), f.card.ID, o.ID)
		wantCode(t, err, apperr.Unauthenticated)
		sf := e.municipality("sandefjord")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		_, err = e.svc.AllocateTicket(sfCoord, f.card.ID, o.ID)
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("FindCardTickets", func(t *testing.T) {
		for _, ctx := range []context.Context{cw, e.coord} {
			if list, err := e.svc.FindCardTickets(ctx, f.card.ID, nil); err != nil || len(list) != 2 {
				t.Errorf("%d tickets, %v", len(list), err)
			}
		}
		_, err := e.svc.FindCardTickets(e.caseworker(school), f.card.ID, nil)
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.FindCardTickets(e.admin, f.card.ID, nil)
		wantCode(t, err, apperr.Forbidden)
	})

	t.Run("SameChecks", func(t *testing.T) {
		if _, err := e.svc.AllocateTicket(cw, f.card.ID, o.ID); err != nil { // the third of three
			t.Fatal(err)
		}
		_, err := e.svc.AllocateTicket(cw, f.card.ID, o.ID)
		wantCode(t, err, apperr.LimitReached, "offerId")
	})
}

func TestCancelTicket(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	p := e.programme([]*Agency{nav, school})
	cw := e.caseworker(nav)
	f := e.family(p, cw)
	o := e.tkOffer(e.organisation("teater"), []*Programme{p}, 10)
	ctx := resident(e.larvik, f.mother)

	tk, err := e.svc.ClaimTicket(ctx, f.card.ID, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CancelTicket(resident(e.larvik, e.guardian()), tk.ID, nil)
	wantCode(t, err, apperr.NotFound)
	_, err = e.svc.CancelTicket(e.caseworker(school), tk.ID, nil)
	wantCode(t, err, apperr.NotFound)
	_, err = e.svc.CancelTicket(anonymous(e.larvik), tk.ID, nil)
	wantCode(t, err, apperr.Unauthenticated)
	_, err = e.svc.CancelTicket(e.admin, tk.ID, nil)
	wantCode(t, err, apperr.Forbidden)

	got, err := e.svc.CancelTicket(ctx, tk.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != TicketCancelled || got.CancelledAt == nil {
		t.Errorf("ticket = %+v", got)
	}
	if n := e.claimed(o); n != 0 {
		t.Errorf("claimed = %d after cancelling, want the stock back", n)
	}
	_, err = e.svc.CancelTicket(ctx, tk.ID, nil)
	wantCode(t, err, apperr.TicketNotCancellable, "ticketId", "CANCELLED")
	// The per-card limit counts only tickets that are not cancelled.
	again, err := e.svc.ClaimTicket(ctx, f.card.ID, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ByStaff", func(t *testing.T) {
		if _, err := e.svc.CancelTicket(cw, again.ID, nil); err != nil {
			t.Errorf("caseworker of the card's agency: %v", err)
		}
		a := e.anonCards(p, 1)[0]
		byCoord, err := e.svc.AllocateTicket(e.coord, a.Card.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CancelTicket(cw, byCoord.ID, nil)
		wantCode(t, err, apperr.NotFound)
		if _, err := e.svc.CancelTicket(anonymous(e.larvik), byCoord.ID, access(a)); err != nil {
			t.Errorf("holder with number and PIN: %v", err)
		}
	})

	t.Run("RedeemedOrExpired", func(t *testing.T) {
		a := e.anonCards(p, 2)
		used, err := e.svc.AllocateTicket(e.coord, a[0].Card.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.exec("UPDATE card_tickets SET status = 'REDEEMED', redeemed_at = now() WHERE id = ?", used.ID)
		_, err = e.svc.CancelTicket(e.coord, used.ID, nil)
		wantCode(t, err, apperr.TicketNotCancellable, "ticketId", "REDEEMED")
		old, err := e.svc.AllocateTicket(e.coord, a[1].Card.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.exec("UPDATE card_tickets SET claimed_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = ?", old.ID)
		_, err = e.svc.CancelTicket(e.coord, old.ID, nil)
		wantCode(t, err, apperr.TicketNotCancellable, "ticketId", "EXPIRED")
		if n := e.claimed(o); n != 2 {
			t.Errorf("claimed = %d, want the used and the expired ticket", n)
		}
	})
}
