package card

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// TestSpendsNeverOverdrawUnderConcurrency accepts 200 invoices of 100 kroner at once
// against a card with 5,000 kroner on it, from 200 goroutines on the real database:
// exactly 50 are paid, the other 150 are refused as INSUFFICIENT_BALANCE on the amount
// and stay POSTED, and the balance ends at exactly 0.
func TestSpendsNeverOverdrawUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("Larvik Turn", p)
	a := e.anonymousCard(p)
	e.topUp(a.Card.ID, 50*10_000)
	invoices := make([]*Invoice, 200)
	for i := range invoices {
		invoices[i] = e.invoice(club, a.Card.FormattedNumber(), 10_000)
	}

	var wg sync.WaitGroup
	errs := make([]error, len(invoices))
	start := make(chan struct{})
	for i, inv := range invoices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = e.svc.AcceptInvoice(e.coord, inv.ID, nil, nil)
		}()
	}
	close(start)
	wg.Wait()

	paid, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			paid++
		case apperr.CodeOf(err) == apperr.BadUserInput && apperr.As(err).Field == "amountOre" &&
			apperr.As(err).Reason == "INSUFFICIENT_BALANCE":
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if paid != 50 || refused != 150 {
		t.Fatalf("paid %d and refused %d, want 50 and 150", paid, refused)
	}
	if b := e.balance(a.Card.ID); b != 0 {
		t.Errorf("balance %d, want 0", b)
	}
	if n := e.count("SELECT count(*) FROM card_ledger_entries WHERE card_id = ? AND kind = 'SPEND'", a.Card.ID); n != 50 {
		t.Errorf("%d spends written, want 50", n)
	}
	if n := e.count("SELECT count(*) FROM card_invoices WHERE card_id = ? AND status = 'POSTED'", a.Card.ID); n != 150 {
		t.Errorf("%d invoices still POSTED, want 150", n)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'accept_card_invoice'"); n != 50 {
		t.Errorf("%d acceptances audited, want 50", n)
	}
}

