package i18n

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"testing"
)

func TestNegotiate(t *testing.T) {
	enabled := []string{"nb", "nn", "en"}
	tests := []struct {
		name, override, accept, want string
	}{
		{"Empty", "", "", "nb"},
		{"English", "", "en-US,en;q=0.9", "en"},
		{"Nynorsk", "", "nn", "nn"},
		{"NorwegianMacro", "", "no", "nb"},
		{"QualityOrder", "", "de;q=0.9,nn;q=0.8,en;q=0.5", "nn"},
		{"Unsupported", "", "ar", "nb"},
		{"Garbage", "", "!!!;;q=abc", "nb"},
		{"OverrideWins", "en", "nn", "en"},
		{"BadOverrideFallsToAccept", "zz-invalid-", "nn", "nn"},
		{"Wildcard", "", "*", "nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.override, tt.accept, enabled, "nb"); got != tt.want {
				t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.override, tt.accept, got, tt.want)
			}
		})
	}
}

// TestNegotiateSetsApart checks that negotiators kept per set of enabled locales do not
// mix sets up, with municipalities of different sets negotiating at once (run under -race).
func TestNegotiateSetsApart(t *testing.T) {
	t.Parallel()
	sets := []struct {
		enabled []string
		def     string
		accept  string
		want    string
	}{
		{[]string{"nb", "nn", "en"}, "nb", "en-GB", "en"},
		{[]string{"nb", "nn"}, "nb", "en-GB", "nb"},
		{[]string{"nn", "nb", "en"}, "nn", "de", "nn"},
		{[]string{"nb", "se", "en"}, "nb", "se", "se"},
		{[]string{"nb", "nn", "en", "uk"}, "nb", "uk,en;q=0.5", "uk"},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(sets)*50)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				for _, s := range sets {
					if got := Negotiate("", s.accept, s.enabled, s.def); got != s.want {
						errs <- fmt.Sprintf("%v, %q: %q, want %q", s.enabled, s.accept, got, s.want)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestChain(t *testing.T) {
	fallbacks := map[string]string{"nn": "nb", "se": "nn", "loop": "loop2", "loop2": "loop"}
	f := func(c string) string { return fallbacks[c] }
	tests := []struct {
		code string
		want []string
	}{
		{"nn", []string{"nn", "nb"}},
		{"se", []string{"se", "nn", "nb"}},
		{"en", []string{"en", "nb"}},
		{"nb", []string{"nb"}},
		{"loop", []string{"loop", "loop2", "nb"}},
	}
	for _, tt := range tests {
		if got := Chain(tt.code, f, "nb"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Chain(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	names := map[string]string{"nb": "Idrett", "en": "Sports"}
	if v, loc, ok := Pick([]string{"nn", "nb"}, names); !ok || v != "Idrett" || loc != "nb" {
		t.Errorf("Pick nn->nb = %q %q %v", v, loc, ok)
	}
	if _, _, ok := Pick([]string{"de"}, names); ok {
		t.Error("Pick found a value for a locale with none")
	}
}

func TestLocalize(t *testing.T) {
	b := MustNewBundle()
	if got := b.Localize([]string{"en"}, "NOT_FOUND", nil); got != "Not found." {
		t.Errorf("en NOT_FOUND = %q", got)
	}
	if got := b.Localize([]string{"nn", "nb"}, "FORBIDDEN", nil); got != "Du har ikkje tilgang til å gjere dette." {
		t.Errorf("nn FORBIDDEN = %q", got)
	}
	if got := b.Localize([]string{"ar", "nb"}, "INTERNAL", nil); got != "Intern feil." {
		t.Errorf("ar falls back to nb, got %q", got)
	}
	got := b.Localize([]string{"en"}, "QUERY_TOO_DEEP", map[string]any{"Depth": 20, "Limit": 12})
	if got != "The query is nested too deeply: depth 20 is above the limit of 12." {
		t.Errorf("template = %q", got)
	}
	if got := b.Localize([]string{"en"}, "NoSuchMessage", nil); got != "NoSuchMessage" {
		t.Errorf("unknown id = %q", got)
	}
}

// TestMessageFilesComplete fails when a system string exists in one language but not in all.
func TestMessageFilesComplete(t *testing.T) {
	keys := map[string][]string{}
	for _, code := range SystemLocales {
		raw, err := os.ReadFile(filepath.Join("locales", "active."+code+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		for k := range m {
			keys[code] = append(keys[code], k)
		}
		sort.Strings(keys[code])
	}
	for _, code := range SystemLocales[1:] {
		if !reflect.DeepEqual(keys[code], keys["nb"]) {
			t.Errorf("%s has keys %v, nb has %v", code, keys[code], keys["nb"])
		}
	}
}
