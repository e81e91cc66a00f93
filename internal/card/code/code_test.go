package code

import (
	"regexp"
	"strings"
	"testing"
)

// withCheck returns data (alphabet characters) with its check character appended.
func withCheck(t *testing.T, data string) string {
	t.Helper()
	vals := make([]byte, len(data))
	for i := range data {
		v := strings.IndexByte(alphabet, data[i])
		if v < 0 {
			t.Fatalf("%q is not in the alphabet", data[i])
		}
		vals[i] = byte(v)
	}
	return data + string(alphabet[checkValue(vals)])
}

// TestCheckIsAntiSymmetricQuasigroup proves the detection claims for every code at once:
// step is a bijection in each argument (so one wrong character always changes the result),
// and step(step(c, p), q) ≠ step(step(c, q), p) for p ≠ q in every state c (so swapping two
// neighbours, the check character included, always changes it).
func TestCheckIsAntiSymmetricQuasigroup(t *testing.T) {
	for c := range byte(32) {
		var byValue, byState [32]bool
		for v := range byte(32) {
			byValue[step(c, v)] = true
			byState[step(v, c)] = true
			for q := range byte(32) {
				if v != q && step(step(c, v), q) == step(step(c, q), v) {
					t.Fatalf("state %d: swapping %d and %d is not detected", c, v, q)
				}
			}
		}
		for i := range 32 {
			if !byValue[i] || !byState[i] {
				t.Fatalf("step is not a bijection at %d", c)
			}
		}
	}
}

func TestNewRoundTrip(t *testing.T) {
	grouped := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{1,4}(-[0-9A-HJKMNP-TV-Z]{1,4})*$`)
	for n := 1; n <= 16; n++ {
		for range 50 {
			s, err := New(n)
			if err != nil {
				t.Fatal(err)
			}
			if !grouped.MatchString(s) {
				t.Fatalf("New(%d) = %q, not grouped Crockford base32", n, s)
			}
			canon, ok := Normalise(s)
			if !ok || len(canon) != n+1 || canon != strings.ReplaceAll(s, "-", "") {
				t.Fatalf("Normalise(%q) = %q, %v", s, canon, ok)
			}
			if Format(canon) != s {
				t.Fatalf("Format(%q) = %q, want %q", canon, Format(canon), s)
			}
		}
	}
	for _, n := range []int{0, -1} {
		if _, err := New(n); err == nil {
			t.Errorf("New(%d) succeeded", n)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"A", "A"},
		{"ABCD", "ABCD"},
		{"ABCDE", "ABCD-E"},
		{"K7QF3MZDX", "K7QF-3MZD-X"},
		{"K7QF3MZDX2Y", "K7QF-3MZD-X2Y"},
		{"K7QF3MZDX2YZ", "K7QF-3MZD-X2YZ"},
	}
	for _, tt := range tests {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormaliseTyped(t *testing.T) {
	code := withCheck(t, "10K7QF3M") // a card number with a 1 and a 0
	wrong := code[:8] + string(alphabet[(strings.IndexByte(alphabet, code[8])+1)%32])
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"Canonical", code, true},
		{"Grouped", Format(code), true},
		{"LowerCase", strings.ToLower(Format(code)), true},
		{"Spaces", code[:4] + " " + code[4:8] + " " + code[8:], true},
		{"Padded", "  " + code + "\t\n", true},
		{"NoBreakSpace", code[:4] + "\u00a0" + code[4:], true},
		{"ExtraDashes", "-" + code[:2] + "--" + code[2:] + "-", true},
		{"LetterOForZero", "1O" + code[2:], true},
		{"LowerOForZero", "1o" + code[2:], true},
		{"LetterIForOne", "I0" + code[2:], true},
		{"LetterLForOne", "L0" + code[2:], true},
		{"LowerLForOne", "l0" + code[2:], true},
		{"WrongCheck", wrong, false},
		{"LetterU", "U" + code[1:], false},
		{"Symbol", code[:3] + "*" + code[4:], false},
		{"Underscore", code[:4] + "_" + code[4:], false},
		{"NonASCII", code[:3] + "Ø" + code[4:], false},
		{"FullwidthDigit", "１" + code[1:], false},
		{"Empty", "", false},
		{"OnlySeparators", " - ", false},
		{"CheckOnly", "0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Normalise(tt.in)
			if ok != tt.ok {
				t.Fatalf("Normalise(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if want := map[bool]string{true: code, false: ""}[ok]; got != want {
				t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
}

// TestDetectsTypingErrors tries every single substitution and every swap of neighbours (and,
// as a bonus, of characters one apart) on random codes of both lengths.
func TestDetectsTypingErrors(t *testing.T) {
	for _, n := range []int{CardNumberLength, TicketCodeLength} {
		for range 100 {
			s, err := New(n)
			if err != nil {
				t.Fatal(err)
			}
			canon, _ := Normalise(s)
			for i := range len(canon) {
				for j := range len(alphabet) {
					if alphabet[j] == canon[i] {
						continue
					}
					if typo := canon[:i] + alphabet[j:j+1] + canon[i+1:]; valid(typo) {
						t.Fatalf("%s: substitution %s is accepted", canon, typo)
					}
				}
				for _, gap := range []int{1, 2} {
					if i+gap < len(canon) && canon[i] != canon[i+gap] {
						b := []byte(canon)
						b[i], b[i+gap] = b[i+gap], b[i]
						if valid(string(b)) {
							t.Fatalf("%s: transposition %s is accepted", canon, b)
						}
					}
				}
			}
		}
	}
}

// valid reports whether Normalise accepts s.
func valid(s string) bool {
	_, ok := Normalise(s)
	return ok
}

// TestNewUniqueAndUniform draws 100,000 ticket codes: at 50 bits a collision has a chance of
// about 1 in 200,000. Every character should appear at every position near 1/32 of the time.
func TestNewUniqueAndUniform(t *testing.T) {
	const draws = 100_000
	seen := make(map[string]struct{}, draws)
	var counts [TicketCodeLength][32]int
	for range draws {
		s, err := New(TicketCodeLength)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := seen[s]; dup {
			t.Fatalf("duplicate code %s", s)
		}
		seen[s] = struct{}{}
		canon, _ := Normalise(s)
		for i := range TicketCodeLength {
			counts[i][strings.IndexByte(alphabet, canon[i])]++
		}
	}
	// Expected 3,125 with a standard deviation of about 55; allow ±25 % (14 deviations).
	for i, row := range counts {
		for v, c := range row {
			if c < draws/32*3/4 || c > draws/32*5/4 {
				t.Errorf("position %d: %c drawn %d times of %d", i, alphabet[v], c, draws)
			}
		}
	}
}

func TestPIN(t *testing.T) {
	sixDigits := regexp.MustCompile(`^[0-9]{6}$`)
	leadingZero := false
	seen := map[string]bool{}
	for range 2000 {
		p, err := PIN()
		if err != nil {
			t.Fatal(err)
		}
		if !sixDigits.MatchString(p) {
			t.Fatalf("PIN() = %q", p)
		}
		leadingZero = leadingZero || p[0] == '0'
		seen[p] = true
	}
	if !leadingZero {
		t.Error("no PIN of 2,000 starts with 0; the range is not 000000–999999")
	}
	if len(seen) < 1900 {
		t.Errorf("only %d distinct PINs of 2,000", len(seen))
	}
}
