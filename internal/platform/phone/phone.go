// Package phone reads the mobile numbers people type, by libphonenumber's rules and
// metadata, as nyaruka/phonenumbers does.
//
// The library decodes every country's metadata and compiles its expressions when the
// program starts (a third of `fritid --help`), whatever the command. This package keeps
// the part of the metadata a mobile check needs as static data (metadata_gen.go, written
// from the library by `go generate`), follows the library's steps for parsing and typing a
// number, and compiles a region's expressions when a number of that region is first read.
// The tests hold it to the library's answers: every region's example numbers in every
// form, near misses of them, and fuzzed input.
//
// It reads less than the library does: digits (ASCII, Arabic-Indic and full-width), plus
// signs first, and the punctuation people put between digits. Letters, extensions and
// "tel:" URIs are not a number a text message can go to, and are refused.
package phone

//go:generate go run gen.go

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

var (
	// ErrInvalid is returned for text that is no phone number of any country.
	ErrInvalid = errors.New("phone: not a valid number")
	// ErrNotMobile is returned for a valid number that takes no text messages (a fixed
	// line, a toll-free or premium-rate number, ...).
	ErrNotMobile = errors.New("phone: not a mobile number")
)

// A number without a country's calling code is read as Norwegian: calling code 47, whose
// main region is Norway, where "00" starts an international number.
const (
	defaultCode       = 47
	defaultIDD        = "00"
	minNationalLength = 2
	maxNationalLength = 17
)

// Mobile returns raw, a phone number that can take text messages, in E.164 form
// (+4791234567). A number is read as Norwegian unless it starts with + or 00.
func Mobile(raw string) (string, error) {
	digits, plus, ok := normalise(raw)
	if !ok {
		return "", ErrInvalid
	}
	code, national, ok := split(digits, plus)
	if !ok {
		return "", ErrInvalid
	}
	c, ok := countryOf(code)
	if !ok {
		return "", ErrInvalid
	}
	national, ok = nationalNumber(national, c.region(0))
	if !ok {
		return "", ErrInvalid
	}
	switch c.typeOf(national) {
	case typeUnknown:
		return "", ErrInvalid
	case typeMobile:
		return "+" + strconv.Itoa(code) + national, nil
	default:
		return "", ErrNotMobile
	}
}

// normalise returns the digits of raw and whether it began with a plus sign. It accepts
// punctuation anywhere, plus signs only before the first digit and next to each other, and
// nothing else, as the library's test of a viable number does for these characters.
func normalise(raw string) (digits string, plus, ok bool) {
	var b strings.Builder
	b.Grow(len(raw))
	pluses := 0 // 0 before any plus sign, 1 while they run, 2 once they have ended
	for _, r := range raw {
		if d, ok := digit(r); ok {
			b.WriteByte(d)
			if pluses == 1 {
				pluses = 2
			}
			continue
		}
		switch {
		case r == '+' || r == '＋':
			if b.Len() > 0 || pluses == 2 {
				return "", false, false
			}
			pluses = 1
		case punctuation(r):
			if pluses == 1 {
				pluses = 2
			}
		default:
			return "", false, false
		}
	}
	return b.String(), pluses > 0, b.Len() > 0
}

// digit returns the ASCII digit r stands for, for the digits the library converts.
func digit(r rune) (byte, bool) {
	for _, zero := range [...]rune{'0', '\u0660', '\u06F0', '\uFF10'} {
		if r >= zero && r <= zero+9 {
			return byte('0' + r - zero), true
		}
	}
	return 0, false
}

// punctuation reports whether r is among the library's punctuation of phone numbers
// (VALID_PUNCTUATION), without the letter x and the tildes, which start an extension.
func punctuation(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return strings.ContainsRune("-()[]./ ", r)
	case r >= '\u2010' && r <= '\u2015', r >= '\uFF0D' && r <= '\uFF0F':
		return true
	}
	return strings.ContainsRune("\u2212\u30FC\u00A0\u00AD\u200B\u2060\u3000\uFF08\uFF09\uFF3B\uFF3D\u2053\u223C", r)
}

