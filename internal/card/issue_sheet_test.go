package card

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// csvSheet returns a CSV sheet as Norwegian Excel saves "CSV UTF-8": a byte order mark,
// semicolons and CRLF, with the headings caseworkers would write.
func csvSheet(rows ...[]string) *bytes.Reader {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = ';', true
	w.Write([]string{"Fødselsnummer", "Fornavn", "Fødselsdato", "Foresatte", "Begrunnelse"}) //nolint:errcheck // in memory
	w.WriteAll(rows)                                                                         //nolint:errcheck // in memory
	return bytes.NewReader(b.Bytes())
}

// sheetRow returns a row for a child aged years with guardians.
func (e *env) sheetRow(years int, name string, guardians ...string) []string {
	n, birth := e.child(years)
	return []string{n, name, birth.Format("02.01.2006"), strings.Join(guardians, ", "), ""}
}

// outcomes returns the outcome of each row of a report.
func outcomes(r *SheetReport) []string {
	var out []string
	for _, row := range r.Rows {
		out = append(out, fmt.Sprintf("%d:%s", row.Row, row.Outcome))
	}
	return out
}

func wantOutcomes(t *testing.T, r *SheetReport, want ...string) {
	t.Helper()
	if got := strings.Join(outcomes(r), " "); got != strings.Join(want, " ") {
		t.Fatalf("outcomes %s, want %s", got, strings.Join(want, " "))
	}
}

// badCheckDigit returns n with its last digit changed.
func badCheckDigit(n string) string {
	return n[:10] + string('0'+(n[10]-'0'+1)%10)
}

func TestIssueCardsFromSheet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Helsesykepleier Larvik")
	p := e.programme([]*Agency{nav, school})
	cwNAV, cwSchool := e.caseworker(nav), e.caseworker(school)
	held := e.recipient(p, 9)
	if _, err := e.svc.IssueCard(cwSchool, held); err != nil {
		t.Fatal(err)
	}
	mother := e.guardian()
	good := [][]string{e.sheetRow(10, "Åse", mother), e.sheetRow(8, "Ola", mother), e.sheetRow(12, "Kari Nordmann")}
	blocked := []string{held.ChildIdentityNumber, "Per", held.BirthDate.Format("02.01.2006"), "", ""}
	typo := e.sheetRow(7, "Nils")
	typo[0] = badCheckDigit(typo[0])
	issued := e.count("SELECT count(*) FROM cards")

	r, err := e.svc.IssueCardsFromSheet(cwNAV, p.ID, csvSheet(good[0], good[1], blocked, typo, good[2]), false)
	if err != nil {
		t.Fatal(err)
	}
	// A wrong check digit makes the sheet bad: nothing is issued, and the report says why.
	wantOutcomes(t, r, "2:READY", "3:READY", "4:BLOCKED", "5:REFUSED", "6:READY")
	if pr := r.Rows[3].Problem; pr.Field != "holderIdentityNumber" || pr.Reason != identity.ReasonCheckDigit {
		t.Errorf("problem of row 5: %+v", pr)
	}
	f := hasFinding(r.Rows[2].Findings, AlreadyHasCard, SeverityBlock)
	if f == nil || f.Agency != "Helsesykepleier Larvik" || f.Field != "holderIdentityNumber" || len(r.Rows[2].Findings) != 1 {
		t.Errorf("findings of row 4: %+v", r.Rows[2].Findings)
	}
	if n := e.count("SELECT count(*) FROM cards"); n != issued || len(r.Issued()) != 0 {
		t.Fatalf("%d cards issued from a bad sheet", n-issued)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'check_card_recipients' AND item_id = ?", p.ID); n != 1 {
		t.Errorf("%d audit entries of the checks", n)
	}

	t.Run("DryRun", func(t *testing.T) {
		r, err := e.svc.IssueCardsFromSheet(cwNAV, p.ID, csvSheet(good[0], good[1], blocked, good[2]), true)
		if err != nil {
			t.Fatal(err)
		}
		wantOutcomes(t, r, "2:READY", "3:READY", "4:BLOCKED", "5:READY")
		if n := e.count("SELECT count(*) FROM cards"); n != issued {
			t.Fatalf("a dry run issued %d cards", n-issued)
		}
	})

	// With the typo fixed the good rows are issued, in one go; the blocked row is left.
	r, err = e.svc.IssueCardsFromSheet(cwNAV, p.ID, csvSheet(good[0], good[1], blocked, good[2]), false)
	if err != nil {
		t.Fatal(err)
	}
	wantOutcomes(t, r, "2:ISSUED", "3:ISSUED", "4:BLOCKED", "5:ISSUED")
	if n := e.count("SELECT count(*) FROM cards"); n != issued+3 || len(r.Issued()) != 3 {
		t.Fatalf("%d cards issued, want 3", n-issued)
	}
	c := r.Rows[0].Card
	if c.Status != CardActive || c.Kind != CardPersonal || *c.AgencyID != nav.ID || c.Holder.GivenName != "Åse" || *c.AgeBand != "10-12" {
		t.Errorf("card of row 2: %+v %+v", c, c.Holder)
	}
	if r.Programme.CardsIssued != 4 || e.count("SELECT cards_issued FROM card_programmes WHERE id = ?", p.ID) != 4 {
		t.Errorf("programme after the sheet: %d issued", r.Programme.CardsIssued)
	}
	// Siblings in one sheet do not warn about each other; the mother is linked to both.
	if len(r.Rows[0].Findings)+len(r.Rows[1].Findings) != 0 {
		t.Errorf("findings of siblings: %v %v", codes(r.Rows[0].Findings), codes(r.Rows[1].Findings))
	}
	if n := e.count(`SELECT count(*) FROM card_guardianships gs JOIN card_persons g ON g.id = gs.guardian_id
		WHERE g.identity_key = ?`, e.svc.identityKey(e.larvik.ID(), mustParse(t, mother))); n != 2 {
		t.Errorf("the mother has %d children", n)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'issue_card' AND fields = '{holder,guardians}' AND item_id IN (?, ?, ?)",
		r.Rows[0].Card.ID, r.Rows[1].Card.ID, r.Rows[3].Card.ID); n != 3 {
		t.Errorf("%d audit entries of the cards", n)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'issue_cards_from_sheet' AND item_id = ?", p.ID); n != 1 {
		t.Errorf("%d audit entries of the sheet", n)
	}

	t.Run("GuardianHasOtherCard", func(t *testing.T) {
		// A new sheet: the mother's children hold cards now, so a third child is a warning,
		// stopped without a written reason and issued with one.
		third := e.sheetRow(6, "Lise", mother)
		r, err := e.svc.IssueCardsFromSheet(cwNAV, p.ID, csvSheet(third), false)
		if err != nil {
			t.Fatal(err)
		}
		wantOutcomes(t, r, "2:BLOCKED")
		if f := hasFinding(r.Rows[0].Findings, GuardianHasOtherCard, SeverityWarn); f == nil || f.Field != "guardianIdentityNumbers[0]" {
			t.Errorf("findings: %+v", r.Rows[0].Findings)
		}
		third[4] = "kort"
		r, _ = e.svc.IssueCardsFromSheet(cwNAV, p.ID, csvSheet(third), false)
		wantOutcomes(t, r, "2:REFUSED")
		if r.Rows[0].Problem.Field != "overrideReason" {
			t.Errorf("problem: %+v", r.Rows[0].Problem)
		}
		third[4] = "Tre søsken; alle har vedtak fra NAV."
		r, err = e.svc.IssueCardsFromSheet(cwNAV, p.ID, csvSheet(third), false)
		if err != nil {
			t.Fatal(err)
		}
		wantOutcomes(t, r, "2:ISSUED")
		if c := r.Rows[0].Card; c.OverrideReason == nil || *c.OverrideReason != third[4] {
			t.Errorf("card: %+v", c)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE item_id = ? AND fields @> '{override:GUARDIAN_HAS_OTHER_CARD}' AND note = ?",
			r.Rows[0].Card.ID, third[4]); n != 1 {
			t.Errorf("audit of the override: %d", n)
		}
	})
}

