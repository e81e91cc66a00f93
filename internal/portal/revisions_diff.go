package portal

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// Changes is the revision's diff summary: what differs from the revision before it, as
// API field names, sorted: "name", "authorLine", "texts.nb" (a language added or removed),
// "texts.nb.title", "categories", ... Times of the change itself are not changes. Nil when
// the revision before it is not kept (or there was none: the item as created).
func (r *Revision) Changes() []string {
	if len(r.Previous) == 0 {
		return nil
	}
	var cur, prev map[string]json.RawMessage
	if json.Unmarshal(r.Snapshot, &cur) != nil || json.Unmarshal(r.Previous, &prev) != nil {
		return nil
	}
	out := []string{}
	for _, k := range keysOf(cur, prev) {
		switch k {
		case "row":
			out = append(out, diffObjects("", cur[k], prev[k])...)
		case "texts":
			out = append(out, diffTexts(cur[k], prev[k])...)
		default:
			if !sameJSON(cur[k], prev[k]) {
				out = append(out, camel(k))
			}
		}
	}
	slices.Sort(out)
	return out
}

// ignored are snapshot columns that change with every save or never: not changes.
var ignored = map[string]bool{"updated_at": true, "created_at": true, "municipality_id": true, "id": true,
	"source_hashes": true}

// diffObjects names the keys whose values differ between two JSON objects, each under prefix.
func diffObjects(prefix string, a, b json.RawMessage) []string {
	var x, y map[string]json.RawMessage
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	var out []string
	for _, k := range keysOf(x, y) {
		if ignored[k] {
			continue
		}
		if !sameJSON(x[k], y[k]) {
			out = append(out, prefix+camel(k))
		}
	}
	return out
}

// diffTexts names the languages added or removed ("texts.nb") and the fields changed in
// the others ("texts.nb.title").
func diffTexts(a, b json.RawMessage) []string {
	byLocale := func(raw json.RawMessage) map[string]json.RawMessage {
		var rows []json.RawMessage
		_ = json.Unmarshal(raw, &rows)
		out := map[string]json.RawMessage{}
		for _, r := range rows {
			var l struct {
				Locale string `json:"locale"`
			}
			if json.Unmarshal(r, &l) == nil {
				out[l.Locale] = r
			}
		}
		return out
	}
	x, y := byLocale(a), byLocale(b)
	var out []string
	for _, l := range keysOf(x, y) {
		if x[l] == nil || y[l] == nil {
			out = append(out, "texts."+l)
			continue
		}
		out = append(out, diffObjects("texts."+l+".", x[l], y[l])...)
	}
	return out
}

// sameJSON compares two JSON values by meaning; lists of strings (IDs) as sets.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(orNull(a), &x) != nil || json.Unmarshal(orNull(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(sortStrings(x), sortStrings(y))
}

func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

func sortStrings(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	ss := make([]string, 0, len(l))
	for _, e := range l {
		s, ok := e.(string)
		if !ok {
			return v
		}
		ss = append(ss, s)
	}
	slices.Sort(ss)
	return ss
}

func keysOf[V any](ms ...map[string]V) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// camel turns a snapshot column (author_line) into the API's field name (authorLine).
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
