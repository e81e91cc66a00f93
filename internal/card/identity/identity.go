// Package identity parses Norwegian national identity numbers (fødselsnummer and D-number)
// and turns them into keyed hashes, so the activity card's "stopper" can tell that a child or
// guardian already holds a card without fritid ever storing the number itself.
//
// A Number never shows its digits: printing, JSON and slog all give "***********". The only
// way out of the package is Key, a per-municipality HMAC.
package identity

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Reasons a number is rejected, sent as extensions.reason on the BAD_USER_INPUT error.
const (
	// ReasonLength: not 11 digits once spaces, dots and dashes are removed.
	ReasonLength = "LENGTH"
	// ReasonNotDigits: a character other than a digit, space, dot or dash.
	ReasonNotDigits = "NOT_DIGITS"
	// ReasonCheckDigit: one of the two mod-11 check digits is wrong (most often a typo).
	ReasonCheckDigit = "CHECK_DIGIT"
	// ReasonHNumber: an H-number (month + 40), a temporary number of the health service.
	ReasonHNumber = "H_NUMBER"
	// ReasonDate: the date part is not a real date, or the individual number does not fit
	// the year.
	ReasonDate = "DATE"
	// ReasonFutureDate: the birth date is after today.
	ReasonFutureDate = "FUTURE_DATE"
)

// mask is what every textual form of a Number shows.
const mask = "***********"

// digits holds the 11 ASCII digits of a valid number.
type digits [11]byte

// Number is a valid Norwegian fødselsnummer or D-number. Its zero value is no number.
//
// The digits sit behind a pointer so that even reflection-based printing of a struct that
// holds a Number in an unexported field shows an address, not the digits. Numbers are not
// comparable with ==; use Equal.
type Number struct {
	d *digits
	_ [0]func() // makes == a compile error: two parses of one number are Equal, not ==
}

// Parse returns the Number in s, which may contain spaces, dots and dashes ("010203 12345").
// It fails with BAD_USER_INPUT on field, message IdentityNumberInvalid and one of the Reason
// constants. The error never contains the number.
//
// The check-digit rules for numbers issued from 2032 are not implemented yet.
func Parse(s, field string) (Number, error) {
	return parseAt(s, field, time.Now())
}

// parseAt is Parse with the current time given.
func parseAt(s, field string, now time.Time) (Number, error) {
	d, reason := normalise(s)
	if reason == "" {
		reason = validate(d, now)
	}
	if reason != "" {
		return Number{}, invalid(field, reason)
	}
	return Number{d: &d}, nil
}

// invalid returns the error for a rejected number.
func invalid(field, reason string) error {
	return apperr.Invalid(field, "IdentityNumberInvalid", nil).WithReason(reason)
}

// normalise drops whitespace, dots and dashes from s and returns the 11 digits, or a reason.
func normalise(s string) (digits, string) {
	var d digits
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '.' || r == '-':
			continue
		case r < '0' || r > '9':
			return d, ReasonNotDigits
		}
		if n < len(d) {
			d[n] = byte(r)
		}
		n++
	}
	if n != len(d) {
		return d, ReasonLength
	}
	return d, ""
}

// validate returns why d is not a valid number at now, or "".
func validate(d digits, now time.Time) string {
	if !checkDigitsValid(d) {
		return ReasonCheckDigit
	}
	if m := num(d[2:4]); m >= 41 && m <= 52 {
		return ReasonHNumber
	}
	born, ok := birthDate(d)
	if !ok {
		return ReasonDate
	}
	// The latest "today" anywhere (UTC+14), so a child born today in Norway is never
	// rejected, whatever the server's time zone.
	y, m, day := now.UTC().Add(14 * time.Hour).Date()
	if born.After(time.Date(y, m, day, 0, 0, 0, 0, time.UTC)) {
		return ReasonFutureDate
	}
	return ""
}

// Weights of the two mod-11 check digits.
var (
	weights1 = [9]int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	weights2 = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// checkDigitsValid reports whether digits 10 and 11 are the mod-11 check digits of d.
func checkDigitsValid(d digits) bool {
	return checkDigit(d[:9], weights1[:]) == int(d[9]-'0') &&
		checkDigit(d[:10], weights2[:]) == int(d[10]-'0')
}

// checkDigit returns the mod-11 check digit of ds under weights, or -1 when there is none
// (the remainder is 1, so the digit would be 10).
func checkDigit(ds []byte, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += w * int(ds[i]-'0')
	}
	switch k := 11 - sum%11; k {
	case 11:
		return 0
	case 10:
		return -1
	default:
		return k
	}
}

