package card

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// An acceptance is four round trips, as a claim is: BEGIN, lockInvoicesSQL (the card and
// the invoice locked and read), spendsSQL (the balance counted, what has expired written
// off, the spend written, the invoice marked and audited) and COMMIT. The card's row lock,
// held to the commit, makes one card's spends take turns, and spendsSQL, a statement after
// the lock, counts every spend committed before it: the balance can never go below zero.
//
// The lock is held through the commit's WAL flush, so one at a time a card could pay no
// faster than the disk flushes. The acceptances that arrive on a card while one is running
// therefore wait, and then run together in the same four round trips, under one lock and
// one flush (a group commit): each is checked on its own, and spendsSQL pays them in the
// order they came, each only when what is left after those before it covers it. Several
// instances of the server each gather their own batches; the row lock makes those take
// turns as before.

// maxSpendBatch is the most acceptances one transaction carries.
const maxSpendBatch = 64

// lockInvoicesSQL locks invoices ($1, of municipality $2) and their card, card first, and
// reads what an acceptance checks.
const lockInvoicesSQL = `SELECT i.*, c.status AS card_status, c.valid_from, c.valid_to, c.agency_id
FROM card_invoices i JOIN cards c ON c.id = i.card_id
WHERE i.id = ANY($1::uuid[]) AND i.municipality_id = $2 FOR UPDATE OF c, i`

// spendsSQL counts card $1's balance on day $3 (a date), pays the acceptances $6.. in
// order, each when what is left after those before it covers it, and, when it pays any,
// writes off what has expired (entry $5, programme $4); each paid one with its spend
// entry, the invoice's new status and its audit entry (of municipality $2, at $14).
// Returns, for each acceptance, what was left before it and whether it was paid.
var spendsSQL = `WITH RECURSIVE agg AS (
	SELECT coalesce(sum(e.amount_ore), 0) AS total, ` + pendingExpiry("e", "$3::date") + ` AS pending
	FROM card_ledger_entries e WHERE e.card_id = $1
), item AS (
	SELECT * FROM unnest($6::uuid[], $7::bigint[], $8::uuid[], $9::text[], $10::uuid[], $11::text[], $12::uuid[],
		$13::uuid[]) WITH ORDINALITY
		AS t(invoice_id, ore, programme_id, status, actor_id, request_id, entry_id, audit_id, n)
), run (n, left_before, paid, left_after) AS (
	SELECT 0::bigint, 0::bigint, false, (agg.total - agg.pending)::bigint FROM agg
	UNION ALL
	SELECT item.n, run.left_after, item.ore <= run.left_after,
		CASE WHEN item.ore <= run.left_after THEN run.left_after - item.ore ELSE run.left_after END
	FROM run JOIN item ON item.n = run.n + 1
), paid AS (
	SELECT item.* FROM item JOIN run USING (n) WHERE run.paid
), expiry AS (
	INSERT INTO card_ledger_entries (id, municipality_id, card_id, programme_id, kind, amount_ore, created_at)
	SELECT $5::uuid, $2::uuid, $1::uuid, $4::uuid, 'EXPIRY', -agg.pending, $14::timestamptz FROM agg
	WHERE agg.pending > 0 AND EXISTS (SELECT 1 FROM paid)
), spend AS (
	INSERT INTO card_ledger_entries (id, municipality_id, card_id, programme_id, kind, amount_ore, invoice_id, actor_id,
		created_at)
	SELECT entry_id, $2::uuid, $1::uuid, programme_id, 'SPEND', -ore, invoice_id, actor_id, $14::timestamptz FROM paid
), invoice AS (
	UPDATE card_invoices i SET status = paid.status, accepted_ore = paid.ore, decided_by = paid.actor_id,
		decided_at = $14::timestamptz
	FROM paid WHERE i.id = paid.invoice_id
), entry AS (
	INSERT INTO audit_log (id, municipality_id, actor_id, action, item_type, item_id, fields, request_id)
	SELECT audit_id, $2::uuid, actor_id, 'accept_card_invoice', 'CardInvoice', invoice_id, '{status,acceptedOre}',
		request_id
	FROM paid
)
SELECT n, left_before, paid FROM run WHERE n > 0 ORDER BY n`

// spendRequest is one acceptance waiting for its card: the invoice, the card it must be on,
// the amount (nil: the invoice's), who decides (agency: a caseworker's), and where the
// outcome goes (the error, and the invoice as accepted).
type spendRequest struct {
	c         caller
	id        uuid.UUID
	cardID    uuid.UUID
	amountOre *int64
	agency    *uuid.UUID
	requestID string
	// paid is the invoice as accepted, when it was.
	paid *Invoice
	// done gets the outcome, or nil with lead set: the request is to run that batch.
	done chan error
	lead []*spendRequest
}

// spendQueues holds, per card, the acceptances waiting for the running batch to end; a
// card with an entry has a batch running.
type spendQueues struct {
	mu      sync.Mutex
	waiting map[uuid.UUID][]*spendRequest
}

