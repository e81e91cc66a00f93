package card

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// runClaim runs take, one claim, in a transaction of its own.
func (s *Service) runClaim(ctx context.Context, take func(context.Context, bun.Tx) (*Ticket, error)) (*Ticket, error) {
	var t *Ticket
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) (err error) {
		t, err = take(ctx, tx)
		return err
	})
	return t, err
}

// slotBusy is takeTicket's answer when every slot of the offer that has stock is locked by
// another transaction: claim waits for the one named, then tries again.
type slotBusy struct {
	offerID uuid.UUID
	slot    int16
}

func (b *slotBusy) Error() string {
	return fmt.Sprintf("stock slot %d of offer %s is busy", b.slot, b.offerID)
}

// errCodeClash is takeTicket's answer when the fresh door code is another ticket's
// already; with 50 random bits it all but never is. Nothing was written.
var errCodeClash = errors.New("the new ticket's code is taken")

// ticketCodeAttempts is how many fresh codes a claim tries.
const ticketCodeAttempts = 5

// claim runs attempt (one claim in a transaction of its own) until it takes a ticket or
// refuses. When the only stock left is in slots other claims hold, it waits, outside any
// transaction and so holding no lock another claim could wait for, until the slot named is
// free, and runs attempt again: the slot may still have stock (the other claim rolled back)
// or not. A claim never waits for a slot while it holds one, so claims cannot deadlock on
// slots. On a clash of door codes it tries again with another.
func (s *Service) claim(ctx context.Context, attempt func(context.Context) (*Ticket, error)) (*Ticket, error) {
	for clashes := 0; ; {
		t, err := attempt(ctx)
		var busy *slotBusy
		switch {
		case errors.As(err, &busy):
			_, err = s.db.DB.ExecContext(ctx,
				"SELECT FROM card_offer_stock_slots WHERE offer_id = $1 AND slot = $2 FOR SHARE", busy.offerID, busy.slot)
			if err != nil {
				return nil, database.MapError(err, "wait for stock", "offer")
			}
		case errors.Is(err, errCodeClash):
			if clashes++; clashes == ticketCodeAttempts {
				return nil, errors.New("insert ticket: no free code")
			}
		default:
			return t, err
		}
	}
}
