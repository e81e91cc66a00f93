package app_test

import (
	"slices"
	"testing"
)

// TestAMunicipalityAddsALanguage: an administrator adds Northern Sami falling back to nb,
// and clients can ask for it at once; then it is switched off again.
func TestAMunicipalityAddsALanguage(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	admin := login(t, s, "kari@example.no")
	save := `mutation($in: LocaleInput!) {
		saveLocale(input: $in) { locale { code nativeName enabled fallback { code } } } }`
	r := ok(t, s.post(t, save, map[string]any{"in": map[string]any{"code": "se", "englishName": "Northern Sami", "nativeName": "davvisámegiella", "fallback": "nb"}}, admin))
	if get(r.Data, "saveLocale.locale.fallback.code") != "nb" || get(r.Data, "saveLocale.locale.enabled") != true {
		t.Fatalf("%+v", r.Data)
	}
	q := ok(t, s.post(t, `{ locales { code } categories { name textLocale } }`, nil, "Accept-Language: se"))
	if !slices.Contains(names(q.Data, "locales", "code"), "se") || q.Header.Get("Content-Language") != "se" || get(q.Data, "categories.0.textLocale") != "nb" {
		t.Errorf("after adding se: %v %q %v", names(q.Data, "locales", "code"), q.Header.Get("Content-Language"), get(q.Data, "categories.0"))
	}
	ok(t, s.post(t, save, map[string]any{"in": map[string]any{"code": "se", "enabled": false}}, admin))
	if q := ok(t, s.post(t, `{
		locales { code } }`, nil, "Accept-Language: se")); slices.Contains(names(q.Data, "locales", "code"), "se") {
		t.Error("a disabled language is still offered")
	}
	for name, tt := range map[string]struct {
		in    map[string]any
		field string
	}{
		"BadCode":         {map[string]any{"code": "Klingon!", "englishName": "x", "nativeName": "x"}, "code"},
		"NoName":          {map[string]any{"code": "uk"}, "englishName"},
		"SelfFallback":    {map[string]any{"code": "nn", "fallback": "nn"}, "fallback"},
		"UnknownFallback": {map[string]any{"code": "nn", "fallback": "de"}, "fallback"},
		"CycleFallback":   {map[string]any{"code": "nb", "fallback": "nn"}, "fallback"},
		"DisableDefault":  {map[string]any{"code": "nb", "enabled": false}, "enabled"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, save, map[string]any{"in": tt.in}, admin)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v, want BAD_USER_INPUT on %s", r.Errors, tt.field)
			}
		})
	}
}