// birthDate returns the birth date in d, or false when it is not a real date or the
// individual number does not fit the year.
func birthDate(d digits) (time.Time, bool) {
	day, month, yy, ind := num(d[0:2]), num(d[2:4]), num(d[4:6]), num(d[6:9])
	if day > 40 { // D-number
		day -= 40
	}
	c, ok := century(ind, yy)
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(c+yy, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month || t.Year() != c+yy {
		return time.Time{}, false
	}
	return t, true
}

// century returns the century of a two-digit year from the individual number.
func century(ind, yy int) (int, bool) {
	switch {
	case ind <= 499:
		return 1900, true
	case ind <= 749 && yy >= 54:
		return 1800, true
	case yy <= 39: // ind 500–999
		return 2000, true
	case ind >= 900: // yy 40–99
		return 1900, true
	}
	return 0, false
}

// num returns the decimal value of the ASCII digits ds.
func num(ds []byte) int {
	n := 0
	for _, c := range ds {
		n = n*10 + int(c-'0')
	}
	return n
}

// BirthDate returns the birth date as UTC midnight (for a D-number, with 40 taken off the
// day), or the zero time for the zero Number.
func (n Number) BirthDate() time.Time {
	if n.d == nil {
		return time.Time{}
	}
	t, _ := birthDate(*n.d)
	return t
}

// IsDNumber reports whether n is a D-number, given to people without a fødselsnummer.
func (n Number) IsDNumber() bool { return n.d != nil && n.d[0] >= '4' }

// IsZero reports whether n is the zero Number, which Parse never returns.
func (n Number) IsZero() bool { return n.d == nil }

// Equal reports whether n and o are the same number.
func (n Number) Equal(o Number) bool {
	if n.d == nil || o.d == nil {
		return n.d == o.d
	}
	return *n.d == *o.d
}

// String returns "***********", never the digits.
func (Number) String() string { return mask }

// GoString returns "***********", never the digits, for %#v.
func (Number) GoString() string { return mask }

// Format writes "***********" for every verb and flag, so no fmt verb shows the digits.
func (Number) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(mask)) }

// MarshalJSON returns "***********" as a JSON string, never the digits.
func (Number) MarshalJSON() ([]byte, error) { return []byte(`"` + mask + `"`), nil }

// LogValue returns "***********" for slog, never the digits.
func (Number) LogValue() slog.Value { return slog.StringValue(mask) }

// municipalKeyInfo labels HKDF output; change the version to rotate every key.
const municipalKeyInfo = "fritid identity key v1"

// MunicipalKey derives the 32-byte key for Key of one municipality from the server secret
// with HKDF-SHA256 (salt: the municipality id). Keys of two municipalities are unrelated, so
// their hashes of one person cannot be linked. It panics on an empty secret, which the
// configuration never allows.
func MunicipalKey(secret string, municipalityID uuid.UUID) []byte {
	if secret == "" {
		panic("identity: empty server secret")
	}
	k, err := hkdf.Key(sha256.New, []byte(secret), municipalityID[:], municipalKeyInfo, sha256.Size)
	if err != nil {
		panic("identity: derive municipal key: " + err.Error())
	}
	return k
}

// Key returns the 32-byte HMAC-SHA256 of n's 11 digits under municipalKey, from
// MunicipalKey: the same number gives the same key within a municipality. This is what is
// stored and compared instead of the number. A fødselsnummer and a later D-number (or the
// reverse) of one person give different keys. It panics on the zero Number or a key shorter
// than 32 bytes, both programming errors.
func Key(municipalKey []byte, n Number) []byte {
	if n.d == nil {
		panic("identity: Key of the zero Number")
	}
	if len(municipalKey) < sha256.Size {
		panic("identity: municipal key shorter than 32 bytes")
	}
	m := hmac.New(sha256.New, municipalKey)
	m.Write(n.d[:])
	return m.Sum(nil)
}
