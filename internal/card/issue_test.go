package card

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// codes returns the codes of findings.
func codes(fs []*Finding) []FindingCode {
	out := make([]FindingCode, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}

func hasFinding(fs []*Finding, code FindingCode, sev Severity) *Finding {
	for _, f := range fs {
		if f.Code == code && f.Severity == sev {
			return f
		}
	}
	return nil
}

func TestIssueCard(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Helsesykepleier Larvik")
	p := e.programme([]*Agency{nav, school})
	cwNAV, cwSchool := e.caseworker(nav), e.caseworker(school)

	mother := e.guardian()
	in := e.recipient(p, 10, mother)
	fs, err := e.svc.CheckRecipient(cwNAV, in)
	if err != nil || len(fs) != 0 {
		t.Fatalf("check a new child: %v %v", codes(fs), err)
	}
	issued, err := e.svc.IssueCard(cwNAV, in)
	if err != nil {
		t.Fatal(err)
	}
	c := issued.Card
	if c.Status != CardActive || c.Kind != CardPersonal || c.Allowance != 5 || *c.AgeBand != "10-12" ||
		!c.ValidFrom.Equal(p.ValidFrom) || !c.ValidTo.Equal(p.ValidTo) || *c.AgencyID != nav.ID || len(c.Number) != 9 {
		t.Errorf("card = %+v", c)
	}
	if n := e.count("SELECT cards_issued FROM card_programmes WHERE id = ?", p.ID); n != 1 {
		t.Errorf("cards issued = %d", n)
	}

	t.Run("AlreadyHasCard", func(t *testing.T) {
		again := in
		again.GivenName = "Kari Anne"
		fs, err := e.svc.CheckRecipient(cwSchool, again)
		if err != nil {
			t.Fatal(err)
		}
		f := hasFinding(fs, AlreadyHasCard, SeverityBlock)
		if f == nil || f.Agency != "NAV Larvik" || f.Date == nil || time.Since(*f.Date) > time.Minute || f.Field != "input.childIdentityNumber" {
			t.Fatalf("findings = %+v", fs)
		}
		_, err = e.svc.IssueCard(cwSchool, again)
		wantCode(t, err, apperr.CardBlocked, "", string(AlreadyHasCard))
		if got := FindingsOf(err); hasFinding(got, AlreadyHasCard, SeverityBlock) == nil {
			t.Errorf("findings of the refusal = %v", codes(got))
		}
		// A reason does not override a block.
		again.OverrideReason = "Jeg vet hva jeg gjør her"
		_, err = e.svc.IssueCard(cwSchool, again)
		wantCode(t, err, apperr.CardBlocked)
	})

	t.Run("GuardianHasOtherCard", func(t *testing.T) {
		sibling := e.recipient(p, 7, mother, e.guardian())
		fs, err := e.svc.CheckRecipient(cwSchool, sibling)
		if err != nil {
			t.Fatal(err)
		}
		f := hasFinding(fs, GuardianHasOtherCard, SeverityWarn)
		if len(fs) != 1 || f == nil || f.Agency != "NAV Larvik" || f.Field != "input.guardianIdentityNumbers[0]" {
			t.Fatalf("findings = %+v", fs)
		}
		_, err = e.svc.IssueCard(cwSchool, sibling)
		wantCode(t, err, apperr.OverrideRequired, "", string(GuardianHasOtherCard))

		sibling.OverrideReason = "kort"
		_, err = e.svc.IssueCard(cwSchool, sibling)
		wantCode(t, err, apperr.BadUserInput, "input.overrideReason")

		sibling.OverrideReason = "Familien har to barn; begge skal ha kort etter vedtak i NAV."
		got, err := e.svc.IssueCard(cwSchool, sibling)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Overridden) != 1 || got.Card.OverrideReason == nil || *got.Card.AgeBand != "6-9" {
			t.Errorf("issued = %+v", got)
		}
		var fields []string
		e.db.NewSelect().Table("audit_log").Column("fields").Where("item_id = ? AND action = 'issue_card'", got.Card.ID).Scan(context.Background(), &fields)
		if n := e.count("SELECT count(*) FROM audit_log WHERE item_id = ? AND action = 'issue_card' AND fields @> '{override:GUARDIAN_HAS_OTHER_CARD,overrideReason}' AND note = ?",
			got.Card.ID, sibling.OverrideReason); n != 1 {
			t.Errorf("audit of the override with its reason: %d entries", n)
		}
		if n := e.count("SELECT count(*) FROM card_guardianships g JOIN card_persons p ON p.id = g.guardian_id WHERE p.birth_date IS NULL"); n != 3 {
			t.Errorf("guardianships = %d, want 3", n)
		}
		// Erasing the child clears the reason from the card and from the audit log alike.
		if _, err := e.svc.ErasePersonalData(e.admin, sibling.ChildIdentityNumber); err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE note IS NOT NULL") + e.count("SELECT count(*) FROM cards WHERE override_reason IS NOT NULL"); n != 0 {
			t.Errorf("%d override reasons left after erasure", n)
		}
		// Clearing a note is the only change the audit log takes.
		for _, q := range []string{"UPDATE audit_log SET note = 'x' WHERE item_id = ?", "UPDATE audit_log SET action = 'x' WHERE item_id = ?", "DELETE FROM audit_log WHERE item_id = ?"} {
			if _, err := e.db.ExecContext(context.Background(), q, got.Card.ID); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v", q, err)
			}
		}
	})

	t.Run("OutsideAgeRange", func(t *testing.T) {
		for _, age := range []int{1, 19} {
			fs, err := e.svc.CheckRecipient(cwNAV, e.recipient(p, age))
			if err != nil || len(fs) != 1 || hasFinding(fs, OutsideAgeRange, SeverityBlock) == nil {
				t.Errorf("age %d: %v %v", age, codes(fs), err)
			}
		}
		_, err := e.svc.IssueCard(cwNAV, e.recipient(p, 19))
		wantCode(t, err, apperr.CardBlocked, "", string(OutsideAgeRange))
	})

	t.Run("ProgrammeNotOpen", func(t *testing.T) {
		draft := e.programme([]*Agency{nav}, func(in *ProgrammeInput) { in.Status = ProgrammeDraft })
		over := e.programme([]*Agency{nav}, func(in *ProgrammeInput) {
			in.ValidFrom, in.ValidTo = e.today().AddDate(-1, 0, 0), e.today().AddDate(0, 0, -1)
		})
		for p, want := range map[*Programme]FindingCode{draft: ProgrammeNotActive, over: ProgrammeOutsideValidity} {
			_, err := e.svc.IssueCard(cwNAV, e.recipient(p, 10))
			wantCode(t, err, apperr.CardBlocked, "", string(want))
		}
	})

	t.Run("NoCardsLeft", func(t *testing.T) {
		one := e.programme([]*Agency{nav}, func(in *ProgrammeInput) { in.CardsAvailable = 1 })
		if _, err := e.svc.IssueCard(cwNAV, e.recipient(one, 10)); err != nil {
			t.Fatal(err)
		}
		fs, err := e.svc.CheckRecipient(cwNAV, e.recipient(one, 10))
		if err != nil || hasFinding(fs, NoCardsLeft, SeverityBlock) == nil {
			t.Fatalf("findings = %v %v", codes(fs), err)
		}
		_, err = e.svc.IssueCard(cwNAV, e.recipient(one, 10))
		wantCode(t, err, apperr.CardBlocked, "", string(NoCardsLeft))
	})

	t.Run("AgencyNotInProgramme", func(t *testing.T) {
		other := e.agency("Barnevernet")
		cw := e.caseworker(other)
		_, err := e.svc.IssueCard(cw, e.recipient(p, 10))
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.CheckRecipient(cw, e.recipient(p, 10))
		wantCode(t, err, apperr.Forbidden)
	})

	t.Run("Roles", func(t *testing.T) {
		_, err := e.svc.IssueCard(anonymous(e.larvik), e.recipient(p, 10))
		wantCode(t, err, apperr.Unauthenticated)
		_, err = e.svc.IssueCard(e.coord, e.recipient(p, 10))
		wantCode(t, err, apperr.Forbidden)
		// A caseworker no administrator has registered at an agency.
		loose, _ := e.as(e.larvik, auth.RoleCaseworker)
		_, err = e.svc.IssueCard(loose, e.recipient(p, 10))
		wantCode(t, err, apperr.Forbidden)
	})

	t.Run("OtherMunicipality", func(t *testing.T) {
		sf := e.municipality("sandefjord")
		ctxAdmin, _ := e.as(sf, auth.RoleAdmin)
		ctxCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		ag, err := e.svc.SaveAgency(ctxCoord, AgencyInput{Name: "NAV Sandefjord", Kind: AgencyNAV})
		if err != nil {
			t.Fatal(err)
		}
		cw, u := e.as(sf, auth.RoleCaseworker)
		if err := e.svc.SetCaseworkerAgency(ctxAdmin, u.ID, &ag.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.IssueCard(cw, e.recipient(p, 10))
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.FindProgrammeByID(cw, p.ID)
		wantCode(t, err, apperr.NotFound)
		// Larvik's agency cannot be given to a caseworker of Sandefjord, nor the reverse.
		err = e.svc.SetCaseworkerAgency(ctxAdmin, u.ID, &nav.ID)
		wantCode(t, err, apperr.BadUserInput, "agencyId")
	})
}