// acceptOnCard runs the acceptance r on card cardID: at once when no other acceptance on
// the card is running, otherwise with the others that wait for it, when it ends.
func (s *Service) acceptOnCard(ctx context.Context, cardID uuid.UUID, r *spendRequest) error {
	q := &s.spends
	q.mu.Lock()
	if q.waiting == nil {
		q.waiting = map[uuid.UUID][]*spendRequest{}
	}
	batch := []*spendRequest{r}
	if w, running := q.waiting[cardID]; running {
		r.done = make(chan error, 1)
		q.waiting[cardID] = append(w, r)
		q.mu.Unlock()
		err := <-r.done
		if r.lead == nil {
			return err
		}
		batch = r.lead
	} else {
		q.waiting[cardID] = nil
		q.mu.Unlock()
	}
	// This request leads: it runs its batch, passes the lead to the first of those that came
	// meanwhile, and hands the others in its batch their outcomes. The batch is not bound to
	// the leader's request: the others' acceptances must not fail when it goes away.
	errs := s.spendBatch(context.WithoutCancel(ctx), batch)
	q.mu.Lock()
	next := q.waiting[cardID]
	if len(next) == 0 {
		delete(q.waiting, cardID)
	} else {
		n := min(len(next), maxSpendBatch)
		q.waiting[cardID] = next[n:]
		next[0].lead = next[:n:n]
		next[0].done <- nil
	}
	q.mu.Unlock()
	for i, o := range batch[1:] {
		o.done <- errs[i+1]
	}
	return errs[0]
}

