package identity

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// now is the fixed "current time" of the table tests: 10 March 2026, noon UTC.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// mod11 returns the mod-11 check digit of s under w; 10 means there is none. It is written
// apart from the package's checkDigit so the tests do not share its mistakes.
func mod11(s string, w []int) int {
	sum := 0
	for i, c := range s {
		sum += w[i] * int(c-'0')
	}
	return (11 - sum%11) % 11
}

// build returns an 11-digit number with correct check digits for the raw fields dd, mm, yy
// and the first individual number from ind up that has check digits. The fields are written
// as they appear in the number: a D-number's dd already has 40 added.
func build(t *testing.T, dd, mm, yy, ind int) string {
	t.Helper()
	for i := ind; i < ind+20 && i <= 999; i++ {
		nine := fmt.Sprintf("%02d%02d%02d%03d", dd, mm, yy, i)
		k1 := mod11(nine, []int{3, 7, 6, 1, 8, 9, 4, 5, 2})
		if k1 == 10 {
			continue
		}
		ten := nine + fmt.Sprint(k1)
		k2 := mod11(ten, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})
		if k2 == 10 {
			continue
		}
		return ten + fmt.Sprint(k2)
	}
	t.Fatalf("no individual number from %d has check digits for %02d%02d%02d", ind, dd, mm, yy)
	return ""
}

// synth returns a valid fødselsnummer (or with d, D-number) for the date "2006-01-02" and an
// individual number from ind up.
func synth(t *testing.T, date string, ind int, d bool) string {
	t.Helper()
	born, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	dd := born.Day()
	if d {
		dd += 40
	}
	return build(t, dd, int(born.Month()), born.Year()%100, ind)
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		date  string
		ind   int
		d     bool
		input func(string) string // how the number is typed; nil means as is
	}{
		{name: "1900sLowIndividual", date: "1985-07-15", ind: 123},
		{name: "1900sFirstDay", date: "1900-01-01", ind: 0},
		{name: "1800s", date: "1899-12-31", ind: 600},
		{name: "1854", date: "1854-05-17", ind: 500},
		{name: "2000s", date: "2015-02-28", ind: 500},
		{name: "2000sHighIndividual", date: "2025-12-31", ind: 980},
		{name: "LeapDay2020", date: "2020-02-29", ind: 900},
		{name: "LeapDay2000", date: "2000-02-29", ind: 700},
		{name: "1900sHighIndividual", date: "1950-06-01", ind: 950},
		{name: "BornToday", date: "2026-03-10", ind: 500},
		{name: "DNumber", date: "1990-01-31", ind: 100, d: true},
		{name: "DNumberFirstOfMonth", date: "2001-03-01", ind: 777, d: true},
		{name: "DNumber1800s", date: "1870-10-10", ind: 520, d: true},
		{name: "Spaced", date: "1985-07-15", ind: 200, input: func(s string) string { return s[:6] + " " + s[6:] }},
		{name: "Dashed", date: "1985-07-15", ind: 300, input: func(s string) string { return s[:6] + "-" + s[6:] }},
		{name: "Dotted", date: "1985-07-15", ind: 400, input: func(s string) string {
			return s[:2] + "." + s[2:4] + "." + s[4:6] + " " + s[6:9] + " " + s[9:]
		}},
		{name: "Padded", date: "2010-11-12", ind: 600, input: func(s string) string { return "  " + s + "\t\n" }},
		{name: "NoBreakSpace", date: "2010-11-12", ind: 700, input: func(s string) string { return s[:6] + "\u00a0" + s[6:] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synth(t, tt.date, tt.ind, tt.d)
			in := s
			if tt.input != nil {
				in = tt.input(s)
			}
			n, err := parseAt(in, "input.nationalId", now)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := n.BirthDate().Format(time.DateOnly); got != tt.date {
				t.Errorf("BirthDate = %s, want %s", got, tt.date)
			}
			if loc := n.BirthDate().Location(); loc != time.UTC {
				t.Errorf("BirthDate location = %v, want UTC", loc)
			}
			if n.IsDNumber() != tt.d {
				t.Errorf("IsDNumber = %v, want %v", n.IsDNumber(), tt.d)
			}
			if n.IsZero() {
				t.Error("IsZero = true")
			}
			if string(n.d[:]) != s {
				t.Error("the digits kept are not the normalised input")
			}
		})
	}
}