func mustParse(t *testing.T, n string) identity.Number {
	t.Helper()
	num, err := identity.Parse(n, "")
	if err != nil {
		t.Fatal(err)
	}
	return num
}

func TestIssueCardsFromSheetBadFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav}, func(in *ProgrammeInput) { in.CardsAvailable = 3 })
	cw := e.caseworker(nav)
	count := func() int { return e.count("SELECT count(*) FROM cards") }

	t.Run("DuplicateChild", func(t *testing.T) {
		a, b := e.sheetRow(10, "Åse"), e.sheetRow(11, "Ola")
		again := append([]string{}, a...)
		again[0] = a[0][:6] + " " + a[0][6:] // the same number, written otherwise
		r, err := e.svc.IssueCardsFromSheet(cw, p.ID, csvSheet(a, b, again), false)
		if err != nil {
			t.Fatal(err)
		}
		wantOutcomes(t, r, "2:READY", "3:READY", "4:REFUSED")
		if pr := r.Rows[2].Problem; pr.Reason != "DUPLICATE" || pr.Field != "holderIdentityNumber" || pr.Data["Row"] != 2 {
			t.Errorf("problem: %+v", pr)
		}
		if count() != 0 {
			t.Fatal("cards issued from a sheet with a child twice")
		}
	})

	t.Run("BadRows", func(t *testing.T) {
		mismatch := e.sheetRow(10, "Åse")
		mismatch[2] = "01.01.2000"
		noName := e.sheetRow(10, "")
		badDate := e.sheetRow(10, "Kari")
		badDate[2] = "12/31/2015"
		badGuardian := e.sheetRow(10, "Ola", e.guardian(), "123")
		r, err := e.svc.IssueCardsFromSheet(cw, p.ID, csvSheet(mismatch, noName, badDate, badGuardian), false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range r.Rows {
			got = append(got, row.Problem.Field+"/"+row.Problem.Reason)
		}
		want := "birthDate/MISMATCH givenName/ birthDate/DATE guardianIdentityNumbers[1]/LENGTH"
		if strings.Join(got, " ") != want {
			t.Errorf("problems %v, want %s", got, want)
		}
		for _, row := range r.Rows {
			if row.Problem.Code != apperr.BadUserInput || row.Problem.MessageID == "" {
				t.Errorf("problem %+v", row.Problem)
			}
		}
	})

	t.Run("Windows1252", func(t *testing.T) {
		row := e.sheetRow(10, "K\xe5re") // å in Windows-1252
		_, err := e.svc.IssueCardsFromSheet(cw, p.ID, csvSheet(e.sheetRow(9, "Ola"), row), false)
		ae := wantCode(t, err, apperr.BadUserInput, "file", "ENCODING")
		if ae.Data["Row"] != 3 {
			t.Errorf("row = %v, want 3", ae.Data["Row"])
		}
	})

	t.Run("NoCardsLeft", func(t *testing.T) {
		sheet := csvSheet(e.sheetRow(10, "A"), e.sheetRow(10, "B"), e.sheetRow(10, "C"), e.sheetRow(10, "D"))
		_, err := e.svc.IssueCardsFromSheet(cw, p.ID, sheet, false)
		wantCode(t, err, apperr.BadUserInput, "file", string(NoCardsLeft))
		if count() != 0 {
			t.Fatal("cards issued beyond the programme's")
		}
	})

	t.Run("TooManyRows", func(t *testing.T) {
		small := NewService(e.db, testSecret, Options{MaxSheetRows: 2})
		sheet := csvSheet(e.sheetRow(10, "A"), e.sheetRow(10, "B"), e.sheetRow(10, "C"))
		_, err := small.IssueCardsFromSheet(cw, p.ID, sheet, false)
		wantCode(t, err, apperr.BadUserInput, "file", "TOO_MANY_ROWS")
	})

	t.Run("Access", func(t *testing.T) {
		sheet := func() *bytes.Reader { return csvSheet(e.sheetRow(10, "Åse")) }
		_, err := e.svc.IssueCardsFromSheet(e.coord, p.ID, sheet(), false)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.IssueCardsFromSheet(e.admin, p.ID, sheet(), true)
		wantCode(t, err, apperr.Forbidden)
		other := e.caseworker(e.agency("Barnevernet"))
		_, err = e.svc.IssueCardsFromSheet(other, p.ID, sheet(), true)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.IssueCardsFromSheet(anonymous(e.larvik), p.ID, sheet(), true)
		wantCode(t, err, apperr.Unauthenticated)
		hamar := e.municipality("hamar")
		stranger, _ := e.as(hamar, auth.RoleCaseworker)
		_, err = e.svc.IssueCardsFromSheet(stranger, p.ID, sheet(), true)
		if apperr.CodeOf(err) == "" {
			t.Error("a caseworker of another municipality read the sheet")
		}
		if count() != 0 {
			t.Fatal("cards issued")
		}
	})
}