func TestIssueCardBadInput(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	valid := e.recipient(p, 10)
	tomorrow := e.today().AddDate(0, 0, 1)
	future := idNumber(t, time.Date(2030, 5, 17, 0, 0, 0, 0, time.UTC))
	wrongCheck := []byte(valid.ChildIdentityNumber)
	wrongCheck[10] = '0' + (wrongCheck[10]-'0'+1)%10
	hNumber := numberWith(t, 14, 3+40, 85, 0, 499) // a health-service H-number: month + 40

	tests := []struct {
		name          string
		change        func(*RecipientInput)
		field, reason string
	}{
		{"Length", func(in *RecipientInput) { in.ChildIdentityNumber = "1234567890" }, "input.childIdentityNumber", identity.ReasonLength},
		{"Letters", func(in *RecipientInput) { in.ChildIdentityNumber = "0101201A345" }, "input.childIdentityNumber", identity.ReasonNotDigits},
		{"CheckDigit", func(in *RecipientInput) { in.ChildIdentityNumber = string(wrongCheck) }, "input.childIdentityNumber", identity.ReasonCheckDigit},
		{"FutureNumber", func(in *RecipientInput) { in.ChildIdentityNumber = future }, "input.childIdentityNumber", identity.ReasonFutureDate},
		{"GuardianHNumber", func(in *RecipientInput) { in.GuardianIdentityNumbers = []string{e.guardian(), hNumber} }, "input.guardianIdentityNumbers[1]", identity.ReasonHNumber},
		{"GuardianIsChild", func(in *RecipientInput) { in.GuardianIdentityNumbers = []string{in.ChildIdentityNumber} }, "input.guardianIdentityNumbers[0]", ""},
		{"BirthDateMismatch", func(in *RecipientInput) { in.BirthDate = in.BirthDate.AddDate(0, 0, 1) }, "input.birthDate", "MISMATCH"},
		{"BirthDateInFuture", func(in *RecipientInput) { in.BirthDate = tomorrow }, "input.birthDate", identity.ReasonFutureDate},
		{"NameRequired", func(in *RecipientInput) { in.GivenName = "  " }, "input.givenName", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.change(&in)
			_, err := e.svc.IssueCard(cw, in)
			wantCode(t, err, apperr.BadUserInput, tt.field, tt.reason)
			_, err = e.svc.CheckRecipient(cw, in)
			wantCode(t, err, apperr.BadUserInput, tt.field, tt.reason)
		})
	}
	t.Run("DNumberAccepted", func(t *testing.T) {
		birth := e.today().AddDate(-9, 0, -10)
		n := dNumberFor(t, birth)
		if _, err := e.svc.IssueCard(cw, RecipientInput{ProgrammeID: p.ID, ChildIdentityNumber: n, GivenName: "Ali", BirthDate: birth}); err != nil {
			t.Fatal(err)
		}
	})
}

