package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// An acceptance by an anonymous card's number and PIN takes the round trips of a claim by
// them: the attempt recorded against the number (newCardAttempt), BEGIN,
// invoiceByNumberSQL (the throttle's counts, the card with the number, and the invoice and
// its card locked when the invoice is on that card), spendsSQL, COMMIT, and the attempt
// taken back. A holder does not storm their own card, so these are not gathered into
// group commits (acceptOnCard); the card's lock keeps the balance from going below zero
// all the same.

// invoiceByNumberSQL is lockInvoicesSQL for an acceptance of invoice $8 with an anonymous
// card's number and PIN: first the failure counts and the card with the number ($1 to $7
// as in cardByNumberSQL), so the throttle and the PIN are checked before anything else, in
// the same round trip. The invoice and its card are locked only when the invoice is on
// the card with the number.
const invoiceByNumberSQL = `SELECT f.number_failures, f.number_oldest, f.client_failures, f.client_oldest,
	n.id IS NOT NULL AS found, n.id AS numbered_id, n.pin_hash AS numbered_pin_hash, i.*
FROM ` + pinFailuresSQL + `
LEFT JOIN cards n ON n.municipality_id = $1 AND n.number = $6 AND n.kind = $7
LEFT JOIN LATERAL (SELECT i.*, c.status AS card_status, c.valid_from, c.valid_to, c.agency_id
	FROM card_invoices i JOIN cards c ON c.id = i.card_id
	WHERE i.id = $8 AND i.municipality_id = $1 AND i.card_id = n.id FOR UPDATE OF c, i) AS i ON true`

// numberedInvoice is what invoiceByNumberSQL returns: the throttle's counts, the card with
// the number, if any, and the invoice locked, if it is on that card.
type numberedInvoice struct {
	pinCheck      `bun:",extend"`
	NumberedID    *uuid.UUID `bun:"numbered_id,scanonly"`
	PINHash       []byte     `bun:"numbered_pin_hash,scanonly"`
	lockedInvoice `bun:",extend"`
}

// acceptByNumber is AcceptInvoice for the holder of an anonymous card, opened with its
// number and PIN in the acceptance's transaction.
func (s *Service) acceptByNumber(ctx context.Context, c caller, id uuid.UUID, amountOre *int64, access *CardAccess) (
	*Invoice, error,
) {
	a, err := s.newCardAttempt(ctx, c, access.Number, access.PIN)
	if err != nil {
		return nil, err
	}
	r := &spendRequest{c: c, id: id, amountOre: amountOre, requestID: httpserver.RequestIDFromContext(ctx)}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		row := new(numberedInvoice)
		// SECURITY: only an invoice of the request's municipality, on the card with the number.
		rows, err := tx.Tx.QueryContext(ctx, invoiceByNumberSQL, append(a.args(), id)...)
		if err != nil {
			return database.MapError(err, "find invoice", "invoice")
		}
		if err := s.db.ScanRows(ctx, rows, row); err != nil {
			return database.MapError(err, "find invoice", "invoice")
		}
		if row.NumberedID != nil {
			r.cardID = *row.NumberedID
		}
		// SECURITY: number and PIN, checked and throttled as CardByNumber does; only the
		// invoices of the card they open (checkLocked).
		if err := s.open(a, &row.pinCheck, r.cardID, row.PINHash); err != nil {
			return err
		}
		var locked *lockedInvoice
		if row.ID != uuid.Nil {
			locked = &row.lockedInvoice
		}
		inv, ore, err := s.checkAcceptance(r, locked)
		if err != nil {
			return err
		}
		var w spendsWrite
		w.add(0, r, inv, ore)
		outcome := []error{nil}
		if err := w.run(ctx, tx, s, c, []*spendRequest{r}, outcome); err != nil {
			return err
		}
		return outcome[0]
	})
	if err != nil {
		return nil, s.failed(ctx, a, err) // a wrong PIN is counted once the acceptance has rolled back
	}
	a.release()
	return r.paid, nil
}
