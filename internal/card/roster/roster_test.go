package roster

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fritid/fritid/internal/platform/apperr"
)

var limits = Limits{MaxBytes: 64 << 10, MaxRows: 5, MaxCells: 200}

// wantRefused fails t unless err refuses the file with reason and, when row > 0, names
// the row.
func wantRefused(t *testing.T, err error, reason string, row int) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.BadUserInput || e.Field != Field || e.Reason != reason || e.MessageID == "" {
		t.Fatalf("err = %v, want BAD_USER_INPUT on %s with reason %s", err, Field, reason)
	}
	if row > 0 && e.Data["Row"] != row {
		t.Errorf("row = %v, want %d", e.Data["Row"], row)
	}
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	want := []Row{
		{Number: 2, HolderIdentityNumber: "01021512345", GivenName: "Åse", BirthDate: "01.02.2015",
			Guardians: []string{"14038512345", "150386 12345"}},
		{Number: 4, HolderIdentityNumber: "02021512345", GivenName: "Ola Nordmann", BirthDate: "2015-02-02",
			OverrideReason: "Søsken; vedtak i NAV"},
	}
	for name, sheet := range map[string]string{
		// Norwegian Excel's "CSV UTF-8": a byte order mark, semicolons, CRLF.
		"BOM and semicolons": "\uFEFFFødselsnummer;Fornavn;Fødselsdato;Foresatt 1;Foresatt 2;Begrunnelse\r\n" +
			"01021512345;Åse;01.02.2015;14038512345;150386 12345;\r\n;;;;;\r\n" +
			"02021512345;Ola Nordmann;2015-02-02;;;\"Søsken; vedtak i NAV\"\r\n",
		"commas and the API's names": "holderIdentityNumber,givenName,birthDate,guardianIdentityNumbers,overrideReason\n" +
			"01021512345,Åse,01.02.2015,\"14038512345, 150386 12345\",\n\n" +
			"02021512345,Ola Nordmann,2015-02-02,,\"Søsken; vedtak i NAV\"\n",
		"tabs": "fnr\tfornavn\tfødselsdato\tforesatte\tbegrunnelse\n" +
			"01021512345\tÅse\t01.02.2015\t14038512345/150386 12345\t\n\t\n" +
			"02021512345\tOla Nordmann\t2015-02-02\t\tSøsken; vedtak i NAV\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Read(strings.NewReader(sheet), limits)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("rows:\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestReadXLSX(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	for cell, v := range map[string]any{
		"A1": "Fødselsnummer", "B1": "Fornavn", "C1": "Fødselsdato", "D1": "Foresatte",
		// An identity number typed as a number, a birth date typed as a date.
		"A2": 1021512345, "B2": "Åse", "C2": time.Date(2015, 2, 1, 0, 0, 0, 0, time.UTC), "D2": "14038512345",
		// Row 3 left out; text where the caseworker typed text.
		"A4": "02021512345", "B4": "Ola", "C4": "02.02.2015",
	} {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle(sh, "C2", "C2", style) //nolint:errcheck // a valid range
	f.NewSheet("Ark2")                    //nolint:errcheck // only the first sheet is read
	f.SetCellValue("Ark2", "A1", "ignored")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf, limits)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Number: 2, HolderIdentityNumber: "1021512345", GivenName: "Åse", BirthDate: "2015-02-01", Guardians: []string{"14038512345"}},
		{Number: 4, HolderIdentityNumber: "02021512345", GivenName: "Ola", BirthDate: "02.02.2015"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n%+v\nwant\n%+v", got, want)
	}
}

func TestReadRefuses(t *testing.T) {
	t.Parallel()
	head := "fødselsnummer;fornavn;fødselsdato\n"
	row := "01021512345;Kari;01.02.2015\n"
	for name, c := range map[string]struct {
		sheet  string
		reason string
		row    int
	}{
		// "Kåre" and "Søsken" saved as Windows-1252: å is 0xE5, ø 0xF8.
		"Windows-1252":       {head + row + "02021512345;K\xe5re;02.02.2015\n", ReasonEncoding, 3},
		"UTF-16":             {"\xff\xfef\x00n\x00r\x00", ReasonEncoding, 1},
		"UTF-16 without BOM": {"f\x00n\x00r\x00;\x00", ReasonEncoding, 1},
		"a broken quote":     {head + row + "\"02021512345;Kari;02.02.2015\n\"x\"y;;\n", ReasonSyntax, 3},
		"an unknown heading": {"fødselsnummer;fornavn;fødselsdato;skole\n" + row, ReasonUnknownColumn, 0},
		"no headings":        {row + row, ReasonUnknownColumn, 0},
		"a value under no heading": {head + row + "02021512345;Kari;02.02.2015;x\n",
			ReasonUnknownColumn, 3},
		"no birth date":    {"fødselsnummer;fornavn\n01021512345;Kari\n", ReasonMissingColumn, 0},
		"two names":        {"fødselsnummer;fornavn;fornavn;fødselsdato\n", ReasonRepeatedColumn, 0},
		"only headings":    {head + ";;\n", ReasonEmpty, 0},
		"nothing":          {"", ReasonEmpty, 0},
		"too many rows":    {head + strings.Repeat(row, 6), ReasonTooManyRows, 0},
		"too large":        {head + strings.Repeat(row, 3000), ReasonTooLarge, 0},
		"too many cells":   {head + strings.Repeat(";;;;;;;;;;;;;;;;;;;\n", 10) + row, ReasonTooLarge, 0},
		"an old workbook":  {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ReasonFormat, 0},
		"a broken archive": {"PK\x03\x04 not really a zip", ReasonFormat, 0},
	} {
		t.Run(name, func(t *testing.T) {
			rows, err := Read(strings.NewReader(c.sheet), limits)
			if rows != nil {
				t.Errorf("rows = %+v", rows)
			}
			wantRefused(t, err, c.reason, c.row)
			if strings.Contains(fmt.Sprint(err, apperr.As(err).Data), "0102") {
				t.Errorf("the error shows an identity number: %v %v", err, apperr.As(err).Data)
			}
		})
	}
}

func TestReadNamesColumnsByLetter(t *testing.T) {
	t.Parallel()
	cols := "fødselsnummer;fornavn;fødselsdato" + strings.Repeat(";", 25) + "klasse\n"
	_, err := Read(strings.NewReader(cols+"01021512345;Kari;01.02.2015\n"), limits)
	wantRefused(t, err, ReasonUnknownColumn, 0)
	if got := apperr.As(err).Data["Column"]; got != "AB" {
		t.Errorf("column = %v, want AB", got)
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2015-02-01": "2015-02-01", "01.02.2015": "2015-02-01", "1.2.2015": "2015-02-01", "01/02/2015": "2015-02-01",
		"01-02-2015": "2015-02-01", "29.02.2016": "2016-02-29",
		"29.02.2015": "", "01.02.15": "", "2/1/2015 ": "2015-01-02", "32.01.2015": "", "+1.02.2015": "", "": "",
		"2015-2-1": "", "01.13.2015": "", "tomorrow": "",
	} {
		got, ok := ParseDate(in)
		if s := got.Format(time.DateOnly); ok != (want != "") || ok && s != want {
			t.Errorf("ParseDate(%q) = %s %v, want %q", in, s, ok, want)
		}
	}
}
