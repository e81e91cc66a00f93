package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// gapsQuery pages through missingTranslations.
const gapsQuery = `query($l: String, $after: String) { missingTranslations(locale: $l, first: 10, after: $after) {
	edges { cursor node { activity { slug } organisation { slug } missingLocales } } pageInfo { hasNextPage endCursor } } }`

// allGaps walks every page of missingTranslations for locale ("" for any) and returns the
// missing locales by "activity:slug" or "organisation:slug".
func allGaps(t *testing.T, s *testServer, locale string, headers ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	vars := map[string]any{}
	if locale != "" {
		vars["l"] = locale
	}
	for range 100 {
		r := ok(t, s.larvik(t, gapsQuery, vars, headers...))
		for _, e := range list(r, "missingTranslations") {
			key := fmt.Sprint("organisation:", get(e, "organisation.slug"))
			if slug := get(e, "activity.slug"); slug != nil {
				key = fmt.Sprint("activity:", slug)
			}
			if _, dup := out[key]; dup {
				t.Fatalf("%s listed twice", key)
			}
			out[key] = strs(get(e, "missingLocales"))
		}
		if get(r.Data, "missingTranslations.pageInfo.hasNextPage") != true {
			return out
		}
		vars["after"] = get(r.Data, "missingTranslations.pageInfo.endCursor")
	}
	t.Fatal("missingTranslations does not end")
	return nil
}

// TestMissingTranslationsList: an administrator lists the published items lacking texts
// in a locale (or any); others are refused and a locale not enabled is bad input.
func TestMissingTranslationsList(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	r := ok(t, s.larvik(t, `{ activities(first: 1) { nodes { slug organisation { slug } } } }`, nil))
	activity, _ := get(r.Data, "activities.nodes.0.slug").(string)
	organisation, _ := get(r.Data, "activities.nodes.0.organisation.slug").(string)
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "larvik")
	if err != nil {
		t.Fatal(err)
	}
	larvikID := tn.ID()
	// The activity has texts in nb and nn only; its organisation in every enabled locale.
	s.exec(t, `DELETE FROM activity_translations WHERE activity_id = (SELECT id FROM activities WHERE slug = ? AND municipality_id = ?)`, activity, larvikID)
	s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title)
		SELECT id, municipality_id, l, 'tittel' FROM activities, unnest(ARRAY['nb', 'nn']) l WHERE slug = ? AND municipality_id = ?`, activity, larvikID)
	s.exec(t, `INSERT INTO organisation_translations (organisation_id, municipality_id, locale, summary)
		SELECT o.id, o.municipality_id, l.code, 'x' FROM organisations o JOIN locales l ON l.municipality_id = o.municipality_id AND l.enabled
		WHERE o.slug = ? AND o.municipality_id = ? ON CONFLICT DO NOTHING`, organisation, larvikID)
	createAdminIn(t, s, "larvik", "admin@example.no")
	if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: "user@example.no", Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	admin := login(t, s, "admin@example.no", "X-Municipality: larvik")

	t.Run("English", func(t *testing.T) {
		t.Parallel()
		gaps := allGaps(t, s, "en", admin)
		if got := gaps["activity:"+activity]; !slices.Equal(got, []string{"en"}) {
			t.Errorf("activity missing %v, want [en]", got)
		}
		if _, listed := gaps["organisation:"+organisation]; listed {
			t.Errorf("an organisation with every text is listed")
		}
		for key, missing := range gaps {
			if !slices.Contains(missing, "en") {
				t.Errorf("%s listed for en while missing only %v", key, missing)
			}
		}
	})
	t.Run("Bokmål", func(t *testing.T) {
		t.Parallel()
		if _, listed := allGaps(t, s, "nb", admin)["activity:"+activity]; listed {
			t.Errorf("an activity with nb texts is listed for nb")
		}
	})
	t.Run("AnyLocale", func(t *testing.T) {
		t.Parallel()
		if got := allGaps(t, s, "", admin)["activity:"+activity]; !slices.Equal(got, []string{"en"}) {
			t.Errorf("activity missing %v, want [en]", got)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		for who, want := range map[string]string{"": "UNAUTHENTICATED", "user@example.no": "FORBIDDEN"} {
			var headers []string
			if who != "" {
				headers = append(headers, login(t, s, who, "X-Municipality: larvik"))
			}
			if r := s.larvik(t, gapsQuery, map[string]any{"l": "en"}, headers...); r.code() != want || r.Data != nil && get(r.Data, "missingTranslations") != nil {
				t.Errorf("%q got %s %+v, want %s", who, r.code(), r.Data, want)
			}
		}
	})
	t.Run("BadLocale", func(t *testing.T) {
		t.Parallel()
		for _, l := range []string{"xx", "ar", ""} {
			r := s.larvik(t, gapsQuery, map[string]any{"l": l}, admin)
			if l == "" {
				ok(t, r) // an empty locale is no locale
				continue
			}
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "locale" {
				t.Errorf("locale %q: %+v", l, r.Errors)
			}
		}
	})
}
