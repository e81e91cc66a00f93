package card

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/card/roster"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// sheetFields are the fields a refused row's problem may name.
var sheetFields = regexp.MustCompile(`^(holderIdentityNumber|givenName|birthDate|overrideReason|guardianIdentityNumbers(\[\d+\])?)$`)

// FuzzParseSheet: any file is refused whole with BAD_USER_INPUT on "file", or gives one
// report row per person, each READY with a recipient or REFUSED with BAD_USER_INPUT on one
// of the sheet's columns and a message; never a panic or an INTERNAL error, and no
// problem shows an identity number's digits.
func FuzzParseSheet(f *testing.F) {
	f.Add([]byte("\uFEFFFødselsnummer;Fornavn;Fødselsdato;Foresatte;Begrunnelse\r\n" +
		"01021512345;Åse;01.02.2015;14038512345, 1403851234;Søsken\r\n"))
	f.Add([]byte("fnr,fornavn,fødselsdato,foresatt 1,foresatt 2\n1021512345,Kari,2015-02-01,01021512345,x\n" +
		"01021512345,Kari,2015-02-01,,\n"))
	f.Add([]byte("fnr;fornavn;fødselsdato\n41021512345;;32.01.2015\n"))
	svc := NewService(nil, testSecret, Options{})
	mid := uuid.MustParse("0190a0f0-0000-7000-8000-000000000001")
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := roster.Read(bytes.NewReader(data), roster.Limits{MaxBytes: 64 << 10, MaxRows: 50})
		if err != nil {
			apperrtest.BadUserInput(t, err, roster.Field)
			return
		}
		report := &SheetReport{}
		entries := svc.parseSheet(mid, rows, today, report)
		if len(report.Rows) != len(rows) {
			t.Fatalf("%d report rows for %d people", len(report.Rows), len(rows))
		}
		ready := 0
		for _, row := range report.Rows {
			switch row.Outcome {
			case SheetReady:
				ready++
			case SheetRefused:
				p := row.Problem
				if p == nil || p.Code != apperr.BadUserInput || p.MessageID == "" || !sheetFields.MatchString(p.Field) {
					t.Fatalf("row %d: problem %#v", row.Row, p)
				}
				if strings.ContainsAny(p.Error(), "0123456789") && !strings.Contains(p.Field, "[") {
					t.Fatalf("row %d: the problem shows digits: %v", row.Row, p)
				}
			default:
				t.Fatalf("row %d: outcome %s", row.Row, row.Outcome)
			}
		}
		if ready != len(entries) {
			t.Fatalf("%d ready rows, %d recipients", ready, len(entries))
		}
		for _, e := range entries {
			if e.r == nil || len(e.r.childKey) != 32 {
				t.Fatalf("row %d has no recipient", e.row.Row)
			}
		}
	})
}
