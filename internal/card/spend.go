package card

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// AcceptInvoice accepts a POSTED invoice against its card, wholly (amountOre nil or the
// invoice's amount) or in part (the family pays the rest directly), and spends that from
// the card in the same transaction. Who may: the card's holder (access as in ClaimTicket,
// or signed in with ID-porten as the holder or a guardian), a caseworker of the agency
// that issued the card, card coordinators and administrators. Concurrent acceptances on
// one card take turns: the balance never goes below zero. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, RATE_LIMITED, CONFLICT naming "id" (no longer POSTED),
// CARD_NOT_ACTIVE or CARD_EXPIRED naming "cardId", BAD_USER_INPUT naming "amountOre"
// (reason NOT_POSITIVE, TOO_LARGE, ABOVE_INVOICE, or INSUFFICIENT_BALANCE when the
// balance does not cover it; nothing is written).
func (s *Service) AcceptInvoice(ctx context.Context, id uuid.UUID, amountOre *int64, access *CardAccess) (
	*Invoice, error,
) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	if amountOre != nil {
		if err := checkAmount(*amountOre, "amountOre"); err != nil {
			return nil, err
		}
	}
	if access != nil {
		return s.acceptByNumber(ctx, c, id, amountOre, access)
	}
	agency, cardID, err := s.mayDecideInvoice(ctx, c, id, access)
	if err != nil {
		return nil, err
	}
	r := &spendRequest{c: c, id: id, cardID: cardID, amountOre: amountOre, agency: agency,
		requestID: httpserver.RequestIDFromContext(ctx)}
	if err := s.acceptOnCard(ctx, cardID, r); err != nil {
		return nil, err
	}
	return r.paid, nil
}

// errAboveInvoice refuses to accept more than the invoice's amount.
func errAboveInvoice(amountOre int64) error {
	return apperr.Invalid("amountOre", "AcceptAboveInvoice", map[string]any{"Amount": kroner(amountOre)}).
		WithReason("ABOVE_INVOICE")
}

// mayDecideInvoice returns nil when the caller may accept or decline the invoice: its
// card's holder (access, or ID-porten), card coordinators and administrators, or a
// caseworker, whose agency it returns (their agency must have issued the card). It returns
// the card the invoice must be on: a holder by number and PIN decides only for that card,
// which the lock checks (checkLocked). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// RATE_LIMITED.
func (s *Service) mayDecideInvoice(ctx context.Context, c caller, id uuid.UUID, access *CardAccess) (
	agency *uuid.UUID, cardID uuid.UUID, err error,
) {
	signedIn := access == nil && c.v != nil && c.v.User != nil
	switch {
	case access != nil:
		// SECURITY: the card's holder by number and PIN, checked and throttled by
		// CardByNumber; the invoice must be on that card (checkLocked).
		card, err := s.CardByNumber(ctx, access.Number, access.PIN)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, cardID, apperr.NotFoundf("invoice")
		}
		if err != nil {
			return nil, cardID, err
		}
		return nil, card.ID, nil
	case signedIn && c.staff():
		// SECURITY: card coordinators and administrators decide for every card.
	case signedIn && c.has(auth.RoleCaseworker):
		// SECURITY: a caseworker for the cards of their own agency (checked with the lock).
		ag, err := caseworkerAgency(ctx, s.db, c)
		if err != nil {
			return nil, cardID, err
		}
		agency = &ag.ID
	case signedIn && c.v.Identity == nil:
		return nil, cardID, apperr.New(apperr.Forbidden, "")
	}
	// SECURITY: only an invoice of the request's municipality.
	err = s.db.NewSelect().
		Table("card_invoices").
		Column("card_id").
		Where("id = ? AND municipality_id = ?", id, c.mid()).
		Scan(ctx, &cardID)
	if errors.Is(err, sql.ErrNoRows) && c.v == nil {
		return nil, cardID, apperr.New(apperr.Unauthenticated, "")
	}
	if err != nil {
		return nil, cardID, database.MapError(err, "find invoice", "invoice")
	}
	if signedIn && (c.staff() || c.has(auth.RoleCaseworker)) {
		return agency, cardID, nil
	}
	// SECURITY: the card's holder or their guardian, by identity.
	if err := s.holdsCard(ctx, c, cardID, nil); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, cardID, apperr.NotFoundf("invoice")
		}
		return nil, cardID, err
	}
	return nil, cardID, nil
}

