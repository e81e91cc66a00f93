package roster

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// reasons are the reasons Read may give.
var reasons = map[string]bool{ReasonTooLarge: true, ReasonEmpty: true, ReasonFormat: true, ReasonEncoding: true,
	ReasonSyntax: true, ReasonUnknownColumn: true, ReasonMissingColumn: true, ReasonRepeatedColumn: true,
	ReasonTooManyRows: true}

// FuzzRead: any file is rows or BAD_USER_INPUT on "file" with a known reason, never a
// panic; rows are in order, within the limit, below the headings, and valid UTF-8.
func FuzzRead(f *testing.F) {
	f.Add([]byte("\uFEFFFødselsnummer;Fornavn;Fødselsdato;Foresatt 1\r\n01021512345;Åse;01.02.2015;14038512345\r\n"))
	f.Add([]byte("fnr,fornavn,fødselsdato,foresatte\n\"01021512345\",\"Kari\n\"\"K\"\"\",2015-02-01,\"1, 2\"\n\n"))
	f.Add([]byte("fnr;fornavn;fødselsdato\n0102;K\xe5re;01.02.2015\n"))
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"fnr", "fornavn", "fødselsdato"}) //nolint:errcheck // a valid row
	x.SetSheetRow("Sheet1", "A3", &[]any{1021512345, "Åse", 42036})        //nolint:errcheck // a valid row
	var buf bytes.Buffer
	x.Write(&buf) //nolint:errcheck // in memory
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := Read(bytes.NewReader(data), limits)
		if err != nil {
			apperrtest.BadUserInput(t, err, Field)
			if r := apperr.As(err).Reason; !reasons[r] {
				t.Fatalf("reason %q", r)
			}
			return
		}
		if len(rows) == 0 || len(rows) > limits.MaxRows {
			t.Fatalf("%d rows", len(rows))
		}
		prev := 1
		for _, r := range rows {
			if r.Number <= prev {
				t.Fatalf("row %d after %d", r.Number, prev)
			}
			prev = r.Number
			for _, s := range append([]string{r.HolderIdentityNumber, r.GivenName, r.BirthDate, r.OverrideReason}, r.Guardians...) {
				if !utf8.ValidString(s) {
					t.Fatalf("row %d has invalid UTF-8", r.Number)
				}
			}
		}
	})
}
