package card

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

func intp(v int) *int { return &v }

func TestOfferUseSettingsBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	org := e.organisation("kino")
	base := func() OfferInput {
		return OfferInput{OrganisationID: org, ProgrammeIDs: []uuid.UUID{p.ID}, Texts: []OfferText{{Locale: "nb", Title: "Kino"}},
			Stock: 10, PerCardLimit: 1, Admits: 1, ValidFrom: time.Now(), ValidTo: time.Now().AddDate(0, 0, 30),
			Source: SourceDonated}
	}
	for _, tc := range []struct {
		name   string
		change func(*OfferInput)
		field  string
		msg    string
	}{
		{"NegativeDays", func(in *OfferInput) { in.ExpireUnusedDaysBefore = intp(-1) }, "input.expireUnusedDaysBefore", "NotNegative"},
		{"AbsurdDays", func(in *OfferInput) { in.ExpireUnusedDaysBefore = intp(4000) }, "input.expireUnusedDaysBefore", "NumberTooLarge"},
		{"DaysBeforeItOpens", func(in *OfferInput) { in.ExpireUnusedDaysBefore = intp(40) }, "input.expireUnusedDaysBefore",
			"UnusedExpiryBeforeOpening"},
		{"NegativeHours", func(in *OfferInput) { in.CancelHoursBefore = intp(-2) }, "input.cancelHoursBefore", "NotNegative"},
		{"AbsurdHours", func(in *OfferInput) { in.CancelHoursBefore = intp(100000) }, "input.cancelHoursBefore", "NumberTooLarge"},
		{"NoHold", func(in *OfferInput) { in.WaitingHoldHours = intp(0) }, "input.waitingHoldHours", "AtLeast"},
		{"AbsurdHold", func(in *OfferInput) { in.WaitingHoldHours = intp(10000) }, "input.waitingHoldHours", "NumberTooLarge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.change(&in)
			_, err := e.svc.SaveOffer(e.coord, in)
			if got := wantCode(t, err, apperr.BadUserInput, tc.field); got.MessageID != tc.msg {
				t.Errorf("message %q, want %q", got.MessageID, tc.msg)
			}
		})
	}
	in := base()
	in.ExpireUnusedDaysBefore, in.CancelHoursBefore, in.WaitingHoldHours = intp(7), intp(24), intp(12)
	o, err := e.svc.SaveOffer(e.coord, in)
	if err != nil || *o.ExpireUnusedDaysBefore != 7 || *o.CancelHoursBefore != 24 || o.WaitingHoldHours != 12 {
		t.Fatalf("%+v %v", o, err)
	}
	if got := o.UnusedExpireAt(); got == nil || !got.Equal(o.ValidTo.AddDate(0, 0, -7)) {
		t.Errorf("unused tickets expire %v", got)
	}
	if got := o.CancellableUntil(); got == nil || !got.Equal(o.ValidTo.Add(-24*time.Hour)) {
		t.Errorf("cancellable until %v", got)
	}
}

// TestUnusedTicketsExpireEarly expires a ticket claimed early and unused N days before
// its offer ends: its unit goes to the waiting list first, then to the stock, where
// another card claims it; a ticket claimed after that point lasts to the end.
func TestUnusedTicketsExpireEarly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	ctx := anonymous(e.larvik)
	o := e.tkOffer(e.organisation("badeland"), []*Programme{p}, 2, func(in *OfferInput) {
		in.ValidTo = time.Now().AddDate(0, 0, 30)
		in.ExpireUnusedDaysBefore = intp(10)
	})
	cards := e.anonCards(p, 4)
	var tks []*Ticket
	for _, a := range cards[:2] {
		tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
		if err != nil {
			t.Fatal(err)
		}
		tks = append(tks, tk)
	}
	cut := o.ValidTo.AddDate(0, 0, -10)
	if !tks[0].ExpiresAt.Equal(cut) {
		t.Fatalf("expires %v, want %v", tks[0].ExpiresAt, cut)
	}
	w := e.join(o, cards[2])

	// The job runs at the service's clock, a minute past the cut.
	e.svc.now = func() time.Time { return cut.Add(time.Minute) }
	res, err := e.svc.ExpireTicketsAndCards(context.Background(), e.svc.now())
	if err != nil || res.Tickets != 2 || res.Returned != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if got := e.place(w.ID); got.Status != WaitingOffered {
		t.Errorf("the first in line: %+v", got)
	}
	if n := e.claimed(o); n != 1 {
		t.Errorf("claimed = %d: one unit held, one back in the stock", n)
	}
	e.checkSlots(o)
	later := cut.Add(time.Hour)
	e.svc.now = func() time.Time { return later }
	tk, err := e.svc.ClaimTicket(ctx, cards[3].Card.ID, o.ID, access(cards[3]))
	if err != nil || !tk.ExpiresAt.Equal(o.ValidTo) {
		t.Fatalf("a ticket claimed after the cut lasts to the end: %+v %v", tk, err)
	}
	// The expired tickets still count against the cards' limits.
	_, err = e.svc.ClaimTicket(ctx, cards[0].Card.ID, o.ID, access(cards[0]))
	wantCode(t, err, apperr.LimitReached)
}

