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

// An acceptance is four round trips, as a claim is: BEGIN, lockInvoiceSQL (the card and the
// invoice locked and read), spendSQL (the balance counted, what has expired written off,
// the spend written, the invoice marked and audited) and COMMIT. The card's row lock, held
// to the commit, makes one card's spends take turns, and spendSQL, a statement after the
// lock, counts every spend committed before it: the balance can never go below zero.

// lockInvoiceSQL locks an invoice ($1, of municipality $2) and its card, card first, and
// reads what an acceptance checks.
const lockInvoiceSQL = `SELECT i.card_id, i.programme_id, i.amount_ore, i.status,
	c.status, c.valid_from, c.valid_to, c.agency_id
FROM card_invoices i JOIN cards c ON c.id = i.card_id
WHERE i.id = $1 AND i.municipality_id = $2 FOR UPDATE OF c, i`

// spendSQL counts the card's ($1) balance on day $2 (a date), writes off what has expired
// (entry $6), and, when the balance covers the amount ($7), writes the spend (entry $5) for
// invoice $8, marks the invoice accepted ($11: ACCEPTED or PARTLY_ACCEPTED) and audits it
// ($12, request $13). Returns the balance before and whether the spend was written.
var spendSQL = `WITH agg AS (
	SELECT coalesce(sum(e.amount_ore), 0) AS total, ` + pendingExpiry("e", "$2::date") + ` AS pending
	FROM card_ledger_entries e WHERE e.card_id = $1
), expiry AS (
	INSERT INTO card_ledger_entries (id, municipality_id, card_id, programme_id, kind, amount_ore, created_at)
	SELECT $6::uuid, $3::uuid, $1::uuid, $4::uuid, 'EXPIRY', -agg.pending, $10::timestamptz FROM agg WHERE agg.pending > 0
), spend AS (
	INSERT INTO card_ledger_entries (id, municipality_id, card_id, programme_id, kind, amount_ore, invoice_id, actor_id,
		created_at)
	SELECT $5::uuid, $3::uuid, $1::uuid, $4::uuid, 'SPEND', -$7::bigint, $8::uuid, $9::uuid, $10::timestamptz
	FROM agg WHERE agg.total - agg.pending >= $7::bigint RETURNING id
), invoice AS (
	UPDATE card_invoices SET status = $11::text, accepted_ore = $7::bigint, decided_by = $9::uuid,
		decided_at = $10::timestamptz
	WHERE id = $8::uuid AND EXISTS (SELECT 1 FROM spend) RETURNING id
), entry AS (
	INSERT INTO audit_log (id, municipality_id, actor_id, action, item_type, item_id, fields, request_id)
	SELECT $12::uuid, $3::uuid, $9::uuid, 'accept_card_invoice', 'CardInvoice', invoice.id, '{status,acceptedOre}',
		$13::text
	FROM invoice
)
SELECT agg.total - agg.pending, EXISTS (SELECT 1 FROM spend) FROM agg`

// lockedInvoice is an invoice and its card, as an acceptance reads them locked.
type lockedInvoice struct {
	CardID, ProgrammeID uuid.UUID
	AmountOre           int64
	Status              InvoiceStatus
	Card                Card
}

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
	agency, err := s.mayDecideInvoice(ctx, c, id, access)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		inv, err := s.lockInvoice(ctx, tx, c, id, agency)
		if err != nil {
			return err
		}
		ore := inv.AmountOre
		if amountOre != nil {
			ore = *amountOre
		}
		if ore > inv.AmountOre {
			return apperr.Invalid("amountOre", "AcceptAboveInvoice", map[string]any{"Amount": kroner(inv.AmountOre)}).
				WithReason("ABOVE_INVOICE")
		}
		return s.spend(ctx, tx, c, inv, id, ore)
	})
	if err != nil {
		return nil, err
	}
	return s.findInvoice(ctx, s.db, c, id)
}

