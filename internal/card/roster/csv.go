package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// csvCells reads a CSV file record by record. A record is a row, and so is each blank
// line (which the CSV reader skips): row counts them all, as a spreadsheet would show the
// file; end is the line the last record ended on.
type csvCells struct {
	r        *csv.Reader
	row, end int
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// openCSV starts reading data as CSV in UTF-8, with the separator its first line uses
// most.
func openCSV(data []byte) (*csvCells, error) {
	if bytes.HasPrefix(data, bomUTF16LE) || bytes.HasPrefix(data, bomUTF16BE) {
		return nil, encodingError(1)
	}
	data = bytes.TrimPrefix(data, bomUTF8)
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1
	return &csvCells{r: r}, nil
}

// separator returns ';', ',' or a tab, whichever occurs most often outside quotes in the
// first line; ',' when none does.
func separator(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ';' || c == ',' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func (c *csvCells) next() (int, []string, bool, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, false, nil
	}
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		c.row += perr.StartLine - c.end
		return 0, nil, false, apperr.Invalid(Field, "SheetSyntax", map[string]any{"Row": c.row}).WithReason(ReasonSyntax)
	}
	if err != nil {
		return 0, nil, false, apperr.Invalid(Field, "SheetUnreadable", nil).WithReason(ReasonFormat)
	}
	start, _ := c.r.FieldPos(0)
	last, _ := c.r.FieldPos(len(rec) - 1)
	c.row += start - c.end
	c.end = last + strings.Count(rec[len(rec)-1], "\n")
	for _, v := range rec {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return 0, nil, false, encodingError(c.row)
		}
	}
	return c.row, rec, true, nil
}

// date: a CSV cell is text, never a date value.
func (c *csvCells) date(string) (string, bool) { return "", false }

func (c *csvCells) close() {}

// encodingError refuses a sheet whose row is not UTF-8 text: most often a CSV saved in
// Windows-1252 ("CSV (semikolonseparert)") or UTF-16 ("Unicode-tekst").
func encodingError(row int) error {
	return apperr.Invalid(Field, "SheetEncoding", map[string]any{"Row": row}).WithReason(ReasonEncoding)
}
