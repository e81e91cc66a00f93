package card

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/tenant"
)

// TestSpendBatchDecidesEachOnItsOwn runs acceptances on one card as one group commit, as
// acceptOnCard does when they arrive together: each is checked and counted on its own, in
// order, seeing the spends before it in the batch; a refusal leaves the others paid; and a
// fault of the database pays none of them.
func TestSpendBatchDecidesEachOnItsOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("Larvik Turn", p)
	a := e.anonymousCard(p)
	e.topUp(a.Card.ID, 25_000)
	number := a.Card.FormattedNumber()
	first, second := e.invoice(club, number, 10_000), e.invoice(club, number, 10_000)
	tooMuch, small, last := e.invoice(club, number, 20_000), e.invoice(club, number, 5_000), e.invoice(club, number, 10_000)
	if _, err := e.svc.AcceptInvoice(e.coord, second.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	c, err := current(e.coord)
	if err != nil {
		t.Fatal(err)
	}
	req := func(inv *Invoice, ore *int64) *spendRequest {
		return &spendRequest{c: c, id: inv.ID, cardID: a.Card.ID, amountOre: ore}
	}

	// 25,000 on the card, 10,000 of it spent on the second invoice: 15,000 left.
	errs := e.svc.spendBatch(context.Background(), []*spendRequest{
		req(first, nil),               // paid: 5,000 left
		req(second, nil),              // accepted before
		req(tooMuch, nil),             // 20,000 is more than is left
		req(small, ptr[int64](6_000)), // more than the invoice
		req(first, nil),               // accepted earlier in this batch
		req(small, ptr[int64](4_000)), // paid in part: 1,000 left
		req(last, nil),                // 10,000 is more than is left
	})
	if errs[0] != nil || errs[5] != nil {
		t.Errorf("paid ones failed: %v, %v", errs[0], errs[5])
	}
	wantCode(t, errs[1], "CONFLICT", "id", "ACCEPTED")
	wantInvalid(t, errs[2], "amountOre", "INSUFFICIENT_BALANCE")
	wantInvalid(t, errs[3], "amountOre", "ABOVE_INVOICE")
	wantCode(t, errs[4], "CONFLICT", "id", "ACCEPTED")
	wantInvalid(t, errs[6], "amountOre", "INSUFFICIENT_BALANCE")
	if b := e.balance(a.Card.ID); b != 1_000 {
		t.Errorf("balance %d, want 1,000", b)
	}
	if n := e.count("SELECT count(*) FROM card_ledger_entries WHERE card_id = ? AND kind = 'SPEND'", a.Card.ID); n != 3 {
		t.Errorf("%d spends written, want 3", n)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'accept_card_invoice'"); n != 3 {
		t.Errorf("%d acceptances audited, want 3", n)
	}

	// A statement the database refuses (a negative amount, which the service's own checks
	// keep out) fails the whole batch: nothing of it is written.
	e.topUp(a.Card.ID, 30_000)
	more := e.invoice(club, number, 10_000)
	errs = e.svc.spendBatch(context.Background(), []*spendRequest{
		req(last, nil), req(tooMuch, ptr[int64](-5)), req(more, nil),
	})
	for i, err := range errs {
		if err == nil {
			t.Errorf("acceptance %d of a failed batch succeeded", i)
		}
	}
	if b := e.balance(a.Card.ID); b != 31_000 {
		t.Errorf("balance %d after a failed batch, want 31,000", b)
	}
	if n := e.count("SELECT count(*) FROM card_invoices WHERE card_id = ? AND status = 'POSTED'", a.Card.ID); n != 3 {
		t.Errorf("%d invoices still POSTED, want 3 (tooMuch, last, more)", n)
	}
}

// TestHolderDecidesOnlyOnTheirCard has anonymous holders accept and decline invoices with
// their card's number and PIN: their own card's invoices only, whatever invoice ID they
// send, and nothing with a wrong PIN.
func TestHolderDecidesOnlyOnTheirCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("Larvik Turn", p)
	mine, theirs := e.anonymousCard(p), e.anonymousCard(p)
	e.topUp(mine.Card.ID, 50_000)
	e.topUp(theirs.Card.ID, 50_000)
	own := e.invoice(club, mine.Card.FormattedNumber(), 10_000)
	other := e.invoice(club, theirs.Card.FormattedNumber(), 10_000)
	anonymous := tenant.WithTenant(context.Background(), e.larvik)

	_, err := e.svc.AcceptInvoice(anonymous, other.ID, nil, access(mine))
	wantCode(t, err, "NOT_FOUND")
	_, err = e.svc.DeclineInvoice(anonymous, other.ID, "", access(mine))
	wantCode(t, err, "NOT_FOUND")
	wrong := access(mine)
	wrong.PIN = otherPIN(wrong.PIN)
	failures := e.count("SELECT count(*) FROM login_failures")
	if _, err = e.svc.AcceptInvoice(anonymous, own.ID, nil, wrong); err == nil {
		t.Fatal("accepted with a wrong PIN")
	}
	// The wrong PIN counts against the number, as in every other use of it.
	if n := e.count("SELECT count(*) FROM login_failures"); n <= failures {
		t.Errorf("%d failures recorded before a wrong PIN, %d after", failures, n)
	}
	got, err := e.svc.AcceptInvoice(anonymous, own.ID, nil, access(mine))
	if err != nil || got.Status != InvoiceAccepted {
		t.Fatalf("own invoice: %+v, %v", got, err)
	}
	// What the acceptance answers is what is stored.
	c, err := current(e.coord)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.svc.findInvoice(e.coord, e.db, c, own.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != stored.Status || *got.AcceptedOre != *stored.AcceptedOre || !got.DecidedAt.Equal(*stored.DecidedAt) ||
		got.DecidedBy != nil || stored.DecidedBy != nil || got.Reference != stored.Reference ||
		!got.PostedAt.Equal(stored.PostedAt) || got.OrganisationID != stored.OrganisationID {
		t.Errorf("answered %+v, stored %+v", got, stored)
	}
	if b, o := e.balance(mine.Card.ID), e.balance(theirs.Card.ID); b != 40_000 || o != 50_000 {
		t.Errorf("balances %d and %d, want 40,000 and 50,000", b, o)
	}
	if n := e.count("SELECT count(*) FROM card_invoices WHERE id = ? AND status = 'POSTED'", other.ID); n != 1 {
		t.Error("the other card's invoice was decided")
	}
}

// otherPIN returns a PIN of the same length that is not pin.
func otherPIN(pin string) string {
	b := []byte(pin)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
