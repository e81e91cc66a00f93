package sheet

import (
	"strings"
	"testing"
)

func TestCardsSheetEscapesAndHoldsEveryCard(t *testing.T) {
	l := Labels{Title: "Aktivitetskort", Number: "Kortnummer", PIN: "PIN-kode", ValidTo: "Gyldig til", Footer: "Klipp langs linjene."}
	html, err := Cards("nb", l, []Card{
		{Programme: `Kortet <script>alert(1)</script>`, Number: "K7QF-3MZD-X", PIN: "042917", ValidTo: "31.12.2026"},
		{Programme: "Kortet", Number: "ABCD-EFGH-J", PIN: "000001", ValidTo: "31.12.2026"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`lang="nb"`, "K7QF-3MZD-X", "042917", "ABCD-EFGH-J", "000001", "Kortnummer", "&lt;script&gt;"} {
		if !strings.Contains(html, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("a programme name reached the page unescaped")
	}
	if n := strings.Count(html, `class="card"`); n != 2 {
		t.Errorf("%d cards on the sheet, want 2", n)
	}
}

func TestPersonalCardsSheetShowsHoldersAndNoPIN(t *testing.T) {
	l := Labels{Title: "Aktivitetskort", Number: "Kortnummer", PIN: "PIN-kode", Holder: "Kortinnehaver", ValidTo: "Gyldig til"}
	html, err := Cards("nb", l, []Card{{Programme: "Kortet", Number: "K7QF-3MZD-X", Holder: "Åse & Ola", ValidTo: "31.12.2026"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "Kortinnehaver") || !strings.Contains(html, "Åse &amp; Ola") || strings.Contains(html, "PIN-kode") {
		t.Errorf("sheet: %s", html[strings.Index(html, "<body>"):])
	}
}

func TestTicketPageHasItsQRCode(t *testing.T) {
	l := Labels{Title: "Billett", Code: "Kode", Admits: "Gjelder for", ValidUntil: "Gyldig til", HowToUse: "Slik bruker du den"}
	html, err := TicketPage("nb", l, Ticket{Offer: "Bowling & pizza", Code: "K7QF-3MZD-X2", Payload: "FRITID1:larvik:K7QF3MZDX2", Admits: "2", ValidUntil: "31.12.2026", HowToUse: "Vis billetten i kassa"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "<svg") || !strings.Contains(html, "M") || !strings.Contains(html, "Bowling &amp; pizza") || !strings.Contains(html, "K7QF-3MZD-X2") {
		t.Errorf("ticket page: %.300s", html)
	}
	other, _ := TicketPage("nb", l, Ticket{Offer: "Bowling & pizza", Code: "K7QF-3MZD-X2", Payload: "FRITID1:larvik:ABCDEFGHJK", Admits: "2"})
	if qr(html) == qr(other) {
		t.Error("two payloads drew the same QR code")
	}
}

func qr(html string) string {
	i, j := strings.Index(html, "<svg"), strings.Index(html, "</svg>")
	return html[i:j]
}
