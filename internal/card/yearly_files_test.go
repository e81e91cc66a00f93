package card

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
)

// getYearly requests path (an endpoint of the yearly report) with query as ctx's user in
// locale and returns the response.
func getYearly(t *testing.T, f *yearlyFixture, ctx context.Context, locale, path, query string) *http.Response {
	t.Helper()
	h := &Handlers{Service: f.e.svc, Bundle: i18n.MustNewBundle(), Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	ctx = i18n.WithLocale(ctx, i18n.Locale{Code: locale, Chain: []string{locale}})
	req := httptest.NewRequest(http.MethodGet, path+"?"+query, nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	if strings.HasSuffix(path, ".csv") {
		h.YearlyReportCSV(rec, req)
	} else {
		h.YearlyReportHTML(rec, req)
	}
	return rec.Result()
}

// csvSections parses a report's CSV into its sections by title: the header row, then the
// rows.
func csvSections(t *testing.T, res *http.Response) (titles []string, sections map[string][][]string) {
	t.Helper()
	rd := csv.NewReader(res.Body)
	rd.FieldsPerRecord = -1
	records, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sections = map[string][][]string{}
	var title string
	for _, rec := range records {
		if len(rec) == 1 && (title == "" || len(sections[title]) > 1) {
			title = rec[0]
			titles = append(titles, title)
			continue
		}
		sections[title] = append(sections[title], rec)
	}
	return titles, sections
}

// row returns the row of a section whose first field is first.
func row(section [][]string, first string) []string {
	for _, r := range section {
		if r[0] == first {
			return r
		}
	}
	return nil
}

func testYearlyCSV(t *testing.T, f *yearlyFixture, r *CardYearlyReport) {
	query := "programme=" + relay.GlobalID("CardProgramme", f.p.ID)
	res := getYearly(t, f, f.e.coord, "en", "/card/yearly-report.csv", query)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	titles, s := csvSections(t, res)
	want := []string{"Yearly report", "Holders", "Holders by agency", "Holders by age band", "Cards",
		"Tickets by activity category", "Tickets and fees by provider", "Fees by purpose", "Money against budget"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Fatalf("sections %q, want %q", titles, want)
	}
	if got := s["Yearly report"]; len(got) != 2 || got[1][0] != "larvik kommune" || got[1][1] != "Aktivitetskortet" ||
		got[1][2] != r.From.Format("2006-01-02") {
		t.Errorf("period %q", got)
	}
	if got := s["Holders"]; got[0][1] != "Took part in at least one organised activity" ||
		got[1][1] != r.HoldersTookPart.Display {
		t.Errorf("holders %q", got)
	}
	agencies := s["Holders by agency"]
	if h := agencies[0]; strings.Join(h, "|") != "Agency|Holders reached|Took part in at least one organised activity" {
		t.Errorf("header %q", h)
	}
	for _, a := range r.HoldersByAgency {
		name := a.Name
		if name == "" {
			name = "Anonymous cards"
		}
		if got := row(agencies, name); got == nil || got[1] != a.Reached.Display || got[2] != a.TookPart.Display {
			t.Errorf("agency %s: %q, want %s %s", name, got, a.Reached.Display, a.TookPart.Display)
		}
	}
	if got := row(agencies, "Total"); got == nil || got[1] != r.HoldersReached.Display {
		t.Errorf("total %q", got)
	}
	club := row(s["Tickets and fees by provider"], yearlyClub)
	var want64 int64
	for _, c := range f.cards {
		for _, ore := range c.fees {
			want64 += ore
		}
	}
	if club == nil || club[5] != r.ByProvider[3].Fees.Display || club[6] != csvKroner(Amount{Ore: &want64}) {
		t.Errorf("club %q, want %s fees of %d øre", club, r.ByProvider[3].Fees.Display, want64)
	}
	if got := row(s["Tickets by activity category"], "No category"); got == nil {
		t.Errorf("no row of offers without a category: %q", s["Tickets by activity category"])
	}
	if got := row(s["Money against budget"], "Spent on fees"); got == nil || got[1] != csvKroner(r.Money.Spent) {
		t.Errorf("spent %q", got)
	}

	t.Run("Nynorsk", func(t *testing.T) {
		titles, _ := csvSections(t, getYearly(t, f, f.e.coord, "nn", "/card/yearly-report.csv", query))
		if len(titles) != len(want) || titles[0] != "Årsrapport" || titles[6] != "Billettar og avgifter etter tilbydar" {
			t.Errorf("sections %q", titles)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		if res := getYearly(t, f, anonymous(f.e.larvik), "nb", "/card/yearly-report.csv", query); res.StatusCode != 401 {
			t.Errorf("anonymous: %d", res.StatusCode)
		}
		if res := getYearly(t, f, f.e.coord, "nb", "/card/yearly-report.csv", "programme=x"); res.StatusCode != 400 {
			t.Errorf("a bad ID: %d", res.StatusCode)
		}
		bad := query + "&from=2026-13-01&to=2026-12-31"
		if res := getYearly(t, f, f.e.coord, "nb", "/card/yearly-report.csv", bad); res.StatusCode != 400 {
			t.Errorf("a bad date: %d", res.StatusCode)
		}
	})
}

// htmlText returns the text inside n.
func htmlText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

// htmlFind returns the elements named tag under n.
func htmlFind(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

func testYearlyHTML(t *testing.T, f *yearlyFixture, r *CardYearlyReport) {
	query := "programme=" + relay.GlobalID("CardProgramme", f.p.ID)
	res := getYearly(t, f, f.e.coord, "nb", "/card/yearly-report.html", query)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	doc, err := html.Parse(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if h := htmlFind(doc, "html"); len(h) != 1 || h[0].Attr[0].Key != "lang" || h[0].Attr[0].Val != "nb" {
		t.Errorf("html element %+v", h)
	}
	if h1 := htmlFind(doc, "h1"); len(h1) != 1 || htmlText(h1[0]) != "Årsrapport: Aktivitetskortet" {
		t.Errorf("h1 %q", htmlText(h1[0]))
	}
	header := htmlText(htmlFind(doc, "header")[0])
	if !strings.Contains(header, "larvik kommune") || !strings.Contains(header, r.From.Format("2006-01-02")) ||
		!strings.Contains(header, r.To.Format("2006-01-02")) {
		t.Errorf("header %q", header)
	}
	if style := htmlText(htmlFind(doc, "style")[0]); !strings.Contains(style, "@media print") {
		t.Error("no print styles")
	}
	sections := htmlFind(doc, "section")
	if len(sections) != 8 {
		t.Fatalf("%d sections", len(sections))
	}
	var tookPart string
	for _, sec := range sections {
		if htmlText(htmlFind(sec, "h2")[0]) != "Kortholdere etter instans" {
			continue
		}
		rows := htmlFind(sec, "tr")
		last := rows[len(rows)-1]
		if len(last.Attr) == 0 || last.Attr[0].Val != "total" {
			t.Errorf("the last row is not marked the total: %+v", last.Attr)
		}
		cells := htmlFind(last, "td")
		tookPart = htmlText(cells[1])
		if th := htmlFind(last, "th"); htmlText(th[0]) != "Totalt" || htmlText(cells[0]) != r.HoldersReached.Display {
			t.Errorf("total row %q", htmlText(last))
		}
	}
	if tookPart != r.HoldersTookPart.Display {
		t.Errorf("took part %q on the page, %q in the report", tookPart, r.HoldersTookPart.Display)
	}
	if os.Getenv("FRITID_YEARLY_HTML") != "" {
		res := getYearly(t, f, f.e.coord, "nb", "/card/yearly-report.html", query)
		out, _ := os.Create(os.Getenv("FRITID_YEARLY_HTML"))
		defer out.Close()
		if _, err := out.ReadFrom(res.Body); err != nil {
			t.Fatal(err)
		}
	}
}
