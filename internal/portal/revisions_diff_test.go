package portal

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestRevisionChanges(t *testing.T) {
	prev := `{"row": {"id": "1", "name": "Sjakk", "phone": "", "updated_at": "2026-01-01"},
		"texts": [{"locale": "nb", "title": "A", "summary": "", "updated_at": "x"}, {"locale": "en", "title": "A"}],
		"categories": ["c1", "c2"]}`
	cases := []struct {
		name, cur string
		want      []string
	}{
		{"nothing but times", `{"row": {"id": "1", "name": "Sjakk", "phone": "", "updated_at": "2026-02-02"},
			"texts": [{"locale": "en", "title": "A"}, {"locale": "nb", "title": "A", "summary": "", "updated_at": "y"}],
			"categories": ["c2", "c1"]}`, []string{}},
		{"fields, texts, languages, lists", `{"row": {"id": "1", "name": "Sjakk B", "phone": "33", "hero_image_id": null},
			"texts": [{"locale": "nb", "title": "B", "summary": ""}, {"locale": "nn", "title": "A"}],
			"categories": ["c1"], "links": []}`,
			[]string{"categories", "links", "name", "phone", "texts.en", "texts.nb.title", "texts.nn"}},
	}
	for _, c := range cases {
		r := &Revision{Snapshot: json.RawMessage(c.cur), Previous: json.RawMessage(prev)}
		got := r.Changes()
		// hero_image_id is null in one and missing in the other: the same.
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := (&Revision{Snapshot: json.RawMessage(prev)}).Changes(); got != nil {
		t.Errorf("without a previous revision: %q", got)
	}
}
