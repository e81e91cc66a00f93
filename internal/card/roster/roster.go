// Package roster reads a sheet of people to issue activity cards to, as caseworkers keep
// them in a spreadsheet: a CSV file (UTF-8, with or without a byte order mark, separated by
// semicolons as Norwegian Excel writes it, or by commas or tabs) or an XLSX workbook (its
// first sheet). The first row that is not blank holds the headings; every later row that
// is not blank is a person.
//
// Read checks the file as a whole and returns its rows as text, cell by cell; whether a
// row's values are right (an identity number's check digits, say) is for the caller.
// Every error is BAD_USER_INPUT on the field "file", with a stable reason and, where it
// is about one row, the row's number in Data["Row"], counted as a spreadsheet shows it.
// No error carries a cell's content, which may be an identity number: a column is named by
// its letter (A, B, ...).
package roster

import (
	"bytes"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Field is the argument every error of Read names.
const Field = "file"

// Reasons a sheet is refused, sent as extensions.reason.
const (
	ReasonTooLarge       = "TOO_LARGE"
	ReasonEmpty          = "EMPTY"
	ReasonFormat         = "FORMAT"
	ReasonEncoding       = "ENCODING"
	ReasonSyntax         = "SYNTAX"
	ReasonUnknownColumn  = "UNKNOWN_COLUMN"
	ReasonMissingColumn  = "MISSING_COLUMN"
	ReasonRepeatedColumn = "REPEATED_COLUMN"
	ReasonTooManyRows    = "TOO_MANY_ROWS"
)

// Column is a column of the sheet by its API name, the name a row's problem is reported
// under.
type Column string

// The columns. Guardians may be spread over several columns (Foresatt 1, Foresatt 2) or
// given in one, separated by commas, semicolons, slashes or line breaks.
const (
	HolderIdentityNumber    Column = "holderIdentityNumber"
	GivenName               Column = "givenName"
	BirthDate               Column = "birthDate"
	GuardianIdentityNumbers Column = "guardianIdentityNumbers"
	OverrideReason          Column = "overrideReason"
)

// required are the columns every sheet must have.
var required = []Column{HolderIdentityNumber, GivenName, BirthDate}

// headings are the headings each column is known by, normalised (see normalHeading).
// Guardian headings may end in a number.
var headings = map[string]Column{
	"holderidentitynumber": HolderIdentityNumber, "childidentitynumber": HolderIdentityNumber,
	"identitynumber": HolderIdentityNumber, "fødselsnummer": HolderIdentityNumber, "fodselsnummer": HolderIdentityNumber,
	"fnr": HolderIdentityNumber, "personnummer": HolderIdentityNumber, "dnummer": HolderIdentityNumber,
	"fødselsnummerellerdnummer": HolderIdentityNumber, "identitetsnummer": HolderIdentityNumber,
	"givenname": GivenName, "firstname": GivenName, "fornavn": GivenName, "førenamn": GivenName,
	"birthdate": BirthDate, "dateofbirth": BirthDate, "fødselsdato": BirthDate, "fodselsdato": BirthDate,
	"fødd": BirthDate, "født": BirthDate,
	"guardianidentitynumbers": GuardianIdentityNumbers, "guardianidentitynumber": GuardianIdentityNumbers,
	"guardians": GuardianIdentityNumbers, "guardian": GuardianIdentityNumbers, "foresatte": GuardianIdentityNumbers,
	"foresatt": GuardianIdentityNumbers, "føresette": GuardianIdentityNumbers, "føresett": GuardianIdentityNumbers,
	"foresattesfødselsnummer": GuardianIdentityNumbers, "foresattfødselsnummer": GuardianIdentityNumbers,
	"overridereason": OverrideReason, "begrunnelse": OverrideReason, "grunngjeving": OverrideReason,
	"reason": OverrideReason,
}

// Limits bound what Read takes.
type Limits struct {
	// MaxBytes is the largest file.
	MaxBytes int64
	// MaxRows is the most people in one sheet (blank rows and the headings not counted).
	MaxRows int
	// MaxCells bounds the cells read, blank ones too (default DefaultMaxCells): a workbook
	// may hold hundreds of thousands of formatted but empty rows as wide as a sheet can be.
	MaxCells int
}

// DefaultMaxCells is MaxCells when it is 0: 2,000 rows of 2,000 columns.
const DefaultMaxCells = 4_000_000

// Row is one person of the sheet, as text with spaces trimmed.
type Row struct {
	// Number is the row's number as a spreadsheet shows it: the first row is 1.
	Number               int
	HolderIdentityNumber string
	GivenName            string
	// BirthDate is the cell as written; a date an XLSX cell holds as a date is written
	// YYYY-MM-DD.
	BirthDate string
	// Guardians are the guardians' identity numbers, in the order given.
	Guardians      []string
	OverrideReason string
}

// Read reads a CSV or XLSX sheet (which one, by its content) from r. Errors:
// BAD_USER_INPUT on "file" with the reasons above: over MaxBytes or MaxCells (TOO_LARGE),
// no headings
// or no person (EMPTY), neither CSV nor XLSX, an encrypted or damaged workbook (FORMAT),
// text that is not UTF-8 (ENCODING, with the row), a broken quote (SYNTAX, with the row),
// a heading it does not know or a value under no heading (UNKNOWN_COLUMN), a required
// column missing (MISSING_COLUMN) or given twice (REPEATED_COLUMN), and more than MaxRows
// people (TOO_MANY_ROWS).
func Read(r io.Reader, lim Limits) ([]Row, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, apperr.Invalid(Field, "SheetUnreadable", nil).WithReason(ReasonFormat)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, apperr.Invalid(Field, "SheetTooLarge", map[string]any{"MaxKB": lim.MaxBytes >> 10}).
			WithReason(ReasonTooLarge)
	}
	var cells cellReader
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		cells, err = openXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// An old binary workbook (XLS) or an encrypted XLSX.
		err = apperr.Invalid(Field, "SheetFormat", nil).WithReason(ReasonFormat)
	default:
		cells, err = openCSV(data)
	}
	if err != nil {
		return nil, err
	}
	defer cells.close()
	if lim.MaxCells <= 0 {
		lim.MaxCells = DefaultMaxCells
	}
	return readRows(cells, lim)
}