// dNumberFor returns a valid D-number (day + 40) for birth, in 2000 or later.
func dNumberFor(t *testing.T, birth time.Time) string {
	t.Helper()
	return numberWith(t, birth.Day()+40, int(birth.Month()), birth.Year()%100, 500, 999)
}

// TestIssueSameChildConcurrently has caseworkers of two agencies issue one child at the
// same instant: exactly one card, and every other attempt is ALREADY_HAS_CARD.
func TestIssueSameChildConcurrently(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV"), e.agency("Skolen")
	p := e.programme([]*Agency{nav, school})
	workers := []context.Context{e.caseworker(nav), e.caseworker(school)}
	in := e.recipient(p, 12, e.guardian())

	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = e.svc.IssueCard(workers[i%2], in)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.CodeOf(err) == apperr.CardBlocked && apperr.As(err).Reason == string(AlreadyHasCard):
		default:
			t.Errorf("err = %v, want CARD_BLOCKED ALREADY_HAS_CARD", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d cards issued, want 1", ok)
	}
	if c := e.count("SELECT count(*) FROM cards WHERE programme_id = ?", p.ID); c != 1 {
		t.Errorf("%d cards in the database, want 1", c)
	}
	if c := e.count("SELECT count(*) FROM card_persons"); c != 2 {
		t.Errorf("%d persons, want 2", c)
	}
}

