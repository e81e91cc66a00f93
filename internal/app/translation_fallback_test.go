package app_test

import (
	"fmt"
	"testing"
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
	nested := `query($o: String!) { organisation(slug: $o) { activities(first: 100) { nodes { slug ` + fields + ` } } } }`
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