// spend runs spendSQL for the locked invoice id: ore from its card.
func (s *Service) spend(ctx context.Context, tx bun.Tx, c caller, inv *lockedInvoice, id uuid.UUID, ore int64) error {
	status := InvoiceAccepted
	if ore < inv.AmountOre {
		status = InvoicePartlyAccepted
	}
	var balance int64
	var written bool
	err := tx.Tx.QueryRowContext(ctx, spendSQL, inv.CardID, sqlDate(s.today(c.t)), c.mid(), inv.ProgrammeID, newID(), newID(),
		ore, id, c.actor(), s.now(), status, newID(), httpserver.RequestIDFromContext(ctx)).Scan(&balance, &written)
	if err != nil {
		return database.MapError(err, "spend", "card")
	}
	if !written {
		return apperr.Invalid("amountOre", "InsufficientBalance", map[string]any{"Balance": kroner(balance)}).
			WithReason("INSUFFICIENT_BALANCE")
	}
	return nil
}

// lockInvoice locks and reads an invoice and its card (lockInvoiceSQL), and checks that
// it is POSTED, that the card is usable, and, for a caseworker (agency not nil), that
// their agency issued it. Errors: NOT_FOUND, CONFLICT, CARD_NOT_ACTIVE, CARD_EXPIRED.
func (s *Service) lockInvoice(ctx context.Context, tx bun.Tx, c caller, id uuid.UUID, agency *uuid.UUID) (
	*lockedInvoice, error,
) {
	inv := new(lockedInvoice)
	card := &inv.Card
	// SECURITY: only an invoice of the request's municipality.
	err := tx.Tx.QueryRowContext(ctx, lockInvoiceSQL, id, c.mid()).Scan(&inv.CardID, &inv.ProgrammeID, &inv.AmountOre,
		&inv.Status, &card.Status, &card.ValidFrom, &card.ValidTo, &card.AgencyID)
	if err != nil {
		return nil, database.MapError(err, "find invoice", "invoice")
	}
	// SECURITY: a caseworker decides only for the cards of their own agency.
	if agency != nil && (card.AgencyID == nil || *card.AgencyID != *agency) {
		return nil, apperr.NotFoundf("invoice")
	}
	if inv.Status != InvoicePosted {
		return nil, &apperr.Error{Code: apperr.Conflict, MessageID: "InvoiceNotPosted", Field: "id", Reason: string(inv.Status)}
	}
	if err := cardUsable(card, s.today(c.t)); err != nil {
		return nil, err
	}
	return inv, nil
}

// mayDecideInvoice returns nil when the caller may accept or decline the invoice: its
// card's holder (access, or ID-porten), card coordinators and administrators, or a
// caseworker, whose agency it returns (their agency must have issued the card). Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, RATE_LIMITED.
func (s *Service) mayDecideInvoice(ctx context.Context, c caller, id uuid.UUID, access *CardAccess) (*uuid.UUID, error) {
	switch {
	case access == nil && c.v != nil && c.v.User != nil && c.staff():
		// SECURITY: card coordinators and administrators decide for every card.
		return nil, nil
	case access == nil && c.v != nil && c.v.User != nil && c.has(auth.RoleCaseworker):
		// SECURITY: a caseworker for the cards of their own agency (checked with the lock).
		ag, err := caseworkerAgency(ctx, s.db, c)
		if err != nil {
			return nil, err
		}
		return &ag.ID, nil
	case access == nil && c.v != nil && c.v.User != nil && c.v.Identity == nil:
		return nil, apperr.New(apperr.Forbidden, "")
	}
	var cardID uuid.UUID
	// SECURITY: only an invoice of the request's municipality.
	err := s.db.NewSelect().Table("card_invoices").Column("card_id").Where("id = ? AND municipality_id = ?", id, c.mid()).
		Scan(ctx, &cardID)
	if errors.Is(err, sql.ErrNoRows) && c.v == nil && access == nil {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	if err != nil {
		return nil, database.MapError(err, "find invoice", "invoice")
	}
	// SECURITY: the card's holder, by number and PIN or by identity.
	if err := s.holdsCard(ctx, c, cardID, access); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, apperr.NotFoundf("invoice")
		}
		return nil, err
	}
	return nil, nil
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
	agency, err := s.mayDecideInvoice(ctx, c, id, access)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.lockInvoice(ctx, tx, c, id, agency); err != nil && apperr.CodeOf(err) != apperr.CardNotActive &&
			apperr.CodeOf(err) != apperr.CardExpired {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE card_invoices SET status = ?, decline_reason = ?, decided_by = ?, decided_at = ?
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