// split finds the calling code the way the library's maybeExtractCountryCode does: after
// a plus sign or the international prefix 00, or a Norwegian number written with 47 in
// front; any other number is Norwegian.
func split(digits string, plus bool) (code int, national string, ok bool) {
	switch {
	case plus:
		code, national, ok = international(digits)
		if ok || len(digits) <= minNationalLength {
			return code, national, ok
		}
		// An unknown calling code after the plus: the library reads what follows the
		// plus again, and keeps it only if that finds a calling code.
		if idd(digits) {
			return international(digits[len(defaultIDD):])
		}
		code, national = withDefaultCode(digits)
		return code, national, code != 0
	case idd(digits):
		return international(digits[len(defaultIDD):])
	}
	if code, national = withDefaultCode(digits); code != 0 {
		return code, national, true
	}
	return defaultCode, digits, true
}

// idd reports whether digits start with the international prefix and a digit that can
// start a calling code.
func idd(digits string) bool {
	return strings.HasPrefix(digits, defaultIDD) && len(digits) > len(defaultIDD) && digits[len(defaultIDD)] != '0'
}

// international reads a calling code of one to three digits off digits (codes are a
// prefix code: no code starts another).
func international(digits string) (int, string, bool) {
	if len(digits) <= minNationalLength || digits[0] == '0' {
		return 0, "", false
	}
	code := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		code = code*10 + int(digits[i]-'0')
		if _, ok := countryOf(code); ok {
			return code, digits[i+1:], true
		}
	}
	return 0, "", false
}

// withDefaultCode returns the number without its leading 47 when it is a Norwegian number
// written with its calling code but without a plus: when the whole is no Norwegian number
// but the rest is, or the whole is too long to be one.
func withDefaultCode(digits string) (int, string) {
	prefix := strconv.Itoa(defaultCode)
	if !strings.HasPrefix(digits, prefix) {
		return 0, ""
	}
	c, _ := countryOf(defaultCode)
	no := c.region(0)
	rest, _ := no.stripNationalPrefix(digits[len(prefix):])
	re := no.compiled()
	if (!re.general.re.MatchString(digits) && re.general.re.MatchString(rest)) || no.testLength(digits) == tooLong {
		return defaultCode, rest
	}
	return 0, ""
}

// nationalNumber strips the national prefix (a trunk 0, a carrier code) when what remains
// can still be a number of the country, and checks the length.
func nationalNumber(national string, main *region) (string, bool) {
	if len(national) < minNationalLength {
		return "", false
	}
	if rest, ok := main.stripNationalPrefix(national); ok {
		switch main.testLength(rest) {
		case tooShort, possibleLocalOnly, invalidLength:
		default:
			national = rest
		}
	}
	return national, len(national) >= minNationalLength && len(national) <= maxNationalLength
}

type region struct {
	idx                       uint16 // the region's place in regions
	id, leadingDigits         string
	nationalPrefix, transform string // the national prefix for parsing, and its transform rule
	same                      bool   // mobile and fixed-line numbers look alike
	general                   desc
	before                    []desc // the types that come before fixed line and mobile
	fixed, mobile             desc
}

// desc is a type of number: a pattern of the national number, its possible lengths, and
// lengths that are only dialled locally.
type desc struct {
	pattern        string
	lengths, local []int8
}

type country struct {
	code, first, n uint16
}

