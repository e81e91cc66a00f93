package resident

import (
	"strings"
	"testing"
)

// FuzzParseDeviceToken: whatever a client sends in the device header, parsing never
// panics, accepts only the prefix and 43 base64url characters (surrounding space
// trimmed), and what it accepts parses again to itself.
func FuzzParseDeviceToken(f *testing.F) {
	good, err := newDeviceToken()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, " " + good + "\t", good[:len(good)-1], good + "A", "fdv_", "", "Bearer " + good,
		strings.ToUpper(good), "fdv_" + strings.Repeat("/", 43), "fdv_" + strings.Repeat("A", 42) + "B",
		"fdv_\x00" + good[5:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, ok := ParseDeviceToken(s)
		if !ok {
			if tok != "" {
				t.Fatalf("refused %q but returned %q", s, tok)
			}
			return
		}
		if len(tok) != deviceTokenLen || !strings.HasPrefix(tok, devicePrefix) || tok != strings.TrimSpace(s) {
			t.Fatalf("accepted %q as %q", s, tok)
		}
		for _, c := range tok[len(devicePrefix):] {
			if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", c) {
				t.Fatalf("accepted %q with %q", s, c)
			}
		}
		if again, ok := ParseDeviceToken(tok); !ok || again != tok {
			t.Fatalf("%q does not parse again", tok)
		}
	})
}

// TestNewDeviceTokensParse: every token handed out is one the header accepts, and no two
// are alike.
func TestNewDeviceTokensParse(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := newDeviceToken()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := ParseDeviceToken(tok); !ok || got != tok || seen[tok] {
			t.Fatalf("token %q: parsed %q %v, seen %v", tok, got, ok, seen[tok])
		}
		seen[tok] = true
	}
}