// cellReader gives a sheet's rows one at a time: the row's number and its cells, and
// false at the end.
type cellReader interface {
	next() (int, []string, bool, error)
	// date returns the ISO date an XLSX date cell holds, if cell is one.
	date(cell string) (string, bool)
	close()
}

// layout says which cell of a row goes where.
type layout struct {
	columns []Column // by index; "" for a blank heading
}

// readRows reads the headings and then the people.
func readRows(cells cellReader, lim Limits) ([]Row, error) {
	var l *layout
	var out []Row
	seen := 0
	for {
		n, rec, ok, err := cells.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if seen += len(rec); seen > lim.MaxCells {
			return nil, apperr.Invalid(Field, "SheetTooManyCells", nil).WithReason(ReasonTooLarge)
		}
		if blank(rec) {
			continue
		}
		if l == nil {
			if l, err = headingsOf(rec); err != nil {
				return nil, err
			}
			continue
		}
		if len(out) == lim.MaxRows {
			return nil, apperr.Invalid(Field, "SheetTooManyRows", map[string]any{"Max": lim.MaxRows}).
				WithReason(ReasonTooManyRows)
		}
		row, err := l.row(cells, n, rec)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	if len(out) == 0 {
		return nil, apperr.Invalid(Field, "SheetEmpty", nil).WithReason(ReasonEmpty)
	}
	return out, nil
}

// headingsOf maps the headings to columns.
func headingsOf(rec []string) (*layout, error) {
	l := &layout{columns: make([]Column, len(rec))}
	seen := map[Column]bool{}
	for i, h := range rec {
		if strings.TrimSpace(h) == "" {
			continue
		}
		c, ok := columnOf(h)
		if !ok {
			return nil, apperr.Invalid(Field, "SheetColumnUnknown", map[string]any{"Column": letters(i)}).
				WithReason(ReasonUnknownColumn)
		}
		if seen[c] && c != GuardianIdentityNumbers {
			return nil, apperr.Invalid(Field, "SheetColumnRepeated", map[string]any{"Column": letters(i)}).
				WithReason(ReasonRepeatedColumn)
		}
		seen[c] = true
		l.columns[i] = c
	}
	for _, c := range required {
		if !seen[c] {
			return nil, apperr.Invalid(Field, "SheetColumnMissing", map[string]any{"Column": string(c)}).
				WithReason(ReasonMissingColumn)
		}
	}
	return l, nil
}

// row reads one person.
func (l *layout) row(cells cellReader, n int, rec []string) (Row, error) {
	r := Row{Number: n}
	for i, v := range rec {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if i >= len(l.columns) || l.columns[i] == "" {
			return r, apperr.Invalid(Field, "SheetCellWithoutHeading", map[string]any{"Row": n}).
				WithReason(ReasonUnknownColumn)
		}
		switch l.columns[i] {
		case HolderIdentityNumber:
			r.HolderIdentityNumber = v
		case GivenName:
			r.GivenName = v
		case BirthDate:
			if d, ok := cells.date(v); ok {
				v = d
			}
			r.BirthDate = v
		case GuardianIdentityNumbers:
			r.Guardians = append(r.Guardians, splitNumbers(v)...)
		case OverrideReason:
			r.OverrideReason = v
		}
	}
	return r, nil
}

// splitNumbers splits a cell of several identity numbers. Spaces, dots and dashes stay:
// they may be part of one number as written ("010203 12345").
func splitNumbers(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == '/' || r == '|' || r == '\n' || r == '\r'
	}) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// columnOf returns the column a heading names.
func columnOf(h string) (Column, bool) {
	k := normalHeading(h)
	if c, ok := headings[k]; ok {
		return c, true
	}
	if c, ok := headings[strings.TrimRightFunc(k, unicode.IsDigit)]; ok && c == GuardianIdentityNumbers {
		return c, true
	}
	return "", false
}

// normalHeading returns h in lower case, composed, with only its letters and digits:
// "Fødsels-nummer", "fødselsnummer" and "FØDSELSNUMMER " are one heading.
func normalHeading(h string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// letters returns the name a spreadsheet gives the column at index i: A, B, ..., Z, AA.
// A message names a column so, never by its heading, which might be someone's identity
// number in a sheet without headings.
func letters(i int) string {
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
