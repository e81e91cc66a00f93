package roster

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
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

// xlsxWith writes f out with each part named in parts replaced by what its function makes of
// the part's text ("" for a part f does not have).
func xlsxWith(t *testing.T, f *excelize.File, parts map[string]func(string) string) []byte {
	t.Helper()
	var src, out bytes.Buffer
	if err := f.Write(&src); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(src.Bytes()), int64(src.Len()))
	if err != nil {
		t.Fatal(err)
	}
	old := map[string]string{}
	w := zip.NewWriter(&out)
	for _, e := range zr.File {
		if parts[e.Name] == nil {
			if err := w.Copy(e); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		old[e.Name] = string(b)
	}
	for name, part := range parts {
		pw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(pw, part(old[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// is returns a part's function for xlsxWith that gives s whatever the part was.
func is(s string) func(string) string { return func(string) string { return s } }

// sheetXML wraps rows in a worksheet.
func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows +
		`</sheetData></worksheet>`
}

// TestReadXLSXStoredValues reads a sheet written as other programs write one: shared strings (one
// in formatted runs), inline strings, cells and rows stored without their references, a number
// in exponent form, a boolean, a line break stored escaped, and a date format on cells that do
// not hold dates.
func TestReadXLSXStoredValues(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	inline := func(ref, s string) string {
		return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, s)
	}
	rows := `<row r="1"><c r="B1" t="s"><v>0</v></c>` + inline("C1", "Fornavn") + `<c r="D1" t="s"><v>1</v></c>` +
		inline("E1", "Foresatte") + inline("F1", "Begrunnelse") + `</row>` +
		// Column A is left empty throughout, and so is row 2.
		`<row r="3"><c r="B3"><v>1.021512345E+9</v></c><c r="C3" t="s"><v>2</v></c>` +
		fmt.Sprintf(`<c r="D3" s="%d"><v>42036</v></c>`, date) +
		`<c r="E3" t="s"><v>3</v></c><c r="F3" t="b"><v>1</v></c></row>` +
		// A row and cells without references follow the ones before; the birth date is a formula's
		// text in a column formatted as dates.
		`<row>` + inline("", "") + inline("", "02021512345") + inline("", "Ola") +
		fmt.Sprintf(`<c s="%d" t="str"><f>TEXT(A1;"dd.mm.yyyy")</f><v>02.02.2015</v></c>`, date) + `</row>` +
		// An identity number typed as a number where the column is formatted as dates.
		fmt.Sprintf(`<row r="6"><c r="B6" s="%d"><v>3021512345</v></c>`, date) + inline("C6", "Kari") +
		fmt.Sprintf(`<c r="D6" s="%d"><v>42038</v></c></row>`, date)
	sst := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">` +
		`<si><t>Fødselsnummer</t></si><si><r><t>Fødsels</t></r><r><rPr><b/></rPr><t>dato</t></r></si>` +
		`<si><t>Åse</t></si><si><t xml:space="preserve">14038512345_x000D_` + "\n" + `15038612345</t></si></sst>`
	data := xlsxWith(t, f, map[string]func(string) string{
		"xl/worksheets/sheet1.xml": is(sheetXML(rows)),
		"xl/sharedStrings.xml":     is(sst),
	})
	got, err := Read(bytes.NewReader(data), limits)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Number: 3, HolderIdentityNumber: "1021512345", GivenName: "Åse", BirthDate: "2015-02-01",
			Guardians: []string{"14038512345", "15038612345"}, OverrideReason: "1"},
		{Number: 4, HolderIdentityNumber: "02021512345", GivenName: "Ola", BirthDate: "02.02.2015"},
		{Number: 6, HolderIdentityNumber: "3021512345", GivenName: "Kari", BirthDate: "2015-02-03"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n%+v\nwant\n%+v", got, want)
	}
}

// TestReadXLSXDateSystems reads date cells by the workbook's date system: days counted from
// 1900 (with Excel's 29 February 1900, a day that never was), or from 1904 in a workbook saved
// with 1904 dates, as Excel for Mac once did.
func TestReadXLSXDateSystems(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		date1904 string // as the workbook stores it; "" for the 1900 system
		serials  map[any]string
	}{
		"1900": {"", map[any]string{42036: "2015-02-01", 42036.75: "2015-02-01", 1: "1900-01-01",
			59: "1900-02-28", 61: "1900-03-01", 109574: "2199-12-31", 109575: "109575", 0.5: "0.5"}},
		"1904 as true": {"true", map[any]string{40574: "2015-02-01", 42036: "2019-02-02", 1: "1904-01-02"}},
		"1904 as 1":    {"1", map[any]string{40574: "2015-02-01", 59: "1904-02-29"}},
	} {
		t.Run(name, func(t *testing.T) {
			f := excelize.NewFile()
			defer f.Close()
			date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
			if err != nil {
				t.Fatal(err)
			}
			f.SetSheetRow("Sheet1", "A1", &[]any{"fnr", "fornavn", "fødselsdato"}) //nolint:errcheck // a valid row
			want := map[string]string{}
			n := 1
			for serial, day := range c.serials {
				n++
				name := fmt.Sprint("Barn ", n)
				f.SetSheetRow("Sheet1", fmt.Sprint("A", n), &[]any{"01021512345", name, serial}) //nolint:errcheck // a valid row
				f.SetCellStyle("Sheet1", fmt.Sprint("C", n), fmt.Sprint("C", n), date)           //nolint:errcheck // a valid cell
				want[name] = day
			}
			parts := map[string]func(string) string{}
			if c.date1904 != "" {
				parts["xl/workbook.xml"] = func(s string) string {
					return strings.Replace(s, "<workbookPr ", `<workbookPr date1904="`+c.date1904+`" `, 1)
				}
			}
			rows, err := Read(bytes.NewReader(xlsxWith(t, f, parts)), Limits{MaxBytes: 64 << 10, MaxRows: 10})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range rows {
				got[r.GivenName] = r.BirthDate
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("birth dates %v, want %v", got, want)
			}
		})
	}
}

// TestReadXLSXRefuses refuses workbooks that are damaged, that would unpack to far more than a
// list of people, or that are built to make a reader allocate without bound.
func TestReadXLSXRefuses(t *testing.T) {
	t.Parallel()
	person := `<row r="1"><c r="A1" t="inlineStr"><is><t>fnr</t></is></c>` +
		`<c r="B1" t="inlineStr"><is><t>fornavn</t></is></c><c r="C1" t="inlineStr"><is><t>fødselsdato</t></is></c>` +
		`</row><row r="2"><c r="A2" t="inlineStr"><is><t>01021512345</t></is></c>` +
		`<c r="B2" t="inlineStr"><is><t>Kari</t></is></c><c r="C2"><v>42036</v></c></row>`
	sheet := func(rows string) map[string]func(string) string {
		return map[string]func(string) string{"xl/worksheets/sheet1.xml": is(rows)}
	}
	zeros := func(n int) func(string) string { return is(strings.Repeat("\x00", n)) }
	big := map[string]func(string) string{}
	for i := range 5 {
		big[fmt.Sprintf("xl/media/image%d.png", i)] = zeros(maxUnzipped / 5)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxRows: 5}
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"fnr", "fornavn", "fødselsdato"}) //nolint:errcheck // a valid row
	f.SetSheetRow("Sheet1", "A2", &[]any{"01021512345", "Kari", 42036})    //nolint:errcheck // a valid row
	if rows, err := Read(bytes.NewReader(xlsxWith(t, f, nil)), lim); err != nil || len(rows) != 1 {
		t.Fatalf("the workbook every case changes reads as %+v, %v", rows, err)
	}
	for name, parts := range map[string]map[string]func(string) string{
		"entries that unpack past it together": big,
		"a cell past the last column":          sheet(sheetXML(strings.Replace(person, `"C2"`, `"XFE2"`, 1))),
		"a row past the last row":              sheet(sheetXML(strings.Replace(person, `"2"`, `"1048577"`, 1))),
		"a shared string table of a trillion strings": {
			"xl/sharedStrings.xml": is(`<sst count="1000000000000"><si><t>fnr</t></si></sst>`),
		},
		"no workbook": {"xl/workbook.xml": is("")},
	} {
		t.Run(name, func(t *testing.T) {
			rows, err := Read(bytes.NewReader(xlsxWith(t, f, parts)), lim)
			if rows != nil {
				t.Errorf("rows = %+v", rows)
			}
			wantRefused(t, err, ReasonFormat, 0)
		})
	}
}
