package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// seedFallbackTexts gives Larvik Arabic (falling back to English, then the default nb) and
// gives the first activity and organisation texts that are complete only in nb: en has a
// title and description, ar a title and summary. It returns their slugs.
func seedFallbackTexts(t *testing.T, s *testServer) (activity, organisation string) {
	t.Helper()
	mid := `(SELECT id FROM municipalities WHERE slug = 'larvik')`
	s.exec(t, `INSERT INTO locales (municipality_id, code, english_name, native_name, direction, fallback_code, sort_order)
		SELECT id, 'ar', 'Arabic', 'العربية', 'rtl', 'en', 9 FROM municipalities WHERE slug = 'larvik'`)
	r := ok(t, s.larvik(t, `{ activities(first: 1) { nodes { slug organisation { slug } } } }`, nil))
	activity, _ = get(r.Data, "activities.nodes.0.slug").(string)
	organisation, _ = get(r.Data, "activities.nodes.0.organisation.slug").(string)
	aid := fmt.Sprintf(`(SELECT id FROM activities WHERE municipality_id = %s AND slug = '%s')`, mid, activity)
	oid := fmt.Sprintf(`(SELECT id FROM organisations WHERE municipality_id = %s AND slug = '%s')`, mid, organisation)
	s.exec(t, `DELETE FROM activity_translations WHERE activity_id = `+aid)
	s.exec(t, `DELETE FROM organisation_translations WHERE organisation_id = `+oid)
	s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title, summary, description, price_note, schedule)
		SELECT id, municipality_id, 'nb', 'nb-title', 'nb-summary', 'nb-description', 'nb-price', 'nb-schedule' FROM activities WHERE id = `+aid+`
		UNION ALL SELECT id, municipality_id, 'en', 'en-title', '', 'en-description', '', '' FROM activities WHERE id = `+aid+`
		UNION ALL SELECT id, municipality_id, 'ar', 'ar-title', 'ar-summary', '', '', '' FROM activities WHERE id = `+aid)
	s.exec(t, `INSERT INTO organisation_translations (organisation_id, municipality_id, locale, summary, description)
		SELECT id, municipality_id, 'nb', 'nb-summary', 'nb-description' FROM organisations WHERE id = `+oid+`
		UNION ALL SELECT id, municipality_id, 'ar', 'ar-summary', '' FROM organisations WHERE id = `+oid)
	return activity, organisation
}

// TestTextsFallBackFieldByField: each translated field is the first non-empty one along the
// request's locale chain (requested, its fallback, the default), on its own, both for one
// item and in lists.
func TestTextsFallBackFieldByField(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	activity, organisation := seedFallbackTexts(t, s)
	const fields = `title summary description priceNote schedule { text } textLocale organisation { summary description textLocale }`
	one := `query($a: String!) { activity(slug: $a) { ` + fields + ` } }`
	nested := `query($o: String!) {
		organisation(slug: $o) { activities(first: 100) { nodes { slug ` + fields + ` } } } }`
	for name, tt := range map[string]struct {
		lang string
		want map[string]any // path under the activity -> value
	}{
		// ar -> en -> nb: ar's own title and summary, en's description, nb's price and schedule.
		"Arabic": {"ar", map[string]any{"title": "ar-title", "summary": "ar-summary", "description": "en-description",
			"priceNote": "nb-price", "schedule.text": "nb-schedule", "textLocale": "ar",
			"organisation.summary": "ar-summary", "organisation.description": "nb-description", "organisation.textLocale": "ar"}},
		"English": {"en", map[string]any{"title": "en-title", "summary": "nb-summary", "description": "en-description",
			"priceNote": "nb-price", "schedule.text": "nb-schedule", "textLocale": "en",
			"organisation.summary": "nb-summary", "organisation.description": "nb-description", "organisation.textLocale": "nb"}},
		"Bokmål": {"nb", map[string]any{"title": "nb-title", "summary": "nb-summary", "description": "nb-description",
			"priceNote": "nb-price", "schedule.text": "nb-schedule", "textLocale": "nb", "organisation.textLocale": "nb"}},
		"NynorskFallsBackToBokmål": {"nn", map[string]any{"title": "nb-title", "description": "nb-description", "textLocale": "nb"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lang := "Accept-Language: " + tt.lang
			r := ok(t, s.larvik(t, one, map[string]any{"a": activity}, lang))
			l := ok(t, s.larvik(t, nested, map[string]any{"o": organisation}, lang))
			var inList any
			for _, n := range list(l, "organisation.activities") {
				if n["slug"] == activity {
					inList = n
				}
			}
			for path, want := range tt.want {
				if got := get(r.Data, "activity."+path); got != want {
					t.Errorf("activity.%s = %v, want %v", path, got, want)
				}
				if got := get(inList, path); got != want {
					t.Errorf("in the organisation's list: %s = %v, want %v", path, got, want)
				}
			}
		})
	}
}

// TestEditorsSeeEveryLocalesTexts: those who may edit an item (its owner, an administrator)
// see its texts in every locale and the enabled locales it lacks; anonymous callers and
// other users get null with FORBIDDEN.
func TestEditorsSeeEveryLocalesTexts(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	activity, organisation := seedFallbackTexts(t, s)
	createAdminIn(t, s, "larvik", "admin@example.no")
	tn, err := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "larvik")
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"owner@example.no", "other@example.no"} {
		if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(), Email: email, Password: "riktig hest batteri"}); err != nil {
			t.Fatal(err)
		}
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'OWNER' FROM organisations o, users u WHERE o.municipality_id = ? AND o.slug = ? AND u.email = 'owner@example.no'`, tn.ID(), organisation)
	q := `query($a: String!) { activity(slug: $a) { translations { locale title summary description priceNote schedule } missingLocales
		organisation { translations { locale summary description } missingLocales } } }`
	for name, tt := range map[string]struct {
		who    string // email to sign in as, "" for anonymous
		editor bool
	}{
		"Owner":     {"owner@example.no", true},
		"Admin":     {"admin@example.no", true},
		"OtherUser": {"other@example.no", false},
		"Anonymous": {"", false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var headers []string
			if tt.who != "" {
				headers = append(headers, login(t, s, tt.who, "X-Municipality: larvik"))
			}
			r := s.larvik(t, q, map[string]any{"a": activity}, headers...)
			if !tt.editor {
				if r.code() != "FORBIDDEN" || get(r.Data, "activity.translations") != nil || get(r.Data, "activity.organisation.missingLocales") != nil {
					t.Fatalf("a non-editor got %+v %+v", r.Data, r.Errors)
				}
				return
			}
			ok(t, r)
			if got := names(r.Data, "activity.translations", "locale"); !slices.Equal(got, []string{"ar", "en", "nb"}) {
				t.Errorf("activity locales %v", got)
			}
			if get(r.Data, "activity.translations.0.description") != "" || get(r.Data, "activity.translations.2.schedule") != "nb-schedule" {
				t.Errorf("translations are not as written: %+v", get(r.Data, "activity.translations"))
			}
			if got := strs(get(r.Data, "activity.missingLocales")); !slices.Equal(got, []string{"nn"}) {
				t.Errorf("activity missing %v, want [nn]", got)
			}
			if got := names(r.Data, "activity.organisation.translations", "locale"); !slices.Equal(got, []string{"ar", "nb"}) {
				t.Errorf("organisation locales %v", got)
			}
			if got := strs(get(r.Data, "activity.organisation.missingLocales")); !slices.Equal(got, []string{"nn", "en"}) {
				t.Errorf("organisation missing %v, want [nn en]", got)
			}
		})
	}
}

// strs returns a JSON list of strings as a slice.
func strs(v any) []string {
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, s := range raw {
		out = append(out, fmt.Sprint(s))
	}
	return out
}