// TestParseRealClock checks that Parse uses the current time: yesterday is accepted.
func TestParseRealClock(t *testing.T) {
	s := synth(t, time.Now().AddDate(0, 0, -1).Format(time.DateOnly), 500, false)
	if _, err := Parse(s, "f"); err != nil {
		t.Fatal(err)
	}
}

func TestParseInvalid(t *testing.T) {
	valid := synth(t, "1985-07-15", 123, false)
	// last digit changed: the second check digit is wrong
	badK2 := valid[:10] + string('0'+(valid[10]-'0'+1)%10)
	// first check digit changed (and the second recomputed would not save it)
	badK1 := valid[:9] + string('0'+(valid[9]-'0'+1)%10) + valid[10:]

	tests := []struct {
		name  string
		input string
		now   time.Time
		want  string
	}{
		{"Empty", "", now, ReasonLength},
		{"OnlySeparators", " - . ", now, ReasonLength},
		{"Ten", valid[:10], now, ReasonLength},
		{"Twelve", valid + "0", now, ReasonLength},
		{"Letter", valid[:10] + "a", now, ReasonNotDigits},
		{"Letters", "abcdefghijk", now, ReasonNotDigits},
		{"Slash", valid[:6] + "/" + valid[6:], now, ReasonNotDigits},
		{"Plus", "+47" + valid[3:], now, ReasonNotDigits},
		{"FullwidthDigit", "１" + valid[1:], now, ReasonNotDigits},
		{"LetterInLongInput", valid + "x" + valid, now, ReasonNotDigits},
		{"SecondCheckDigit", badK2, now, ReasonCheckDigit},
		{"FirstCheckDigit", badK1, now, ReasonCheckDigit},
		{"AllZeroButCheck", "00000000001", now, ReasonCheckDigit},
		// 12345678911: k1 = 11 − 219 mod 11 = 1, k2 = 11 − 197 mod 11 = 1, by hand; month 34.
		{"HandComputedMonth34", "12345678911", now, ReasonDate},
		{"HandComputedWrongK2", "12345678912", now, ReasonCheckDigit},
		{"HNumber", build(t, 15, 47, 85, 123), now, ReasonHNumber},
		{"HNumberFirstMonth", build(t, 1, 41, 90, 100), now, ReasonHNumber},
		{"HNumberLastMonth", build(t, 31, 52, 90, 100), now, ReasonHNumber},
		{"HAndDNumber", build(t, 55, 43, 90, 100), now, ReasonHNumber},
		{"February31", build(t, 31, 2, 85, 100), now, ReasonDate},
		{"Day0", build(t, 0, 5, 85, 100), now, ReasonDate},
		{"Month0", build(t, 10, 0, 85, 100), now, ReasonDate},
		{"Month13", build(t, 10, 13, 85, 100), now, ReasonDate},
		{"Month53", build(t, 10, 53, 85, 100), now, ReasonDate},
		{"TenorSyntheticMonth", build(t, 10, 85, 85, 100), now, ReasonDate},
		{"DNumberDay40", build(t, 40, 5, 85, 100), now, ReasonDate},
		{"DNumberDay72", build(t, 72, 5, 85, 100), now, ReasonDate},
		{"FHNumber", build(t, 85, 5, 85, 100), now, ReasonDate},
		{"NotLeap1900", build(t, 29, 2, 0, 100), now, ReasonDate},
		{"NotLeap2023", build(t, 29, 2, 23, 500), now, ReasonDate},
		{"Individual500Year45", build(t, 10, 5, 45, 600), now, ReasonDate},
		{"Individual800Year50", build(t, 10, 5, 50, 800), now, ReasonDate},
		{"Future2030", synthFuture(t, 2030, 1, 1), now, ReasonFutureDate},
		{"Tomorrow", synthFuture(t, 2026, 3, 12), now, ReasonFutureDate},
		// At 09:00 UTC on 10 March it is not yet 11 March anywhere (UTC+14 is at 23:00).
		{"TomorrowEverywhere", synthFuture(t, 2026, 3, 11), time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), ReasonFutureDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := parseAt(tt.input, "input.nationalId", tt.now)
			e := apperr.As(err)
			if e == nil {
				t.Fatalf("err = %v, want an *apperr.Error", err)
			}
			if e.Code != apperr.BadUserInput || e.MessageID != "IdentityNumberInvalid" || e.Field != "input.nationalId" {
				t.Errorf("err = %+v, want BAD_USER_INPUT IdentityNumberInvalid on input.nationalId", e)
			}
			if e.Reason != tt.want {
				t.Errorf("reason = %s, want %s", e.Reason, tt.want)
			}
			if !n.IsZero() {
				t.Error("a rejected number is not the zero Number")
			}
			if d := strings.Map(keepDigits, tt.input); len(d) >= 6 && strings.Contains(err.Error(), d) {
				t.Errorf("error %q contains the number", err)
			}
		})
	}

	t.Run("BornLateTodayInOslo", func(t *testing.T) {
		s := synthFuture(t, 2026, 3, 11)
		if _, err := parseAt(s, "f", time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC)); err != nil {
			t.Errorf("a child born on 11 March in Oslo, at 23:30 UTC on 10 March: %v", err)
		}
	})

	t.Run("NoCheckDigitExists", func(t *testing.T) {
		// Find a prefix whose first check digit would be 10: every ending must fail.
		for ind := 100; ind < 200; ind++ {
			nine := fmt.Sprintf("150785%03d", ind)
			if mod11(nine, []int{3, 7, 6, 1, 8, 9, 4, 5, 2}) != 10 {
				continue
			}
			for k := 0; k < 100; k++ {
				_, err := parseAt(fmt.Sprintf("%s%02d", nine, k), "f", now)
				if e := apperr.As(err); e == nil || e.Reason != ReasonCheckDigit {
					t.Fatalf("ending %02d: err = %v, want CHECK_DIGIT", k, err)
				}
			}
			return
		}
		t.Fatal("no prefix without a first check digit found")
	})
}