// DeclineInvoice declines a POSTED invoice: the card does not pay it (who may: as
// AcceptInvoice). The reason, if given, is shown to the provider. Errors: as
// AcceptInvoice, but no amount; BAD_USER_INPUT naming "reason" (TOO_LONG).
func (s *Service) DeclineInvoice(ctx context.Context, id uuid.UUID, reason string, access *CardAccess) (*Invoice, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	why, err := checkReason(reason, "reason", false)
	if err != nil {
		return nil, err
	}
	agency, cardID, err := s.mayDecideInvoice(ctx, c, id, access)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		_, err := s.lockInvoice(ctx, tx, c, id, cardID, agency)
		if code := apperr.CodeOf(err); err != nil && code != apperr.CardNotActive && code != apperr.CardExpired {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE card_invoices
			SET status = ?, decline_reason = ?, decided_by = ?, decided_at = ?
			WHERE id = ?`, InvoiceDeclined, why, c.actor(), s.now(), id)
		if err != nil {
			return database.MapError(err, "decline invoice", "invoice")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "decline_card_invoice",
			ItemType: "CardInvoice", ItemID: &id, Fields: []string{"status", "declineReason"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findInvoice(ctx, s.db, c, id)
}

// ReverseInvoice gives an accepted invoice's money back to its card (card coordinators
// and administrators), as a REVERSAL entry with the written reason: when the provider
// has refunded the fee, say. The money goes back to where it came from: what came from
// credits past their last day of use is written off again. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "reason" (REQUIRED, TOO_LONG), CONFLICT
// naming "id" (not ACCEPTED or PARTLY_ACCEPTED).
func (s *Service) ReverseInvoice(ctx context.Context, id uuid.UUID, reason string) (*Invoice, error) {
	// SECURITY: the programme's staff reverse spends.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	why, err := checkReason(reason, "reason", true)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		inv, err := s.findInvoice(ctx, tx, c, id)
		if err != nil {
			return err
		}
		// The card and the invoice in one statement, as an acceptance locks them, so the two
		// never wait on each other in turn.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM card_invoices i JOIN cards c ON c.id = i.card_id
			WHERE i.id = ? FOR UPDATE OF c, i`, id); err != nil {
			return database.MapError(err, "lock invoice", "invoice")
		}
		if err := tx.NewSelect().Model(inv).WherePK().For("UPDATE").Scan(ctx); err != nil {
			return database.MapError(err, "find invoice", "invoice")
		}
		if inv.Status != InvoiceAccepted && inv.Status != InvoicePartlyAccepted {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "InvoiceNotAccepted", Field: "id", Reason: string(inv.Status)}
		}
		e := &LedgerEntry{ID: newID(), MunicipalityID: c.mid(), CardID: inv.CardID, ProgrammeID: inv.ProgrammeID,
			Kind: LedgerReversal, AmountOre: *inv.AcceptedOre, InvoiceID: &inv.ID, ActorID: c.actor(), Note: why,
			CreatedAt: s.now()}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return database.MapError(err, "reverse spend", "card")
		}
		_, err = tx.ExecContext(ctx, "UPDATE card_invoices SET status = ? WHERE id = ?", InvoiceReversed, id)
		if err != nil {
			return database.MapError(err, "reverse invoice", "invoice")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "reverse_card_invoice",
			ItemType: "CardInvoice", ItemID: &id, Fields: []string{"status", "balance"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findInvoice(ctx, s.db, c, id)
}