func countryOf(code int) (*country, bool) {
	lo, hi := 0, len(countries)
	for lo < hi {
		mid := (lo + hi) / 2
		switch c := int(countries[mid].code); {
		case c == code:
			return &countries[mid], true
		case c < code:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return nil, false
}

func (c *country) region(i int) *region { return &regions[int(c.first)+i] }

// typeOf returns the type of a national number in the region of the calling code it
// belongs to, picked as the library's getRegionCodeForNumberFromRegionList picks it: by its
// leading digits where the region has them, else the first region where the number is
// valid. A number of no region is typeUnknown.
func (c *country) typeOf(national string) numberType {
	if c.n == 1 {
		return c.region(0).typeOf(national)
	}
	for i := range int(c.n) {
		r := c.region(i)
		if r.leadingDigits != "" {
			if r.compiled().leading.MatchString(national) {
				return r.typeOf(national)
			}
		} else if t := r.typeOf(national); t != typeUnknown {
			return t
		}
	}
	return typeUnknown
}

type numberType int

const (
	typeUnknown numberType = iota
	typeOther              // premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail
	typeFixedLine
	typeMobile // mobile, or a number that can be either
)

// typeOf follows the library's getNumberTypeHelper.
func (r *region) typeOf(national string) numberType {
	re := r.compiled()
	if !re.general.matches(national) {
		return typeUnknown
	}
	for _, d := range re.before {
		if d.matches(national) {
			return typeOther
		}
	}
	if re.fixed.matches(national) {
		if r.same || re.mobile.matches(national) {
			return typeMobile
		}
		return typeFixedLine
	}
	if !r.same && re.mobile.matches(national) {
		return typeMobile
	}
	return typeUnknown
}

type lengthResult int

const (
	possible lengthResult = iota
	possibleLocalOnly
	tooShort
	tooLong
	invalidLength
)

// testLength follows the library's testNumberLength for a number of any type.
func (r *region) testLength(national string) lengthResult {
	lengths := r.general.lengths
	if len(lengths) == 0 || lengths[0] == -1 {
		return invalidLength
	}
	n := int8(min(len(national), 127))
	switch {
	case contains(r.general.local, n):
		return possibleLocalOnly
	case lengths[0] == n:
		return possible
	case lengths[0] > n:
		return tooShort
	case lengths[len(lengths)-1] < n:
		return tooLong
	case contains(lengths[1:], n):
		return possible
	}
	return invalidLength
}

// stripNationalPrefix follows the library's maybeStripNationalPrefixAndCarrierCode.
func (r *region) stripNationalPrefix(number string) (string, bool) {
	if number == "" || r.nationalPrefix == "" {
		return number, false
	}
	re := r.compiled()
	groups := re.prefix.FindStringSubmatchIndex(number)
	if groups == nil {
		return number, false
	}
	viable := re.general.re.MatchString(number)
	last := len(groups)/2 - 1
	if r.transform == "" || groups[last*2] < 0 {
		if viable && !re.general.re.MatchString(number[groups[1]:]) {
			return number, false
		}
		return number[groups[1]:], true
	}
	transformed := re.prefix.ReplaceAllString(number, r.transform)
	if viable && !re.general.re.MatchString(transformed) {
		return number, false
	}
	return transformed, true
}

// compiledRegion is a region's patterns, compiled as the library compiles them.
type compiledRegion struct {
	leading, prefix *regexp.Regexp
	general         compiledDesc
	before          []compiledDesc
	fixed, mobile   compiledDesc
}

type compiledDesc struct {
	re      *regexp.Regexp
	lengths []int8
}

// matches follows the library's isNumberMatchingDesc: a possible length, and the pattern.
func (d compiledDesc) matches(national string) bool {
	if len(d.lengths) > 0 && !contains(d.lengths, int8(min(len(national), 127))) {
		return false
	}
	return d.re.MatchString(national)
}

// compiledRegions holds each region's patterns once a number of the region was read.
var compiledRegions [len(regions)]struct {
	once sync.Once
	c    compiledRegion
}

func (r *region) compiled() *compiledRegion {
	cr := &compiledRegions[r.idx]
	cr.once.Do(func() {
		c := &cr.c
		if r.leadingDigits != "" {
			c.leading = regexp.MustCompile("^(?:" + r.leadingDigits + ")")
		}
		if r.nationalPrefix != "" {
			c.prefix = regexp.MustCompile("^(?:" + r.nationalPrefix + ")")
		}
		c.general = compileDesc(r.general)
		for _, d := range r.before {
			c.before = append(c.before, compileDesc(d))
		}
		c.fixed, c.mobile = compileDesc(r.fixed), compileDesc(r.mobile)
	})
	return &cr.c
}

func compileDesc(d desc) compiledDesc {
	return compiledDesc{regexp.MustCompile("^(?:" + d.pattern + ")$"), d.lengths}
}

func contains(l []int8, n int8) bool {
	for _, v := range l {
		if v == n {
			return true
		}
	}
	return false
}
