package app_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

// checkYearlyReport reads programme's yearly report in GraphQL, then as CSV and as a page
// from the paths the report gives, as the coordinator (header coord); a caseworker (header
// caseworker) is refused the files as the query.
func checkYearlyReport(t *testing.T, s *testServer, programme, coord, caseworker string) {
	t.Helper()
	r := ok(t, s.post(t, `query($p: ID!) { cardYearlyReport(programmeId: $p) {
		programmeName holdersReached { display } holdersTookPart { display } cardsIssued { display }
		money { budgetOre } csvPath pagePath } }`, map[string]any{"p": programme}, coord))
	if get(r.Data, "cardYearlyReport.programmeName") != "Aktivitetskortet" ||
		get(r.Data, "cardYearlyReport.holdersReached.display") != "<5" ||
		get(r.Data, "cardYearlyReport.money.budgetOre") != 50000000.0 {
		t.Errorf("yearly report: %+v", r.Data)
	}
	if r := s.post(t, `query($p: ID!) { cardYearlyReport(programmeId: $p) { csvPath } }`,
		map[string]any{"p": programme}, caseworker); r.code() != "FORBIDDEN" {
		t.Errorf("a caseworker read the yearly report: %+v", r.Errors)
	}
	get := func(path, header string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Header.Set("Authorization", strings.TrimPrefix(header, "Authorization: "))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	csvPath, pagePath := r.Data["cardYearlyReport"].(map[string]any)["csvPath"].(string),
		r.Data["cardYearlyReport"].(map[string]any)["pagePath"].(string)
	res := get(csvPath, coord)
	rd := csv.NewReader(res.Body)
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil || res.StatusCode != http.StatusOK || len(rows) < 10 || rows[0][0] != "Årsrapport" ||
		rows[2][1] != "Aktivitetskortet" {
		t.Errorf("the CSV: %d %v %q", res.StatusCode, err, rows)
	}
	if res := get(pagePath, coord); res.StatusCode != http.StatusOK ||
		res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("the page: %d %v", res.StatusCode, res.Header)
	}
	for _, path := range []string{csvPath, pagePath} {
		if res := get(path, caseworker); res.StatusCode != http.StatusForbidden {
			t.Errorf("a caseworker got %s: %d", path, res.StatusCode)
		}
	}
}