// TestAcceptInvoice follows invoices to a card through acceptance in whole and in part,
// refusal, cancellation, and who may decide.
func TestAcceptInvoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Hedrum skole")
	cwNAV, cwSchool := e.caseworker(nav), e.caseworker(school)
	p := e.programme([]*Agency{nav, school})
	club := e.provider("Larvik Turn", p)
	mother := e.guardian()
	issued, err := e.svc.IssueCard(cwNAV, e.recipient(p, 10, mother))
	if err != nil {
		t.Fatal(err)
	}
	card := issued.Card
	e.topUp(card.ID, 100_000)

	t.Run("WholeByTheGuardian", func(t *testing.T) {
		inv := e.invoice(club, card.Number, 40_000)
		got, err := e.svc.AcceptInvoice(resident(e.larvik, mother), inv.ID, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != InvoiceAccepted || *got.AcceptedOre != 40_000 || e.balance(card.ID) != 60_000 {
			t.Errorf("accepted %+v, balance %d", got, e.balance(card.ID))
		}
		_, err = e.svc.AcceptInvoice(e.coord, inv.ID, nil, nil)
		wantCode(t, err, apperr.Conflict, "id", "ACCEPTED")
		_, err = e.svc.CancelInvoice(club.owner, inv.ID)
		wantCode(t, err, apperr.Conflict, "id", "ACCEPTED")
	})
	t.Run("PartlyByTheCaseworker", func(t *testing.T) {
		inv := e.invoice(club, card.Number, 80_000)
		_, err := e.svc.AcceptInvoice(cwNAV, inv.ID, ptr[int64](80_001), nil)
		wantInvalid(t, err, "amountOre", "ABOVE_INVOICE")
		_, err = e.svc.AcceptInvoice(cwNAV, inv.ID, ptr[int64](0), nil)
		wantInvalid(t, err, "amountOre", "NOT_POSITIVE")
		_, err = e.svc.AcceptInvoice(cwNAV, inv.ID, nil, nil)
		wantInvalid(t, err, "amountOre", "INSUFFICIENT_BALANCE")
		// Another agency's caseworker does not know the card.
		_, err = e.svc.AcceptInvoice(cwSchool, inv.ID, ptr[int64](60_000), nil)
		wantCode(t, err, apperr.NotFound)
		got, err := e.svc.AcceptInvoice(cwNAV, inv.ID, ptr[int64](60_000), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != InvoicePartlyAccepted || *got.AcceptedOre != 60_000 || e.balance(card.ID) != 0 {
			t.Errorf("partly accepted %+v, balance %d", got, e.balance(card.ID))
		}
	})
	t.Run("DeclinedAndCancelled", func(t *testing.T) {
		inv := e.invoice(club, card.Number, 1_000)
		// A stranger signed in with ID-porten does not hold the card.
		_, err := e.svc.DeclineInvoice(resident(e.larvik, e.guardian()), inv.ID, "", nil)
		wantCode(t, err, apperr.NotFound)
		got, err := e.svc.DeclineInvoice(resident(e.larvik, mother), inv.ID, "Vi betaler selv", nil)
		if err != nil || got.Status != InvoiceDeclined || *got.DeclineReason != "Vi betaler selv" {
			t.Fatalf("declined %+v: %v", got, err)
		}
		other := e.invoice(club, card.Number, 1_000)
		outsider, _ := e.as(e.larvik)
		_, err = e.svc.CancelInvoice(outsider, other.ID)
		wantCode(t, err, apperr.Forbidden)
		if got, err := e.svc.CancelInvoice(club.owner, other.ID); err != nil || got.Status != InvoiceCancelled {
			t.Fatalf("cancelled %+v: %v", got, err)
		}
		_, err = e.svc.AcceptInvoice(e.coord, other.ID, nil, nil)
		wantCode(t, err, apperr.Conflict, "id", "CANCELLED")
	})
	t.Run("Reversed", func(t *testing.T) {
		e.topUp(card.ID, 5_000)
		inv := e.invoice(club, card.Number, 5_000)
		if _, err := e.svc.AcceptInvoice(e.coord, inv.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.ReverseInvoice(e.coord, inv.ID, " ")
		wantInvalid(t, err, "reason", "REQUIRED")
		got, err := e.svc.ReverseInvoice(e.coord, inv.ID, "Klubben har betalt tilbake")
		if err != nil || got.Status != InvoiceReversed || e.balance(card.ID) != 5_000 {
			t.Fatalf("reversed %+v, balance %d: %v", got, e.balance(card.ID), err)
		}
	})
	t.Run("SettledWithTheProvider", func(t *testing.T) {
		conn, err := e.svc.Settlement(e.coord, p.ID, e.today(), e.today(), allOf)
		if err != nil {
			t.Fatal(err)
		}
		// 400 + 600 kroner paid; 50 kroner paid and given back.
		if len(conn.Edges) != 1 || conn.Edges[0].Node.InvoiceOre != 100_000 || conn.Edges[0].Node.Ore != 100_000 ||
			conn.Edges[0].Node.Invoices != 2 || conn.Edges[0].Node.Name != "Larvik Turn" {
			t.Errorf("settlement %+v", conn.Edges)
		}
	})
}

// TestPostInvoice refuses bad invoices with the field named, and saves nothing of them.
func TestPostInvoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("Larvik Turn", p)
	stranger := e.provider("Ikke godkjent")
	a := e.anonymousCard(p)
	ok := InvoiceInput{OrganisationID: club.id, CardNumber: a.Card.FormattedNumber(), AmountOre: 30_000,
		Purpose: PurposeCup, Reference: "KID 0012345678", ChildFirstName: "Ola"}
	cases := []struct {
		name   string
		ctx    context.Context
		change func(*InvoiceInput)
		code   apperr.Code
		field  string
		reason string
	}{
		{"NotApproved", stranger.owner, func(in *InvoiceInput) { in.OrganisationID = stranger.id },
			apperr.Forbidden, "input.organisationId", "NOT_APPROVED"},
		{"NotAMember", stranger.owner, nil, apperr.Forbidden, "input.organisationId", ""},
		{"Negative", club.owner, func(in *InvoiceInput) { in.AmountOre = -100 }, apperr.BadUserInput, "input.amountOre", "NOT_POSITIVE"},
		{"Zero", club.owner, func(in *InvoiceInput) { in.AmountOre = 0 }, apperr.BadUserInput, "input.amountOre", "NOT_POSITIVE"},
		{"Absurd", club.owner, func(in *InvoiceInput) { in.AmountOre = 10_000_001 }, apperr.BadUserInput, "input.amountOre", "TOO_LARGE"},
		{"Purpose", club.owner, func(in *InvoiceInput) { in.Purpose = "BEER" }, apperr.BadUserInput, "input.purpose", ""},
		{"OtherWithoutText", club.owner, func(in *InvoiceInput) { in.Purpose = PurposeOther }, apperr.BadUserInput,
			"input.purposeText", "REQUIRED"},
		{"IdentityNumber", club.owner, func(in *InvoiceInput) { in.PurposeText = "Gjelder 010110 12345" }, apperr.BadUserInput,
			"input.purposeText", "IDENTITY_NUMBER"},
		{"NoReference", club.owner, func(in *InvoiceInput) { in.Reference = "  " }, apperr.BadUserInput, "input.reference", "REQUIRED"},
		{"FullName", club.owner, func(in *InvoiceInput) { in.ChildFirstName = "Ola 0101" }, apperr.BadUserInput,
			"input.childFirstName", "DIGITS"},
		{"FullNameAsHolder", club.owner, func(in *InvoiceInput) { in.ChildFirstName, in.HolderFirstName = "", "Ola 0101" },
			apperr.BadUserInput, "input.holderFirstName", "DIGITS"},
		{"TwoNames", club.owner, func(in *InvoiceInput) { in.HolderFirstName = "Kari" }, apperr.BadUserInput,
			"input.childFirstName", "TWICE"},
		{"Mistyped", club.owner, func(in *InvoiceInput) { in.CardNumber = mistyped(a.Card.Number) },
			apperr.BadUserInput, "input.cardNumber", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			if tc.change != nil {
				tc.change(&in)
			}
			_, err := e.svc.PostInvoice(tc.ctx, in)
			wantCode(t, err, tc.code, tc.field)
			if tc.reason != "" && apperr.As(err).Reason != tc.reason {
				t.Errorf("reason %q, want %q", apperr.As(err).Reason, tc.reason)
			}
		})
	}
	if n := e.count("SELECT count(*) FROM card_invoices"); n != 0 {
		t.Fatalf("%d invoices saved from bad input", n)
	}
	inv, err := e.svc.PostInvoice(club.owner, ok)
	if err != nil || inv.Status != InvoicePosted || *inv.ChildFirstName != "Ola" {
		t.Fatalf("posted %+v: %v", inv, err)
	}
	// The provider's list shows its own invoices; another provider's owner sees none of it.
	conn, err := e.svc.FindOrganisationInvoices(club.owner, club.id, nil, allOf)
	if err != nil || len(conn.Edges) != 1 {
		t.Fatalf("the provider's invoices: %+v, %v", conn, err)
	}
	_, err = e.svc.FindOrganisationInvoices(stranger.owner, club.id, nil, allOf)
	wantCode(t, err, apperr.Forbidden)
}

// mistyped returns number with its last character changed (a random number may already end
// in the character a fixed replacement would put there).
func mistyped(number string) string {
	last := "Z"
	if strings.HasSuffix(number, last) {
		last = "Y"
	}
	return number[:len(number)-1] + last
}
