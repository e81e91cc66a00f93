package card

import (
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

// The yearly report as files: CSV, one section per table (a row with the table's title,
// its header row, its rows, an empty line), and a printable HTML page. Both carry the
// same tables, headed in the request's language.

// Localizer returns the string of a message ID in the request's language, filled with
// data: the i18n bundle's Localize with the request's locale chain.
type Localizer func(id string, data map[string]any) string

// ReportTable is one table of a report: a title, a header row and the rows; the last row
// is the total when Total is set.
type ReportTable struct {
	Title  string
	Header []string
	Rows   [][]string
	Total  bool
}

// Tables returns the report's tables, headed by tr. Counts are as published ("<5",
// "≥5"), sums of money in kroner with two decimals and a point, empty when hidden.
func (r *CardYearlyReport) Tables(tr Localizer) []ReportTable {
	t := func(id string) string { return tr(id, nil) }
	period := ReportTable{Title: t("YearlyTitle"),
		Header: []string{t("YearlyMunicipality"), t("YearlyProgramme"), t("YearlyFrom"), t("YearlyTo")},
		Rows: [][]string{{r.MunicipalityName, r.ProgrammeName, r.From.Format(time.DateOnly),
			r.To.Format(time.DateOnly)}}}
	overview := ReportTable{Title: t("YearlyOverview"),
		Header: []string{t("YearlyReached"), t("YearlyTookPart")},
		Rows:   [][]string{{r.HoldersReached.Display, r.HoldersTookPart.Display}}}
	holders := func(title, first string, rows []*YearlyHolders, name func(string) string) ReportTable {
		tab := ReportTable{Title: t(title), Header: []string{t(first), t("YearlyReached"), t("YearlyTookPart")}, Total: true}
		for _, h := range rows {
			tab.Rows = append(tab.Rows, []string{name(h.Name), h.Reached.Display, h.TookPart.Display})
		}
		tab.Rows = append(tab.Rows, []string{t("YearlyTotal"), r.HoldersReached.Display, r.HoldersTookPart.Display})
		return tab
	}
	agency := func(n string) string {
		if n == "" {
			return t("YearlyAnonymousCards")
		}
		return n
	}
	band := func(n string) string {
		if n == anonymousBand {
			return t("YearlyAnonymousCards")
		}
		return n
	}
	share := ""
	if r.CardsUsedShare != nil {
		share = strconv.FormatFloat(*r.CardsUsedShare*100, 'f', 1, 64)
	}
	cards := ReportTable{Title: t("YearlyCards"),
		Header: []string{t("YearlyCardsHeld"), t("YearlyCardsIssued"), t("YearlyCardsUsed"), t("YearlyShareUsed")},
		Rows:   [][]string{{r.CardsHeld.Display, r.CardsIssued.Display, r.CardsUsed.Display, share}}}
	return []ReportTable{period, overview, holders("YearlyByAgency", "YearlyAgency", r.HoldersByAgency, agency),
		holders("YearlyByAgeBand", "YearlyAgeBand", r.HoldersByAgeBand, band), cards,
		r.categoryTable(t), r.providerTable(t), r.purposeTable(t), r.moneyTable(tr)}
}

// ticketCells returns the ticket counts of a row as published.
func ticketCells(a *YearlyActivity) []string {
	return []string{a.Claimed.Display, a.Redeemed.Display, a.NoShows.Display, a.Expired.Display}
}

func (r *CardYearlyReport) categoryTable(t func(string) string) ReportTable {
	tab := ReportTable{Title: t("YearlyByCategory"), Total: true,
		Header: []string{t("YearlyCategory"), t("YearlyClaimed"), t("YearlyRedeemed"), t("YearlyNoShows"),
			t("YearlyExpired")}}
	for _, a := range r.ByCategory {
		name := a.Name
		if name == "" {
			name = t("YearlyNoCategory")
		}
		tab.Rows = append(tab.Rows, append([]string{name}, ticketCells(a)...))
	}
	tab.Rows = append(tab.Rows, append([]string{t("YearlyTotal")}, ticketCells(r.Activity)...))
	return tab
}

func (r *CardYearlyReport) providerTable(t func(string) string) ReportTable {
	tab := ReportTable{Title: t("YearlyByProvider"), Total: true,
		Header: []string{t("YearlyProvider"), t("YearlyClaimed"), t("YearlyRedeemed"), t("YearlyNoShows"),
			t("YearlyExpired"), t("YearlyFees"), t("YearlyFeeAmount")}}
	row := func(name string, a *YearlyActivity) []string {
		return append(append([]string{name}, ticketCells(a)...), a.Fees.Display, csvKroner(*a.FeeOre))
	}
	for _, a := range r.ByProvider {
		tab.Rows = append(tab.Rows, row(a.Name, a))
	}
	tab.Rows = append(tab.Rows, row(t("YearlyTotal"), r.Activity))
	return tab
}

func (r *CardYearlyReport) purposeTable(t func(string) string) ReportTable {
	tab := ReportTable{Title: t("YearlyByPurpose"), Total: true,
		Header: []string{t("YearlyPurpose"), t("YearlyFees"), t("YearlyFeeAmount")}}
	for _, f := range r.FeesByPurpose {
		tab.Rows = append(tab.Rows, []string{t("YearlyPurpose" + string(f.Purpose)), f.Fees.Display, csvKroner(f.Ore)})
	}
	tab.Rows = append(tab.Rows, []string{t("YearlyTotal"), r.Activity.Fees.Display, csvKroner(*r.Activity.FeeOre)})
	return tab
}

func (r *CardYearlyReport) moneyTable(tr Localizer) ReportTable {
	m := r.Money
	t := func(id string) string { return tr(id, nil) }
	asOf := map[string]any{"Date": m.AsOf.Format(time.DateOnly)}
	tab := ReportTable{Title: t("YearlyMoney"), Header: []string{t("YearlyItem"), t("YearlyAmount")}}
	for _, row := range []struct {
		name string
		ore  Amount
	}{
		{t("YearlyBudget"), Amount{Ore: &m.BudgetOre}}, {t("YearlyGranted"), m.Granted},
		{t("YearlyToppedUp"), m.ToppedUp}, {t("YearlySpent"), m.Spent}, {t("YearlyTicketsBought"), m.Tickets},
		{t("YearlyExpiredMoney"), m.Expired}, {tr("YearlyCommitted", asOf), m.Committed},
		{tr("YearlyLeft", asOf), m.Left},
	} {
		tab.Rows = append(tab.Rows, []string{row.name, csvKroner(row.ore)})
	}
	return tab
}

// csvKroner formats a sum in øre as kroner with two decimals and a point, or "" when
// hidden: a form every spreadsheet reads.
func csvKroner(a Amount) string {
	if a.Ore == nil {
		return ""
	}
	ore, sign := *a.Ore, ""
	if ore < 0 {
		ore, sign = -ore, "-"
	}
	return fmt.Sprintf("%s%d.%02d", sign, ore/100, ore%100)
}

// WriteCSV writes the report's tables to w as CSV (RFC 4180), headed by tr.
func (r *CardYearlyReport) WriteCSV(w io.Writer, tr Localizer) error {
	cw := csv.NewWriter(w)
	for i, tab := range r.Tables(tr) {
		if i > 0 {
			cw.Write(nil) //nolint:errcheck // the error is kept and returned by Error
		}
		cw.Write([]string{tab.Title}) //nolint:errcheck // as above
		cw.Write(tab.Header)          //nolint:errcheck // as above
		for _, row := range tab.Rows {
			safe := make([]string, len(row))
			for j, v := range row {
				safe[j] = csvSafe(v)
			}
			cw.Write(safe) //nolint:errcheck // as above
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a name (a provider's, say) as a formula: text
// that starts with =, +, - or @ gets a leading apostrophe; numbers, negative ones too, stay.
func csvSafe(v string) string {
	if v == "" || !strings.ContainsRune("=+-@", rune(v[0])) {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + v
}

//go:embed yearly_report.html.tmpl
var yearlyTemplates embed.FS

var yearlyPage = template.Must(template.New("yearly_report.html.tmpl").
	Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).
	ParseFS(yearlyTemplates, "yearly_report.html.tmpl"))

// WriteHTML writes the report as a printable HTML page in language lang to w, headed by
// tr: the municipality, the programme and the period, then its tables.
func (r *CardYearlyReport) WriteHTML(w io.Writer, tr Localizer, lang string) error {
	tables := r.Tables(tr)
	return yearlyPage.Execute(w, map[string]any{
		"Lang": lang, "Title": tr("YearlyTitle", nil), "Report": r, "Note": tr("YearlySuppressionNote", nil),
		"From": r.From.Format(time.DateOnly), "To": r.To.Format(time.DateOnly), "Tables": tables[1:],
	})
}
