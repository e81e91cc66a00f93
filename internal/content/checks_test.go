package content

import (
	"math"
	"testing"
)

func TestLIX(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		want float64
	}{
		// 7 words, 2 sentences, 1 long word (bjeffer, 7 letters; Katten, sitter, Hunden have
		// 6, which is not long): 7/2 + 100*1/7 = 3.5 + 14.2857 = 17.79.
		{"Katten sitter på matta. Hunden bjeffer høyt.", 17.7857},
		// 5 words, 2 sentences, 4 long (Kommunestyret 13, behandler 9, søknaden 8,
		// Avgjørelsen 11; kommer 6 is not): 5/2 + 100*4/5 = 2.5 + 80 = 82.5.
		{"Kommunestyret behandler søknaden. Avgjørelsen kommer.", 82.5},
		// A heading line without a full stop is a sentence of its own: 3 words + 3 words,
		// 2 sentences, 1 long (Påmelding 9): 6/2 + 100*1/6 = 3 + 16.6667 = 19.67.
		{"Slik søker du\nPåmelding skjer her.", 19.6667},
		// Quotes after the full stop still end the sentence; dashes are no words:
		// «Kom i dag.» – sa hun. = 5 words (Kom, i, dag, sa, hun), 2 sentences, 0 long: 2.5.
		{"«Kom i dag.» – sa hun.", 2.5},
		{"", 0},
	} {
		if got := LIX(c.text); math.Abs(got-c.want) > 0.001 {
			t.Errorf("LIX(%q) = %.4f, want %.4f", c.text, got, c.want)
		}
	}
}

func TestCheckDoc(t *testing.T) {
	t.Parallel()
	img := "SW1hZ2U6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAx"
	doc := &Doc{Blocks: []Block{
		{Type: "heading", Level: 2, Content: []Inline{{Text: "Om oss"}}},
		{Type: "paragraph", Content: []Inline{{Text: "Les om kortet "}, {Text: "Klikk her!", Link: "/kort"}}},
		{Type: "heading", Level: 4, Content: []Inline{{Text: "Detaljer"}}},
		{Type: "image", ID: img, Alt: "  "},
		{Type: "list", Items: []Item{{Content: []Inline{{Text: "Søknadsskjema for kortet", Link: "/s"}}},
			{Content: []Inline{{Text: "Les ", Link: "/m"}, {Text: "MER", Marks: []string{"bold"}, Link: "/m"}}}}},
		{Type: "heading", Level: 3, Content: []Inline{{Text: "Kontakt"}}},
		{Type: "image", ID: img, Alt: "Barn som spiller fotball"},
	}}
	got := CheckDoc(doc, "nb", 80, nil)
	want := []struct {
		code FindingCode
		path string
	}{
		{VagueLinkText, "blocks[1]"},
		{HeadingSkipped, "blocks[2]"},
		{ImageWithoutAlt, "blocks[3]"},
		{VagueLinkText, "blocks[4]"},
	}
	if len(got) != len(want) {
		t.Fatalf("findings = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Code != w.code || got[i].Path != w.path || got[i].Severity != SeverityWarning {
			t.Errorf("finding %d = %+v, want %s at %s (warning)", i, got[i], w.code, w.path)
		}
	}

	// A heading that starts at h3 skips h2 (the title is h1); an error where the
	// municipality makes it one.
	got = CheckDoc(&Doc{Blocks: []Block{{Type: "heading", Level: 3, Content: []Inline{{Text: "Tittel"}}}}}, "en", 40,
		[]string{"HEADING_SKIPPED"})
	if len(got) != 1 || got[0].Code != HeadingSkipped || got[0].Severity != SeverityError {
		t.Errorf("h3 first = %+v, want one HEADING_SKIPPED error", got)
	}

	// LIX applies to Norwegian only, against the target given: 82.5 as counted in TestLIX.
	hard := &Doc{Blocks: []Block{{Type: "paragraph",
		Content: []Inline{{Text: "Kommunestyret behandler søknaden. Avgjørelsen kommer."}}}}}
	for _, c := range []struct {
		locale string
		target int
		want   int
	}{{"nb", 40, 1}, {"nn", 40, 1}, {"nb", 80, 1}, {"nb", 83, 0}, {"en", 20, 0}, {"ar", 20, 0}} {
		got := CheckDoc(hard, c.locale, c.target, nil)
		if len(got) != c.want || (c.want == 1 && (got[0].Code != LixTooHigh || got[0].Data["Lix"] != 83)) {
			t.Errorf("%s target %d: findings %+v, want %d LIX_TOO_HIGH", c.locale, c.target, got, c.want)
		}
	}
}

func TestVagueLinkText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		locale, text string
		want         bool
	}{
		{"nb", "Klikk her", true},
		{"nb", "  les   MER … ", true},
		{"nn", "Les meir", true},
		{"nb", "click here", true}, // English phrases are caught in every language
		{"en", "Read more.", true},
		{"nb", "Les mer om aktivitetskortet", false},
		{"en", "Apply for the activity card", false},
		{"nb", "…", false},
	} {
		if got := isVagueLinkText(c.locale, c.text); got != c.want {
			t.Errorf("isVagueLinkText(%s, %q) = %v, want %v", c.locale, c.text, got, c.want)
		}
	}
}
