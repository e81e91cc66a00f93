package talk

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
)

// Limits of a question.
const (
	MinDisplayName = 2
	MaxDisplayName = 40
	MinQuestion    = 3
	MaxQuestion    = 1000
	MaxAnswer      = 2000
	MaxReportNote  = 500
)

// urlLike matches what reads as a web address or e-mail address: a scheme, "www.", an @
// between words, or a name ending in a common top-level domain.
var urlLike = regexp.MustCompile(`(?i)([a-z][a-z0-9+.\-]*://|www\.|\S@\S|[a-z0-9\-]\.(no|com|net|org|io|info|biz|` +
	`eu|se|dk|uk|de|me|ly|gl|co|app|xyz)\b)`)

// CheckDisplayName returns a display name trimmed, with runs of spaces made one, or
// BAD_USER_INPUT naming field with a reason: LENGTH (2 to 40 characters), URL (a web or
// e-mail address), IDENTITY_NUMBER (something like an identity number), CHARACTERS
// (control characters or HTML).
func CheckDisplayName(name, field string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if n := utf8.RuneCountInString(name); n < MinDisplayName || n > MaxDisplayName {
		return "", apperr.Invalid(field, "DisplayNameLength", map[string]any{"Min": MinDisplayName,
			"Max": MaxDisplayName}).WithReason("LENGTH")
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '<' || r == '>' }) {
		return "", apperr.Invalid(field, "DisplayNameCharacters", nil).WithReason("CHARACTERS")
	}
	if urlLike.MatchString(name) {
		return "", apperr.Invalid(field, "DisplayNameURL", nil).WithReason("URL")
	}
	if identity.LooksLikeNumber(name) {
		return "", apperr.Invalid(field, "NoIdentityNumber", nil).WithReason("IDENTITY_NUMBER")
	}
	return name, nil
}

// checkFreeText returns a question's or answer's text trimmed, or BAD_USER_INPUT naming
// field: LENGTH (min to max characters), HTML, IDENTITY_NUMBER.
func checkFreeText(s string, min, max int, field string) (string, error) {
	s, err := portal.CheckText(s, max, field)
	if err != nil {
		if e := apperr.As(err); e != nil && e.MessageID == "TextTooLong" {
			return "", e.WithReason("LENGTH")
		}
		return "", apperr.As(err).WithReason("HTML")
	}
	if utf8.RuneCountInString(s) < min {
		return "", apperr.Invalid(field, "TextTooShort", map[string]any{"Min": min}).WithReason("LENGTH")
	}
	if identity.LooksLikeNumber(s) {
		return "", apperr.Invalid(field, "NoIdentityNumber", nil).WithReason("IDENTITY_NUMBER")
	}
	return s, nil
}
