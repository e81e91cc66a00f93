// Package i18n holds fritid's system strings (go-i18n message files in nb, nn and en),
// the negotiation of a request's locale, and the fallback chain used to pick a content
// translation.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var files embed.FS

// SystemLocales are the locales fritid's own strings are written in.
var SystemLocales = []string{"nb", "nn", "en"}

// Bundle is the set of system strings, safe for concurrent use.
type Bundle struct {
	b          *goi18n.Bundle
	localizers sync.Map // locale code -> *goi18n.Localizer
}

// NewBundle loads the embedded message files. nb is the last fallback.
func NewBundle() (*Bundle, error) {
	b := goi18n.NewBundle(language.MustParse("nb"))
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, code := range SystemLocales {
		if _, err := b.LoadMessageFileFS(files, "locales/active."+code+".json"); err != nil {
			return nil, fmt.Errorf("load %s messages: %w", code, err)
		}
	}
	return &Bundle{b: b}, nil
}

// MustNewBundle is NewBundle for package initialisation and tests; the files are embedded,
// so a failure is a programming error.
func MustNewBundle() *Bundle {
	b, err := NewBundle()
	if err != nil {
		panic(err)
	}
	return b
}

// Localize returns message id in locale (falling back along chain, then nb), filled with
// data. An unknown id returns the id itself, so a missing string shows up, never crashes.
func (bu *Bundle) Localize(chain []string, id string, data map[string]any) string {
	key := fmt.Sprint(chain)
	l, ok := bu.localizers.Load(key)
	if !ok {
		l, _ = bu.localizers.LoadOrStore(key, goi18n.NewLocalizer(bu.b, chain...))
	}
	s, err := l.(*goi18n.Localizer).Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return id
	}
	return s
}

type ctxKey struct{}

// Locale is the locale negotiated for a request: the code and the chain to try for content
// and system strings (requested, its fallbacks, the municipality's default).
type Locale struct {
	Code  string
	Chain []string
}

// WithLocale returns ctx carrying loc.
func WithLocale(ctx context.Context, loc Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, loc)
}

// FromContext returns the request's locale; outside a request it is nb.
func FromContext(ctx context.Context) Locale {
	if loc, ok := ctx.Value(ctxKey{}).(Locale); ok {
		return loc
	}
	return Locale{Code: "nb", Chain: []string{"nb"}}
}
