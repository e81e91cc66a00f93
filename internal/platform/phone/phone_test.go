package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// library is the answer of nyaruka/phonenumbers, which this package must give.
func library(raw string) (string, error) {
	num, err := phonenumbers.Parse(raw, "NO")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrInvalid
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return phonenumbers.Format(num, phonenumbers.E164), nil
	}
	return "", ErrNotMobile
}

// plain reports whether raw holds only what Mobile reads: digits, plus signs, punctuation.
func plain(raw string) bool {
	for _, r := range raw {
		if _, ok := digit(r); !ok && r != '+' && r != '＋' && !punctuation(r) {
			return false
		}
	}
	return true
}

// agree fails t unless Mobile answers raw as the library does. Text Mobile does not read
// (letters, extensions) it must refuse as invalid, never read differently.
func agree(t *testing.T, raw string) {
	t.Helper()
	got, gotErr := Mobile(raw)
	if !plain(raw) {
		if !errors.Is(gotErr, ErrInvalid) {
			t.Errorf("%q: %q, %v; want ErrInvalid for text with more than a number", raw, got, gotErr)
		}
		return
	}
	want, wantErr := library(raw)
	if got != want || !errors.Is(gotErr, wantErr) || (gotErr == nil) != (wantErr == nil) {
		t.Errorf("%q: %q, %v; the library: %q, %v", raw, got, gotErr, want, wantErr)
	}
}

var types = []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE,
	phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP,
	phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}

// examples returns every region's example number of every type, and the non-geographic
// entities' (satellite, international services) examples.
func examples() []*phonenumbers.PhoneNumber {
	var out []*phonenumbers.PhoneNumber
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			if n := phonenumbers.GetExampleNumberForType(region, typ); n != nil {
				out = append(out, n)
			}
		}
	}
	for code := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(code); n != nil {
			out = append(out, n)
		}
	}
	return out
}

// forms returns the ways people write n: as the library formats it, with 00 for the plus,
// without the plus, and its national digits alone.
func forms(n *phonenumbers.PhoneNumber) []string {
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	return []string{
		e164,
		phonenumbers.Format(n, phonenumbers.INTERNATIONAL),
		phonenumbers.Format(n, phonenumbers.NATIONAL),
		"00" + e164[1:],
		e164[1:],
		phonenumbers.GetNationalSignificantNumber(n),
	}
}

// nearMisses returns s with its last digit dropped, a digit added, and each digit in turn
// replaced: numbers that are just valid, just not, or another type.
func nearMisses(s string) []string {
	out := []string{s[:len(s)-1], s + "0", s + "5"}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			continue
		}
		for _, d := range "0159" {
			out = append(out, s[:i]+string(d)+s[i+1:])
		}
	}
	return out
}

// TestAgreesWithLibrary reads every region's example numbers of every type in every form,
// and their near misses, and expects the library's answer for each.
func TestAgreesWithLibrary(t *testing.T) {
	t.Parallel()
	seen, mobiles, refusedFixed := 0, 0, 0
	for _, n := range examples() {
		for _, f := range forms(n) {
			for _, raw := range append([]string{f}, nearMisses(f)...) {
				agree(t, raw)
				seen++
				if _, err := Mobile(raw); err == nil {
					mobiles++
				} else if errors.Is(err, ErrNotMobile) {
					refusedFixed++
				}
			}
		}
	}
	// Both answers are given often, so agreement is not agreement on refusing everything.
	if mobiles < seen/20 || refusedFixed < seen/20 {
		t.Fatalf("%d numbers: %d mobile, %d not mobile", seen, mobiles, refusedFixed)
	}
	t.Logf("%d numbers: %d mobile, %d not mobile", seen, mobiles, refusedFixed)
}

// TestAsPeopleWriteThem: Norwegian and foreign numbers as they come in a form.
func TestAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		raw, want string
		err       error
	}{
		{"912 34 567", "+4791234567", nil},
		{"+47 912 34 567", "+4791234567", nil},
		{"0047 41 23 45 67", "+4741234567", nil},
		{"47 91 23 45 67", "+4791234567", nil}, // the calling code without its plus
		{"(+47) 912-34-567", "+4791234567", nil},
		{"٩١٢٣٤٥٦٧", "+4791234567", nil},
		{"+46 70 123 45 67", "+46701234567", nil},  // Swedish, with its trunk 0 left out
		{"+46 070-123 45 67", "+46701234567", nil}, // and with it
		{"+48 512 345 678", "+48512345678", nil},   // Polish
		{"+44 7400 123456", "+447400123456", nil},  // British
		{"+1 201 555 0123", "+12015550123", nil},   // United States: a number can be either
		{"22 12 34 56", "", ErrNotMobile},          // an Oslo fixed line
		{"800 12 345", "", ErrNotMobile},           // toll free
		{"1234", "", ErrInvalid},                   // too short
		{"+999 1234567", "", ErrInvalid},           // no such calling code
		{"912 34 567 ext. 9", "", ErrInvalid},      // an extension takes no text
		{"tel:+4791234567", "", ErrInvalid},        // a URI is not a number
		{"91 + 234567", "", ErrInvalid},            // a plus sign after digits
		{"", "", ErrInvalid},
		{"+", "", ErrInvalid},
	} {
		got, err := Mobile(c.raw)
		if got != c.want || !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Errorf("Mobile(%q) = %q, %v; want %q, %v", c.raw, got, err, c.want, c.err)
		}
		agree(t, c.raw)
	}
}

// TestDefaultRegion: the constants Mobile reads numbers by are Norway's in the metadata.
func TestDefaultRegion(t *testing.T) {
	t.Parallel()
	if code := phonenumbers.GetCountryCodeForRegion("NO"); code != defaultCode {
		t.Fatalf("Norway's calling code is %d, not %d", code, defaultCode)
	}
	if main := phonenumbers.GetRegionCodeForCountryCode(defaultCode); main != "NO" {
		t.Fatalf("the main region of +%d is %s", defaultCode, main)
	}
	c, _ := countryOf(defaultCode)
	if c.region(0).id != "NO" {
		t.Fatalf("the table's main region of +47 is %s", c.region(0).id)
	}
	for _, m := range mustCollection(t).GetMetadata() {
		if m.GetId() == "NO" && m.GetInternationalPrefix() != defaultIDD {
			t.Fatalf("Norway's international prefix is %q", m.GetInternationalPrefix())
		}
	}
}

func mustCollection(t *testing.T) *phonenumbers.PhoneMetadataCollection {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	return coll
}

// FuzzAgreesWithLibrary: on any text Mobile answers as the library does, or refuses text
// that holds more than a number.
func FuzzAgreesWithLibrary(f *testing.F) {
	for _, n := range examples() {
		if strings.HasPrefix(phonenumbers.GetRegionCodeForNumber(n), "N") || n.GetCountryCode() == 1 {
			for _, s := range forms(n) {
				f.Add(s)
			}
		}
	}
	for _, s := range []string{"+0047 912 34 567", "+47+47", "4791234567", "479123456789", "(0) 912 34 567",
		"+44 (0) 7400 123456", "+39 06 1234 5678", "+225 07 12 34 56 78", "+ 47 912", "－９１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if len(raw) > 64 {
			return // the library refuses past 250 characters; the API past 32
		}
		agree(t, raw)
	})
}