// spendBatch runs acceptances of invoices on one card in one transaction and returns each
// one's outcome: an acceptance refused (not found, not POSTED, the card not usable, above
// the invoice or the balance) writes nothing and leaves the others be; an error of the
// database fails them all, and none is written. An invoice named twice is decided the
// second time after the first.
func (s *Service) spendBatch(ctx context.Context, batch []*spendRequest) []error {
	errs := make([]error, len(batch))
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		for start := 0; start < len(batch); {
			end := start + 1
			seen := map[uuid.UUID]bool{batch[start].id: true}
			for ; end < len(batch) && !seen[batch[end].id]; end++ {
				seen[batch[end].id] = true
			}
			if err := s.acceptAll(ctx, tx, batch[start:end], errs[start:end]); err != nil {
				return err
			}
			start = end
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// lockedInvoice is an invoice and what an acceptance checks of its card, as read locked.
type lockedInvoice struct {
	Invoice    `bun:",extend"`
	CardStatus CardStatus `bun:"card_status"`
	ValidFrom  time.Time  `bun:"valid_from"`
	ValidTo    time.Time  `bun:"valid_to"`
	AgencyID   *uuid.UUID `bun:"agency_id"`
}

// acceptAll decides acceptances of distinct invoices on one card in tx, each outcome into
// errs, and returns an error only when the database fails.
func (s *Service) acceptAll(ctx context.Context, tx bun.Tx, batch []*spendRequest, errs []error) error {
	c := batch[0].c
	ids := make([]uuid.UUID, len(batch))
	for i, r := range batch {
		ids[i] = r.id
	}
	locked, err := s.lockInvoices(ctx, tx, c, ids)
	if err != nil {
		return err
	}
	var w spendsWrite
	for i, r := range batch {
		inv, ore, err := s.checkAcceptance(r, locked[r.id])
		if err != nil {
			errs[i] = err
			continue
		}
		w.add(i, r, inv, ore)
	}
	if len(w.at) == 0 {
		return nil
	}
	return w.run(ctx, tx, s, c, batch, errs)
}

// checkAcceptance checks r against its locked invoice (nil: none of the municipality) and
// returns the invoice and the amount to spend. Errors: NOT_FOUND, CONFLICT naming "id",
// CARD_NOT_ACTIVE, CARD_EXPIRED, BAD_USER_INPUT naming "amountOre" (ABOVE_INVOICE).
func (s *Service) checkAcceptance(r *spendRequest, inv *lockedInvoice) (*lockedInvoice, int64, error) {
	if err := s.checkLocked(r.c, inv, r.cardID, r.agency); err != nil {
		return nil, 0, err
	}
	ore := inv.AmountOre
	if r.amountOre != nil {
		ore = *r.amountOre
	}
	if ore > inv.AmountOre {
		return nil, 0, errAboveInvoice(inv.AmountOre)
	}
	return inv, ore, nil
}

// lockInvoices locks and reads invoices of the caller's municipality and their card
// (lockInvoicesSQL), by ID; those not there are missing from the map.
func (s *Service) lockInvoices(ctx context.Context, tx bun.Tx, c caller, ids []uuid.UUID) (
	map[uuid.UUID]*lockedInvoice, error,
) {
	// SECURITY: only invoices of the request's municipality.
	rows, err := tx.Tx.QueryContext(ctx, lockInvoicesSQL, ids, c.mid())
	if err != nil {
		return nil, database.MapError(err, "lock invoices", "invoice")
	}
	var list []*lockedInvoice
	if err := s.db.ScanRows(ctx, rows, &list); err != nil {
		return nil, database.MapError(err, "lock invoices", "invoice")
	}
	out := make(map[uuid.UUID]*lockedInvoice, len(list))
	for _, inv := range list {
		out[inv.ID] = inv
	}
	return out, nil
}

// lockInvoice locks and reads an invoice and its card, and checks them (checkLocked).
func (s *Service) lockInvoice(ctx context.Context, tx bun.Tx, c caller, id, cardID uuid.UUID, agency *uuid.UUID) (
	*lockedInvoice, error,
) {
	locked, err := s.lockInvoices(ctx, tx, c, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	inv := locked[id]
	return inv, s.checkLocked(c, inv, cardID, agency)
}

// checkLocked checks that a locked invoice (nil: not found) is on card cardID and POSTED,
// that its card is usable, and, for a caseworker (agency not nil), that their agency
// issued it. Errors: NOT_FOUND, CONFLICT naming "id", CARD_NOT_ACTIVE, CARD_EXPIRED.
func (s *Service) checkLocked(c caller, inv *lockedInvoice, cardID uuid.UUID, agency *uuid.UUID) error {
	// SECURITY: a holder by number and PIN decides only for the invoices on their card.
	if inv == nil || inv.CardID != cardID {
		return apperr.NotFoundf("invoice")
	}
	// SECURITY: a caseworker decides only for the cards of their own agency.
	if agency != nil && (inv.AgencyID == nil || *inv.AgencyID != *agency) {
		return apperr.NotFoundf("invoice")
	}
	if inv.Status != InvoicePosted {
		return &apperr.Error{Code: apperr.Conflict, MessageID: "InvoiceNotPosted", Field: "id",
			Reason: string(inv.Status)}
	}
	return cardUsable(&Card{Status: inv.CardStatus, ValidFrom: inv.ValidFrom, ValidTo: inv.ValidTo}, s.today(c.t))
}

// spendsWrite is what spendsSQL writes: the acceptances that passed their checks, column
// by column, and where each stands in the batch (at).
type spendsWrite struct {
	at                   []int
	invs                 []*lockedInvoice
	invoices, programmes []uuid.UUID
	ore                  []int64
	statuses, requestIDs []string
	actors               []*uuid.UUID
	entries, audits      []uuid.UUID
}

// add adds acceptance i of the batch, r, of ore from inv.
func (w *spendsWrite) add(i int, r *spendRequest, inv *lockedInvoice, ore int64) {
	status := InvoiceAccepted
	if ore < inv.AmountOre {
		status = InvoicePartlyAccepted
	}
	w.at = append(w.at, i)
	w.invs = append(w.invs, inv)
	w.invoices = append(w.invoices, r.id)
	w.programmes = append(w.programmes, inv.ProgrammeID)
	w.ore = append(w.ore, ore)
	w.statuses = append(w.statuses, string(status))
	w.requestIDs = append(w.requestIDs, r.requestID)
	w.actors = append(w.actors, r.c.actor())
	w.entries = append(w.entries, newID())
	w.audits = append(w.audits, newID())
}

// run runs spendsSQL on the card and puts, for each acceptance of the batch, the invoice as
// accepted into paid, or INSUFFICIENT_BALANCE into errs when the balance did not cover it.
func (w *spendsWrite) run(ctx context.Context, tx bun.Tx, s *Service, c caller, batch []*spendRequest,
	errs []error,
) error {
	// PostgreSQL keeps microseconds: the invoices returned carry what it stores.
	now := s.now().Round(time.Microsecond)
	first := w.invs[0]
	rows, err := tx.Tx.QueryContext(ctx, spendsSQL, first.CardID, c.mid(), sqlDate(s.today(c.t)), first.ProgrammeID,
		newID(), w.invoices, w.ore, w.programmes, w.statuses, w.actors, w.requestIDs, w.entries, w.audits, now)
	if err != nil {
		return database.MapError(err, "spend", "card")
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var before int64
		var paid bool
		if err := rows.Scan(&n, &before, &paid); err != nil {
			return database.MapError(err, "spend", "card")
		}
		k := n - 1
		if !paid {
			balance := map[string]any{"Balance": kroner(before)}
			errs[w.at[k]] = apperr.Invalid("amountOre", "InsufficientBalance", balance).WithReason("INSUFFICIENT_BALANCE")
			continue
		}
		inv := w.invs[k].Invoice
		inv.Status, inv.AcceptedOre = InvoiceStatus(w.statuses[k]), &w.ore[k]
		inv.DecidedBy, inv.DecidedAt = w.actors[k], &now
		batch[w.at[k]].paid = &inv
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err, "spend", "card")
	}
	return nil
}
