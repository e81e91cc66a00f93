package card

import (
	"context"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// TestGrantsAndExpiry follows a programme's half-yearly grant: cards get it when issued,
// money past its last day is never counted and is written off by the refill job, and the
// next period's grant comes with the job.
func TestGrantsAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Today is in the first half of a year, well inside the programme's validity.
	jan := time.Date(e.today().Year()+1, time.March, 10, 12, 0, 0, 0, time.UTC)
	e.svc.now = func() time.Time { return jan }
	p := e.programme(nil, func(in *ProgrammeInput) {
		in.ValidFrom, in.ValidTo = time.Date(jan.Year(), 1, 1, 0, 0, 0, 0, time.UTC), time.Date(jan.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	})
	early := e.anonymousCard(p) // before the programme has a grant
	_, err := e.svc.SetProgrammeMoney(e.coord, p.ID, ProgrammeMoneyInput{GrantOre: 50_000, BudgetWarningPercent: 80})
	wantInvalid(t, err, "input.grantPeriod")
	_, err = e.svc.SetProgrammeMoney(e.coord, p.ID, ProgrammeMoneyInput{GrantOre: 50_000, GrantPeriod: ptr(GrantHalfYear),
		GrantGraceDays: 14, BudgetWarningPercent: 80})
	if err != nil {
		t.Fatal(err)
	}
	a := e.anonymousCard(p)
	if e.balance(early.Card.ID) != 50_000 || e.balance(a.Card.ID) != 50_000 {
		t.Fatalf("balances %d and %d, want the grant on both", e.balance(early.Card.ID), e.balance(a.Card.ID))
	}
	// 200 kroner spent in the first half year.
	club := e.provider("Larvik Turn", p)
	if _, err := e.svc.AcceptInvoice(e.coord, e.invoice(club, a.Card.Number, 20_000).ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Still usable in the grace days after June; gone after them, before any job runs.
	e.svc.now = func() time.Time { return time.Date(jan.Year(), time.July, 14, 12, 0, 0, 0, time.UTC) }
	if b := e.balance(a.Card.ID); b != 30_000 {
		t.Errorf("in the grace days: %d, want 30000", b)
	}
	e.svc.now = func() time.Time { return time.Date(jan.Year(), time.July, 15, 12, 0, 0, 0, time.UTC) }
	if b := e.balance(a.Card.ID); b != 0 {
		t.Errorf("after the grace days: %d, want 0", b)
	}
	inv := e.invoice(club, a.Card.Number, 100)
	_, err = e.svc.AcceptInvoice(e.coord, inv.ID, nil, nil)
	wantInvalid(t, err, "amountOre", "INSUFFICIENT_BALANCE")

	// The job writes the expired money off and gives the second half year's grant.
	res, err := e.svc.RefillCards(context.Background(), e.svc.now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Expired != 2 || res.Granted != 2 {
		t.Errorf("refill %+v, want 2 expired and 2 granted", res)
	}
	if b := e.balance(a.Card.ID); b != 50_000 {
		t.Errorf("after the refill: %d, want the new grant", b)
	}
	if n := e.count(`SELECT -sum(amount_ore) FROM card_ledger_entries WHERE card_id = ? AND kind = 'EXPIRY'`, a.Card.ID); n != 30_000 {
		t.Errorf("written off %d, want 30000", n)
	}
	// A second run changes nothing.
	if res, err := e.svc.RefillCards(context.Background(), e.svc.now()); err != nil || res != (RefillResult{}) {
		t.Errorf("second refill %+v: %v", res, err)
	}
	// A revoked card's money is written off whole.
	if _, err := e.svc.RevokeCard(e.coord, early.Card.ID); err != nil {
		t.Fatal(err)
	}
	if res, err := e.svc.RefillCards(context.Background(), e.svc.now()); err != nil || res.Expired != 1 {
		t.Errorf("refill after revocation %+v: %v", res, err)
	}
	if n := e.count(`SELECT sum(amount_ore) FROM card_ledger_entries WHERE card_id = ?`, early.Card.ID); n != 0 {
		t.Errorf("a revoked card keeps %d", n)
	}
}

// TestBudget counts committed and spent money, refuses credits beyond the budget without a
// written override, and warns the coordinators once.
func TestBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil, func(in *ProgrammeInput) { in.BudgetOre = 100_000 })
	club := e.provider("Larvik Turn", p)
	a, b := e.anonymousCard(p), e.anonymousCard(p)
	e.topUp(a.Card.ID, 50_000)
	if _, err := e.svc.AcceptInvoice(e.coord, e.invoice(club, a.Card.Number, 20_000).ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.ProgrammeBudget(e.coord, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommittedOre != 30_000 || got.SpentOre != 20_000 || got.LeftOre() != 50_000 {
		t.Errorf("budget %+v, left %d", got, got.LeftOre())
	}
	cw := e.caseworker(e.agency("NAV"))
	_, err = e.svc.ProgrammeBudget(cw, p.ID)
	wantCode(t, err, apperr.Forbidden)

	_, err = e.svc.TopUpCard(e.coord, TopUpInput{CardID: b.Card.ID, AmountOre: 50_001, Reason: "Utstyr"})
	wantInvalid(t, err, "input.amountOre", "OVER_BUDGET")
	_, err = e.svc.TopUpCard(e.coord, TopUpInput{CardID: b.Card.ID, AmountOre: 50_001, Reason: "Utstyr", OverrideReason: "Fordi"})
	wantInvalid(t, err, "input.overrideReason")
	_, err = e.svc.TopUpCard(e.coord, TopUpInput{CardID: b.Card.ID, AmountOre: 50_000, Reason: ""})
	wantInvalid(t, err, "input.reason", "REQUIRED")
	_, err = e.svc.TopUpCard(e.coord, TopUpInput{CardID: b.Card.ID, AmountOre: 10_000_001, Reason: "Utstyr"})
	wantInvalid(t, err, "input.amountOre", "TOO_LARGE")
	if n := e.count("SELECT count(*) FROM outbox WHERE template = 'CardBudgetWarning'"); n != 0 {
		t.Fatalf("%d warnings before the threshold", n)
	}
	// 80 % passed: the coordinators hear of it, once.
	e.topUp(b.Card.ID, 30_000)
	coordinators := e.count(`SELECT count(*) FROM municipal_roles WHERE municipality_id = ? AND role = 'CARD_COORDINATOR'`, e.larvik.ID())
	if n := e.count("SELECT count(*) FROM outbox WHERE template = 'CardBudgetWarning'"); n != coordinators || n == 0 {
		t.Errorf("%d warnings, want one for each of %d coordinators", n, coordinators)
	}
	_, err = e.svc.TopUpCard(e.coord, TopUpInput{CardID: b.Card.ID, AmountOre: 30_000, Reason: "Utstyr til cup",
		OverrideReason: "Vedtak om ekstra støtte etter søknad"})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM outbox WHERE template = 'CardBudgetWarning'"); n != coordinators {
		t.Errorf("%d warnings after a second crossing, want still %d", n, coordinators)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'top_up_card' AND note = 'Vedtak om ekstra støtte etter søknad'
		AND 'override:OVER_BUDGET' = ANY(fields)`); n != 1 {
		t.Errorf("the override is not in the audit log (%d)", n)
	}
	// A grant never goes beyond the budget: the refill holds it back.
	if _, err := e.svc.SetProgrammeMoney(e.coord, p.ID, ProgrammeMoneyInput{GrantOre: 10_000, GrantPeriod: ptr(GrantYear),
		BudgetWarningPercent: 80}); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM card_ledger_entries WHERE programme_id = ? AND kind = 'GRANT'", p.ID); n != 0 {
		t.Errorf("%d grants beyond the budget", n)
	}
}

// TestLedgerIsAppendOnly refuses every change to a ledger entry but the erasure of its
// written reason.
func TestLedgerIsAppendOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	a := e.anonymousCard(p)
	e.topUp(a.Card.ID, 10_000)
	ctx := context.Background()
	for _, q := range []string{
		"UPDATE card_ledger_entries SET amount_ore = 1000000",
		"UPDATE card_ledger_entries SET note = 'Endret'",
		"DELETE FROM card_ledger_entries",
	} {
		if _, err := e.db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	e.exec("UPDATE card_ledger_entries SET note = NULL")
	if b := e.balance(a.Card.ID); b != 10_000 {
		t.Errorf("balance %d after the note's erasure", b)
	}
}

// TestProviders follows an organisation's application to accept the card.
func TestProviders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("Larvik Turn")
	editor, u := e.as(e.larvik)
	e.exec("INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'EDITOR')",
		e.larvik.ID(), club.id, u.ID)
	_, err := e.svc.ApplyToAcceptCard(editor, p.ID, club.id)
	wantCode(t, err, apperr.Forbidden)
	got, err := e.svc.ApplyToAcceptCard(club.owner, p.ID, club.id)
	if err != nil || got.Status != ProviderPending {
		t.Fatalf("applied %+v: %v", got, err)
	}
	_, err = e.svc.DecideProvider(club.owner, p.ID, club.id, true, "")
	wantCode(t, err, apperr.Forbidden)
	_, err = e.svc.DecideProvider(e.coord, p.ID, club.id, false, " ")
	wantInvalid(t, err, "reason", "REQUIRED")
	got, err = e.svc.DecideProvider(e.coord, p.ID, club.id, false, "Ikke et tilbud for barn")
	if err != nil || got.Status != ProviderRejected || *got.Reason != "Ikke et tilbud for barn" {
		t.Fatalf("rejected %+v: %v", got, err)
	}
	// The organisation sees the reason, and applies again.
	list, err := e.svc.FindProviders(editor, ProviderFilter{OrganisationID: &club.id})
	if err != nil || len(list) != 1 || *list[0].Reason != "Ikke et tilbud for barn" {
		t.Fatalf("the organisation's applications %+v: %v", list, err)
	}
	if got, err = e.svc.ApplyToAcceptCard(club.owner, p.ID, club.id); err != nil || got.Status != ProviderPending {
		t.Fatalf("applied again %+v: %v", got, err)
	}
	if _, err := e.svc.DecideProvider(e.coord, p.ID, club.id, true, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ApplyToAcceptCard(club.owner, p.ID, club.id)
	wantCode(t, err, apperr.Conflict)
	_, err = e.svc.FindProviders(editor, ProviderFilter{})
	wantCode(t, err, apperr.Forbidden)
}