// TestLastCardRaced has many caseworkers race for the last cards of a programme.
func TestLastCardRaced(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav}, func(in *ProgrammeInput) { in.CardsAvailable = 3 })
	cw := e.caseworker(nav)
	const n = 16
	inputs := make([]RecipientInput, n)
	for i := range inputs {
		inputs[i] = e.recipient(p, 8)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.IssueCard(cw, inputs[i])
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.CodeOf(err) == apperr.CardBlocked && apperr.As(err).Reason == string(NoCardsLeft):
		default:
			t.Errorf("err = %v, want CARD_BLOCKED NO_CARDS_LEFT", err)
		}
	}
	if ok != 3 || e.count("SELECT count(*) FROM cards WHERE programme_id = ?", p.ID) != 3 ||
		e.count("SELECT cards_issued FROM card_programmes WHERE id = ?", p.ID) != 3 {
		t.Errorf("%d issued, want 3", ok)
	}
}

// TestDatabaseStopper checks the constraint behind the stopper directly: a second usable
// card for a person in a programme cannot enter, even past the service.
func TestDatabaseStopper(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav})
	issued, err := e.svc.IssueCard(e.caseworker(nav), e.recipient(p, 10))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.db.ExecContext(context.Background(), `INSERT INTO cards (municipality_id, programme_id, kind, holder_id, number, valid_from, valid_to, allowance, agency_id, age_band)
		SELECT municipality_id, programme_id, kind, holder_id, 'ABCD12345', valid_from, valid_to, allowance, agency_id, age_band FROM cards WHERE id = ?`, issued.Card.ID)
	if constraintOf(err) != "cards_one_per_holder_idx" {
		t.Errorf("second active card: %v", err)
	}
	// The service maps the violation to its own error, which IssueCard turns into
	// ALREADY_HAS_CARD when another caseworker was quicker than the checks.
	dup := *issued.Card
	dup.ID, dup.Holder = newID(), nil
	if err := insertCards(context.Background(), e.db, []*Card{&dup}); !errors.Is(err, errHolderTaken) {
		t.Errorf("insertCards of a second card: %v", err)
	}
	// Revoked, the old card no longer stops a new one.
	if _, err := e.svc.RevokeCard(e.coord, issued.Card.ID); err != nil {
		t.Fatal(err)
	}
	e.exec(`INSERT INTO cards (municipality_id, programme_id, kind, holder_id, number, valid_from, valid_to, allowance, agency_id, age_band)
		SELECT municipality_id, programme_id, kind, holder_id, 'ABCD12345', valid_from, valid_to, allowance, agency_id, age_band FROM cards WHERE id = ?`, issued.Card.ID)

	bad := []struct{ name, q string }{
		{"AnonymousWithHolder", "UPDATE cards SET kind = 'ANONYMOUS' WHERE id = ?"},
		{"RevokedWithoutEnd", "UPDATE cards SET ended_at = NULL WHERE id = ?"},
		{"ZeroAllowance", "UPDATE cards SET allowance = 0 WHERE id = ?"},
		{"BadNumber", "UPDATE cards SET number = 'abc-def' WHERE id = ?"},
		{"ValidityInverted", "UPDATE cards SET valid_to = valid_from - 1 WHERE id = ?"},
	}
	for _, b := range bad {
		if _, err := e.db.ExecContext(context.Background(), b.q, issued.Card.ID); err == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
}
