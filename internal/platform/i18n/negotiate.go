package i18n

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Negotiate picks the best of the enabled locale codes for a request. override (the X-Locale
// header) wins over accept (the Accept-Language header) when it names a usable locale. When
// nothing matches, or the headers are garbage, it returns def: negotiation never fails.
func Negotiate(override, accept string, enabled []string, def string) string {
	if len(enabled) == 0 || (strings.TrimSpace(override) == "" && strings.TrimSpace(accept) == "") {
		return def
	}
	n := negotiatorFor(enabled, def)
	for _, header := range []string{override, accept} {
		if strings.TrimSpace(header) == "" || len(header) > 512 {
			continue
		}
		wanted, _, err := language.ParseAcceptLanguage(header)
		if err != nil || len(wanted) == 0 {
			continue
		}
		if _, i, conf := n.matcher.Match(wanted...); conf != language.No {
			return n.codes[i]
		}
	}
	return def
}

// negotiator matches requests against a set of enabled locales: its codes in the order of
// its matcher's tags.
type negotiator struct {
	matcher language.Matcher
	codes   []string
}

// negotiators keeps a negotiator per set of enabled locales and default, as making the
// matcher is most of a negotiation's work and a server sees few such sets (its
// municipalities' and the system's). A matcher is only read once made, so it is shared.
var negotiators = struct {
	sync.RWMutex
	m map[string]*negotiator
}{m: map[string]*negotiator{}}

// maxNegotiators bounds negotiators: past it (locales enabled and disabled many times over)
// it starts again.
const maxNegotiators = 1024

func negotiatorFor(enabled []string, def string) *negotiator {
	key := def + "|" + strings.Join(enabled, ",")
	negotiators.RLock()
	n := negotiators.m[key]
	negotiators.RUnlock()
	if n != nil {
		return n
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
	n = &negotiator{matcher: language.NewMatcher(tags), codes: codes}
	negotiators.Lock()
	if len(negotiators.m) >= maxNegotiators {
		negotiators.m = map[string]*negotiator{}
	}
	negotiators.m[key] = n
	negotiators.Unlock()
	return n
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
