package portal

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/fritid/fritid/internal/platform/apperr"
)

var (
	norwegianPhone = regexp.MustCompile(`^(\+47)?[2-9][0-9]{7}$`)
	e164           = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	postalCode     = regexp.MustCompile(`^[0-9]{4}$`)
)

// CheckPhone returns the phone number without spaces, or BAD_USER_INPUT naming field when
// it is neither a Norwegian 8-digit number nor an E.164 number. "" stays "".
func CheckPhone(phone, field string) (string, error) {
	p := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(phone))
	if p == "" || norwegianPhone.MatchString(p) || e164.MatchString(p) {
		return p, nil
	}
	return "", apperr.Invalid(field, "PhoneInvalid", nil)
}

// CheckURL returns the URL when it is an absolute http or https URL (never javascript: or
// data:), or BAD_USER_INPUT naming field. "" stays "".
func CheckURL(raw, field string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 {
		return "", apperr.Invalid(field, "URLInvalid", nil)
	}
	return raw, nil
}

// CheckPostalCode returns a four-digit postal code, or BAD_USER_INPUT. "" stays "".
func CheckPostalCode(code, field string) (string, error) {
	code = strings.TrimSpace(code)
	if code == "" || postalCode.MatchString(code) {
		return code, nil
	}
	return "", apperr.Invalid(field, "PostalCodeInvalid", nil)
}

// CheckText returns plain text trimmed, or BAD_USER_INPUT when it is longer than max
// characters or carries HTML markup (text is plain or Markdown, never raw HTML).
func CheckText(s string, max int, field string) (string, error) {
	s = strings.TrimSpace(s)
	if len([]rune(s)) > max {
		return "", apperr.Invalid(field, "TextTooLong", map[string]any{"Max": max})
	}
	if htmlTag.MatchString(s) {
		return "", apperr.Invalid(field, "HTMLNotAllowed", nil)
	}
	return s, nil
}

var htmlTag = regexp.MustCompile(`(?i)<\s*/?\s*[a-z][a-z0-9-]*(\s[^>]*)?>`)
