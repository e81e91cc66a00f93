package roster

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Bounds on what a workbook may unpack to: a sheet of 2,000 people is well under a
// megabyte of XML, and anything far above is not a list of people (or is a zip bomb).
const (
	maxUnzipped    = 64 << 20
	maxUnzippedXML = 16 << 20
)

// xlsxCells reads the first worksheet of a workbook row by row, with the cells' stored
// values (a date is its serial number, an identity number typed as a number its digits).
type xlsxCells struct {
	f        *excelize.File
	rows     *excelize.Rows
	row      int
	date1904 bool
}

// openXLSX opens data as a workbook. A workbook excelize cannot read, or that panics it,
// is FORMAT.
func openXLSX(data []byte) (cells *xlsxCells, err error) {
	defer func() {
		if recover() != nil {
			cells, err = nil, formatError()
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data),
		excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedXML})
	if err != nil {
		return nil, formatError()
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, formatError()
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, formatError()
	}
	c := &xlsxCells{f: f, rows: rows}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		c.date1904 = *props.Date1904
	}
	return c, nil
}

func (c *xlsxCells) next() (n int, rec []string, ok bool, err error) {
	defer func() {
		if recover() != nil {
			n, rec, ok, err = 0, nil, false, formatError()
		}
	}()
	if !c.rows.Next() {
		if c.rows.Error() != nil {
			return 0, nil, false, formatError()
		}
		return 0, nil, false, nil
	}
	c.row++
	rec, err = c.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, false, formatError()
	}
	for i, v := range rec {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return 0, nil, false, encodingError(c.row)
		}
		rec[i] = numberText(v)
	}
	return c.row, rec, true, nil
}

// numberText returns a number stored in exponent form ("1.021512345E+10") as its digits,
// when it is a whole number; anything else as it is.
func numberText(v string) string {
	if !strings.ContainsAny(v, "eE") {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f >= 1e15 {
		return v
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// date returns the day a cell holding a date's serial number stands for, as YYYY-MM-DD.
// Only serials from 1900 to 2199 count, so a year or an identity number is not read as a
// date.
func (c *xlsxCells) date(cell string) (string, bool) {
	f, err := strconv.ParseFloat(cell, 64)
	if err != nil || f < 1 || f > 109574 {
		return "", false
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), c.date1904)
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func (c *xlsxCells) close() {
	_ = c.rows.Close()
	_ = c.f.Close()
}

func formatError() error {
	return apperr.Invalid(Field, "SheetFormat", nil).WithReason(ReasonFormat)
}
