package card

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Tickets that get used: an offer may expire its unused tickets some days before it ends,
// so their stock goes back (to its waiting list first) while others can still use it, and
// may set a deadline for cancelling. The expiry job (ExpireTicketsAndCards) does the
// expiring, returns that stock and reminds the holders who asked for reminders.

// Limits on the settings of an offer's ticket use.
const (
	maxExpireUnusedDays   = 365
	maxCancelHoursBefore  = 24 * 365
	maxWaitingHoldHours   = 24 * 14
	defaultWaitingHoldHrs = 48
)

// offerEnd is when the tickets of o stop working: the end of its window, or the event's
// time when that is later.
func offerEnd(o *Offer) time.Time {
	if o.EventAt != nil && o.EventAt.After(o.ValidTo) {
		return *o.EventAt
	}
	return o.ValidTo
}

// offerCloses is when claims on o close: the end of its window, or the event's time when
// that is sooner (see offerClaimable).
func offerCloses(o *Offer) time.Time {
	if o.EventAt != nil && o.EventAt.Before(o.ValidTo) {
		return *o.EventAt
	}
	return o.ValidTo
}

// UnusedExpireAt returns when the unused tickets of the offer claimed before it expire
// (ExpireUnusedDaysBefore days before the offer ends), or nil when they last to the end.
func (o *Offer) UnusedExpireAt() *time.Time {
	if o.ExpireUnusedDaysBefore == nil || *o.ExpireUnusedDaysBefore == 0 {
		return nil
	}
	cut := offerEnd(o).AddDate(0, 0, -*o.ExpireUnusedDaysBefore)
	return &cut
}

// ticketExpiry is when a ticket of o claimed at claimedAt stops working: the offer's end
// (offerEnd), or its UnusedExpireAt for a ticket claimed before that.
func ticketExpiry(o *Offer, claimedAt time.Time) time.Time {
	if cut := o.UnusedExpireAt(); cut != nil && claimedAt.Before(*cut) {
		return *cut
	}
	return offerEnd(o)
}

// CancellableUntil returns the last moment a holder may cancel a ticket of the offer:
// CancelHoursBefore hours before the event, or before ValidTo for an offer without one;
// nil when the offer sets no deadline.
func (o *Offer) CancellableUntil() *time.Time {
	if o.CancelHoursBefore == nil {
		return nil
	}
	ref := o.ValidTo
	if o.EventAt != nil {
		ref = *o.EventAt
	}
	d := ref.Add(-time.Duration(*o.CancelHoursBefore) * time.Hour)
	return &d
}

// reexpireTickets gives the claimed tickets of o the expiry its settings give them now
// (after a change of its window or of ExpireUnusedDaysBefore); a ticket whose new expiry
// is past is left for the expiry job, which expires it and returns its stock.
func reexpireTickets(ctx context.Context, tx bun.IDB, o *Offer) error {
	end := offerEnd(o)
	cut := end
	if c := o.UnusedExpireAt(); c != nil {
		cut = *c
	}
	_, err := tx.ExecContext(ctx, `UPDATE card_tickets SET expires_at = x.expires_at
		FROM (SELECT id, CASE WHEN claimed_at < ?1 THEN ?1::timestamptz ELSE ?2::timestamptz END AS expires_at
			FROM card_tickets WHERE offer_id = ?0 AND status = 'CLAIMED') x
		WHERE card_tickets.id = x.id AND x.expires_at > card_tickets.claimed_at
		AND x.expires_at <> card_tickets.expires_at`, o.ID, cut, end)
	return database.MapError(err, "set ticket expiry", "ticket")
}

// inputCheck is a rule an input must keep: when bad, BAD_USER_INPUT on field with the
// message msg and its data.
type inputCheck struct {
	bad   bool
	field string
	msg   string
	data  map[string]any
}

// useChecks are the rules of an offer's ticket-use settings.
func useChecks(in OfferInput) []inputCheck {
	expire, cancel, hold := in.ExpireUnusedDaysBefore, in.CancelHoursBefore, in.WaitingHoldHours
	o := &Offer{ValidTo: in.ValidTo, EventAt: in.EventAt, ExpireUnusedDaysBefore: expire}
	cut := o.UnusedExpireAt()
	return []inputCheck{
		{expire != nil && *expire < 0, "input.expireUnusedDaysBefore", "NotNegative", nil},
		{expire != nil && *expire > maxExpireUnusedDays, "input.expireUnusedDaysBefore", "NumberTooLarge",
			map[string]any{"Max": maxExpireUnusedDays}},
		{cut != nil && !cut.After(in.ValidFrom), "input.expireUnusedDaysBefore", "UnusedExpiryBeforeOpening", nil},
		{cancel != nil && *cancel < 0, "input.cancelHoursBefore", "NotNegative", nil},
		{cancel != nil && *cancel > maxCancelHoursBefore, "input.cancelHoursBefore", "NumberTooLarge",
			map[string]any{"Max": maxCancelHoursBefore}},
		{hold != nil && *hold < 1, "input.waitingHoldHours", "AtLeast", map[string]any{"Min": 1}},
		{hold != nil && *hold > maxWaitingHoldHours, "input.waitingHoldHours", "NumberTooLarge",
			map[string]any{"Max": maxWaitingHoldHours}},
	}
}

// beforeCancelDeadline refuses to cancel t at now past its offer's cancelling deadline,
// unless a card coordinator does, who runs the programme's tickets. Errors:
// TICKET_NOT_CANCELLABLE naming "ticketId" with reason DEADLINE_PASSED.
func beforeCancelDeadline(ctx context.Context, tx bun.IDB, c caller, t *Ticket, now time.Time) error {
	if c.has(auth.RoleCardCoordinator) {
		return nil
	}
	o := new(Offer)
	err := tx.NewSelect().Model(o).Column("o.valid_to", "o.event_at", "o.cancel_hours_before").
		Where("o.id = ?", t.OfferID).Scan(ctx)
	if err != nil {
		return database.MapError(err, "find offer", "offer")
	}
	if d := o.CancellableUntil(); d != nil && !now.Before(*d) {
		return &apperr.Error{Code: apperr.TicketNotCancellable, MessageID: "TicketCancelDeadlinePassed", Field: "ticketId",
			Reason: "DEADLINE_PASSED", Data: map[string]any{"Deadline": d.Format(time.RFC3339)}}
	}
	return nil
}
