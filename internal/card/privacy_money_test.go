package card

import (
	"context"
	"testing"
	"time"
)

// TestMoneyInPersonalData shows a card's ledger and invoices in its holder's data-subject
// report, and erases what is personal of them with the holder, or with an anonymous
// card's retention, keeping the amounts.
func TestMoneyInPersonalData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	cw := e.caseworker(nav)
	p := e.programme([]*Agency{nav})
	club := e.provider("Larvik Turn", p)
	in := e.recipient(p, 9)
	issued, err := e.svc.IssueCard(cw, in)
	if err != nil {
		t.Fatal(err)
	}
	e.topUp(issued.Card.ID, 20_000)
	inv := e.invoice(club, issued.Card.Number, 15_000)
	if _, err := e.svc.AcceptInvoice(cw, inv.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.PersonalDataReport(e.admin, in.ChildIdentityNumber)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Cards[0]
	if len(c.Ledger) != 2 || c.Ledger[0].Kind != LedgerTopUp || c.Ledger[1].AmountOre != -15_000 || len(c.Invoices) != 1 ||
		c.Invoices[0].Organisation != "Larvik Turn" || *c.Invoices[0].ChildFirstName != "Kari" ||
		*c.Invoices[0].HolderFirstName() != "Kari" {
		t.Fatalf("report card %+v", c)
	}
	if _, err := e.svc.ErasePersonalData(e.admin, in.ChildIdentityNumber); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM card_invoices WHERE card_id = ? AND child_first_name IS NULL
		AND amount_ore = 15000 AND accepted_ore = 15000`, issued.Card.ID); n != 1 {
		t.Errorf("the invoice after erasure: %d as expected", n)
	}
	if n := e.count(`SELECT count(*) FROM card_ledger_entries WHERE card_id = ? AND note IS NULL`, issued.Card.ID); n != 2 {
		t.Errorf("%d ledger entries without their note, want 2", n)
	}

	// An anonymous card's invoices keep the child's first name until the card's retention ends.
	a := e.anonymousCard(p)
	e.topUp(a.Card.ID, 1_000)
	e.invoice(club, a.Card.Number, 1_000)
	if _, err := e.svc.RevokeCard(e.coord, a.Card.ID); err != nil {
		t.Fatal(err)
	}
	named := `SELECT count(*) FROM card_invoices WHERE card_id = ? AND child_first_name IS NOT NULL`
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := e.count(named, a.Card.ID); n != 1 {
		t.Errorf("erased before the retention ended")
	}
	later := time.Now().AddDate(0, 0, DefaultOptions.RetentionDays+1)
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, later); err != nil {
		t.Fatal(err)
	}
	if n := e.count(named, a.Card.ID); n != 0 {
		t.Errorf("the child's first name is kept past the retention")
	}
	if n := e.count(`SELECT count(*) FROM card_ledger_entries WHERE card_id = ? AND note IS NOT NULL`, a.Card.ID); n != 0 {
		t.Errorf("a written reason is kept past the retention")
	}
}