// synthFuture returns a number born on y-m-d in the 2000s, with an individual number that
// places it there.
func synthFuture(t *testing.T, y, m, d int) string {
	t.Helper()
	return synth(t, fmt.Sprintf("%04d-%02d-%02d", y, m, d), 500, false)
}

// keepDigits is a strings.Map function that keeps ASCII digits only.
func keepDigits(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// TestNeverShown checks every way a Number is printed or encoded by accident.
func TestNeverShown(t *testing.T) {
	s := synth(t, "1985-07-15", 123, false)
	n, err := parseAt(s[:6]+" "+s[6:], "f", now)
	if err != nil {
		t.Fatal(err)
	}
	type exported struct{ N Number }
	type unexported struct{ n Number }
	type nested struct {
		Name  string
		inner unexported
	}

	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10.3s"} {
		outputs = append(outputs,
			fmt.Sprintf(verb, n),
			fmt.Sprintf(verb, &n),
			fmt.Sprintf(verb, exported{n}),
			fmt.Sprintf(verb, unexported{n}),
			fmt.Sprintf(verb, nested{"x", unexported{n}}),
			fmt.Sprintf(verb, []Number{n}),
			fmt.Sprintf(verb, map[string]Number{"k": n}),
		)
	}
	outputs = append(outputs, fmt.Sprint(n), fmt.Sprintln(n), n.String(), n.GoString())
	for _, v := range []any{n, &n, exported{n}, []Number{n}, map[string]Number{"k": n}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(b))
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("card", "n", n, "p", &n)
		l.Info("card", slog.Any("n", n), slog.Group("g", "n", n))
		l.Info("card", "exported", exported{n}, "unexported", unexported{n}, "nested", nested{"x", unexported{n}})
	}
	outputs = append(outputs, buf.String())

	for _, out := range outputs {
		if strings.Contains(out, s) || strings.Contains(out, s[:6]) {
			t.Errorf("output shows the number: %q", out)
		}
	}
	if got := fmt.Sprintf("%v|%+v|%#v", n, n, n); got != "***********|***********|***********" {
		t.Errorf("masked = %q", got)
	}
	if b, _ := json.Marshal(n); string(b) != `"***********"` {
		t.Errorf("JSON = %s", b)
	}
	if v := n.LogValue(); v.String() != "***********" {
		t.Errorf("LogValue = %v", v)
	}
}

