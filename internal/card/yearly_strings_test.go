package card

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// TestYearlyReportStrings checks that every heading of the yearly report, and every
// message of its errors, has a string of its own in nb, nn and en (not a fallback).
func TestYearlyReportStrings(t *testing.T) {
	t.Parallel()
	zero, n := Count{Display: "<5"}, int64(0)
	act := &YearlyActivity{Fees: &zero, FeeOre: &Amount{}}
	r := &CardYearlyReport{From: time.Now(), To: time.Now(), Activity: act, ByCategory: []*YearlyActivity{{}},
		ByProvider: []*YearlyActivity{act}, HoldersByAgency: []*YearlyHolders{{}},
		HoldersByAgeBand: []*YearlyHolders{{Name: anonymousBand}}, Money: &YearlyMoney{BudgetOre: n}}
	for _, p := range allPurposes {
		r.FeesByPurpose = append(r.FeesByPurpose, &YearlyFees{Purpose: p})
	}
	used := map[string]bool{msgYearInvalid: true, msgPeriodIncomplete: true, "InvoiceFirstNameTwice": true,
		"YearlySuppressionNote": true}
	r.Tables(func(id string, _ map[string]any) string {
		used[id] = true
		return id
	})
	for _, loc := range []string{"nb", "nn", "en"} {
		raw, err := os.ReadFile("../platform/i18n/locales/active." + loc + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var strs map[string]string
		if err := json.Unmarshal(raw, &strs); err != nil {
			t.Fatal(err)
		}
		for id := range used {
			if strs[id] == "" {
				t.Errorf("%s has no %s string", id, loc)
			}
		}
	}
	if len(used) < 40 {
		t.Errorf("only %d message IDs seen", len(used))
	}
}

// TestYearlyCSVIsNoFormula writes names that a spreadsheet would take for formulas: they
// come back as text, and a negative sum stays a number.
func TestYearlyCSVIsNoFormula(t *testing.T) {
	t.Parallel()
	zero, left := Count{Display: "<5"}, int64(-500)
	act := &YearlyActivity{Fees: &zero, FeeOre: &Amount{}}
	r := &CardYearlyReport{ProgrammeName: "=HYPERLINK(\"http://x\")", MunicipalityName: "Larvik kommune",
		Activity: act, ByProvider: []*YearlyActivity{{Name: "@SUM(A1)", Fees: &zero, FeeOre: &Amount{}}},
		Money: &YearlyMoney{Left: Amount{Ore: &left}}}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf, func(id string, _ map[string]any) string { return id }); err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(&buf)
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, row := range rows {
		for _, v := range row {
			found[v] = true
		}
	}
	for _, want := range []string{"'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "-5.00", "Larvik kommune"} {
		if !found[want] {
			t.Errorf("no cell %q in %q", want, rows)
		}
	}
}
