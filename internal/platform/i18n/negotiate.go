package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Negotiate picks the best of the enabled locale codes for a request. override (the X-Locale
// header) wins over accept (the Accept-Language header) when it names a usable locale. When
// nothing matches, or the headers are garbage, it returns def: negotiation never fails.
func Negotiate(override, accept string, enabled []string, def string) string {
	if len(enabled) == 0 {
		return def
	}
	tags := make([]language.Tag, 0, len(enabled)+1)
	codes := make([]string, 0, len(enabled)+1)
	// The default goes first: the matcher returns the first tag when nothing fits.
	tags, codes = appendTag(tags, codes, def)
	for _, c := range enabled {
		if c != def {
			tags, codes = appendTag(tags, codes, c)
		}
	}
	m := language.NewMatcher(tags)
	for _, header := range []string{override, accept} {
		if strings.TrimSpace(header) == "" || len(header) > 512 {
			continue
		}
		wanted, _, err := language.ParseAcceptLanguage(header)
		if err != nil || len(wanted) == 0 {
			continue
		}
		if _, i, conf := m.Match(wanted...); conf != language.No {
			return codes[i]
		}
	}
	return def
}

func appendTag(tags []language.Tag, codes []string, code string) ([]language.Tag, []string) {
	t, err := language.Parse(code)
	if err != nil {
		return tags, codes
	}
	return append(tags, t), append(codes, code)
}

// Chain returns the order in which to look for a translation: code, then its fallback and
// the fallback's fallback (fallbackOf returns "" at the end), then def. No code appears twice.
func Chain(code string, fallbackOf func(string) string, def string) []string {
	chain := []string{}
	seen := map[string]bool{}
	for c := code; c != "" && !seen[c] && len(chain) < 8; c = fallbackOf(c) {
		seen[c] = true
		chain = append(chain, c)
	}
	if def != "" && !seen[def] {
		chain = append(chain, def)
	}
	return chain
}

// Pick returns the value for the first locale of chain that has one, and that locale.
// ok is false when none of the chain's locales has a value.
func Pick[T any](chain []string, byLocale map[string]T) (v T, locale string, ok bool) {
	for _, c := range chain {
		if v, ok := byLocale[c]; ok {
			return v, c, true
		}
	}
	return v, "", false
}