func TestEqualAndZero(t *testing.T) {
	s1 := synth(t, "1985-07-15", 123, false)
	s2 := synth(t, "1985-07-15", 200, false)
	a, _ := parseAt(s1, "f", now)
	b, _ := parseAt(s1[:6]+"-"+s1[6:], "f", now)
	c, _ := parseAt(s2, "f", now)
	var zero Number
	if !a.Equal(b) || a.Equal(c) || a.Equal(zero) || zero.Equal(a) || !zero.Equal(Number{}) {
		t.Error("Equal is wrong")
	}
	if !zero.IsZero() || !zero.BirthDate().IsZero() || zero.IsDNumber() || zero.String() != mask {
		t.Error("the zero Number is not empty")
	}
}

func TestKey(t *testing.T) {
	const secret = "test-secret-with-at-least-32-characters"
	m1 := uuid.MustParse("0195a1b2-0000-7000-8000-000000000001")
	m2 := uuid.MustParse("0195a1b2-0000-7000-8000-000000000002")
	k1, k2 := MunicipalKey(secret, m1), MunicipalKey(secret, m2)

	s := synth(t, "1985-07-15", 123, false)
	n, _ := parseAt(s, "f", now)
	same, _ := parseAt(s[:6]+" "+s[6:], "f", now)
	other, _ := parseAt(synth(t, "1985-07-15", 200, false), "f", now)
	d, _ := parseAt(synth(t, "1985-07-15", 123, true), "f", now)

	tests := []struct {
		name    string
		a, b    []byte
		wantEql bool
	}{
		{"MunicipalKeyStable", k1, MunicipalKey(secret, m1), true},
		{"MunicipalKeyPerMunicipality", k1, k2, false},
		{"MunicipalKeyPerSecret", k1, MunicipalKey(secret+"x", m1), false},
		{"Stable", Key(k1, n), Key(k1, n), true},
		{"StableAcrossFormatting", Key(k1, n), Key(k1, same), true},
		{"StableAcrossDerivations", Key(k1, n), Key(MunicipalKey(secret, m1), n), true},
		{"PerMunicipality", Key(k1, n), Key(k2, n), false},
		{"PerNumber", Key(k1, n), Key(k1, other), false},
		{"DNumberDiffers", Key(k1, n), Key(k1, d), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.a) != 32 || len(tt.b) != 32 {
				t.Errorf("lengths %d and %d, want 32", len(tt.a), len(tt.b))
			}
			if bytes.Equal(tt.a, tt.b) != tt.wantEql {
				t.Errorf("equal = %v, want %v", !tt.wantEql, tt.wantEql)
			}
		})
	}

	// Stored keys must survive upgrades: pin the derivation.
	t.Run("Golden", func(t *testing.T) {
		n, _ := parseAt(build(t, 1, 1, 0, 500), "f", now) // 1 January 2000
		if got := hex.EncodeToString(k1); got != goldenMunicipalKey {
			t.Errorf("MunicipalKey = %s, want %s", got, goldenMunicipalKey)
		}
		if got := hex.EncodeToString(Key(k1, n)); got != goldenKey {
			t.Errorf("Key = %s, want %s", got, goldenKey)
		}
	})

	t.Run("Panics", func(t *testing.T) {
		for name, f := range map[string]func(){
			"EmptySecret": func() { MunicipalKey("", m1) },
			"ZeroNumber":  func() { Key(k1, Number{}) },
			"ShortKey":    func() { Key(k1[:16], n) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic", name)
					}
				}()
				f()
			}()
		}
	})
}

// Golden values of TestKey; change them only together with municipalKeyInfo's version.
const (
	goldenMunicipalKey = "521c986abeba665dc36a1c846a42b15fb3f4fad142582866ae84a81f69717202"
	goldenKey          = "54d0edf32536c9f42a1490701a483528645298127cedd208cdc1833b33962487"
)