func TestIssueCardsFromXLSX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	// Born on the 5th: a number that starts with 0, which a spreadsheet drops when the cell
	// is a number; the birth date a date cell.
	birth := e.today().AddDate(-10, 0, 0)
	birth = time.Date(birth.Year(), birth.Month(), 5, 0, 0, 0, 0, time.UTC)
	if birth.After(e.today().AddDate(-10, 0, 0)) {
		birth = birth.AddDate(0, -1, 0)
	}
	n := idNumber(t, birth)
	asNumber, _ := strconv.Atoi(n)
	other, otherBirth := e.child(12)

	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Fødselsnummer", "Fornavn", "Fødselsdato", "Foresatt 1", "Foresatt 2"},
		{asNumber, "Åse", birth, e.guardian(), e.guardian()},
		{},
		{other, "Ola", otherBirth.Format("02.01.2006")},
	}
	for i, row := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.IssueCardsFromSheet(cw, p.ID, &buf, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].Problem != nil {
		t.Errorf("problem of row 2: %+v", r.Rows[0].Problem)
	}
	wantOutcomes(t, r, "2:ISSUED", "4:ISSUED")
	if h := r.Rows[0].Card.Holder; h.GivenName != "Åse" || !h.BirthDate.Equal(birth) {
		t.Errorf("holder of row 2: %+v", h)
	}
	// The number is the one with its zero back: the card is found by it.
	rep, err := e.svc.PersonalDataReport(e.admin, n)
	if err != nil || !rep.Found || len(rep.Cards) != 1 || rep.Guardians != 2 {
		t.Errorf("report: %+v %v", rep, err)
	}
}