// TestChangingExpiryMovesTickets sets expireUnusedDaysBefore on an offer with claimed
// tickets: they expire earlier too.
func TestChangingExpiryMovesTickets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	org := e.organisation("badeland")
	in := OfferInput{OrganisationID: org, ProgrammeIDs: []uuid.UUID{p.ID}, Texts: []OfferText{{Locale: "nb", Title: "Bad"}},
		Stock: 10, PerCardLimit: 1, Admits: 1, ValidFrom: time.Now().Add(-time.Hour), ValidTo: time.Now().AddDate(0, 0, 30),
		Source: SourceDonated}
	o, err := e.svc.SaveOffer(e.coord, in)
	if err != nil {
		t.Fatal(err)
	}
	e.svc.ReleaseStock(e.coord, o.ID, 5)
	e.svc.SetOfferStatus(e.coord, o.ID, OfferPublished)
	a := e.anonCards(p, 1)[0]
	tk, err := e.svc.ClaimTicket(anonymous(e.larvik), a.Card.ID, o.ID, access(a))
	if err != nil {
		t.Fatal(err)
	}
	in.ID, in.ExpireUnusedDaysBefore = &o.ID, intp(5)
	if _, err := e.svc.SaveOffer(e.coord, in); err != nil {
		t.Fatal(err)
	}
	var expires time.Time
	e.db.QueryRowContext(context.Background(), "SELECT expires_at FROM card_tickets WHERE id = ?", tk.ID).Scan(&expires)
	if !expires.Equal(o.ValidTo.AddDate(0, 0, -5)) {
		t.Errorf("expires %v", expires)
	}
}

// TestCancelDeadline refuses the holder's cancel past the offer's deadline, and lets a
// card coordinator cancel still.
func TestCancelDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	ctx := anonymous(e.larvik)
	event := time.Now().Add(10 * time.Hour)
	strict := e.tkOffer(e.organisation("teater"), []*Programme{p}, 5, func(in *OfferInput) {
		in.EventAt, in.CancelHoursBefore = &event, intp(24)
	})
	loose := e.tkOffer(e.organisation("kino"), []*Programme{p}, 5, func(in *OfferInput) {
		in.EventAt, in.CancelHoursBefore = &event, intp(2)
	})
	cards := e.anonCards(p, 2)
	claim := func(o *Offer, a *AnonymousCard) *Ticket {
		tk, err := e.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a))
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	tk := claim(strict, cards[0])
	_, err := e.svc.CancelTicket(ctx, tk.ID, access(cards[0]))
	if e := wantCode(t, err, apperr.TicketNotCancellable, "ticketId", "DEADLINE_PASSED"); e.MessageID != "TicketCancelDeadlinePassed" {
		t.Errorf("message %q", e.MessageID)
	}
	if n := e.count("SELECT count(*) FROM card_tickets WHERE id = ? AND status = 'CLAIMED'", tk.ID); n != 1 {
		t.Error("the refused cancel changed the ticket")
	}
	if _, err := e.svc.CancelTicket(e.coord, tk.ID, nil); err != nil {
		t.Errorf("a card coordinator after the deadline: %v", err)
	}
	if _, err := e.svc.CancelTicket(ctx, claim(loose, cards[1]).ID, access(cards[1])); err != nil {
		t.Errorf("before the deadline: %v", err)
	}
}
