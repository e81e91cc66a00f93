package graph

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// FuzzCheckText: checkText refuses exactly the text PostgreSQL cannot store.
func FuzzCheckText(f *testing.F) {
	f.Add("Bølgen kulturhus")
	f.Fuzz(func(t *testing.T, s string) {
		err := checkText("input.name", s)
		storable := utf8.ValidString(s) && !strings.ContainsRune(s, 0)
		if storable != (err == nil) {
			t.Fatalf("checkText(%q) = %v", s, err)
		}
		if err != nil {
			apperrtest.BadUserInput(t, err, "input.name")
		}
	})
}

// FuzzFilterFromQuery: any query string of the geo feed is a filter or BAD_USER_INPUT
// naming a filter field, never a panic, and a filter holds only storable text.
func FuzzFilterFromQuery(f *testing.F) {
	f.Add("categories=a,b&freeOnly=true&near=59.05,10.03,5&within=58.9,9.8,59.2,10.2")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http's problem: the handler never sees it
		}
		in, err := filterFromQuery(q)
		if err != nil {
			e := apperr.As(err)
			if e == nil || !strings.HasPrefix(e.Field, "filter.") {
				t.Fatalf("%q: %#v", raw, err)
			}
			apperrtest.BadUserInput(t, err, e.Field)
			return
		}
		texts := append(append(append([]string{}, in.Categories...), in.Neighbourhoods...), in.Languages...)
		if in.Query != nil {
			texts = append(texts, *in.Query)
		}
		for _, v := range in.TargetGroups {
			texts = append(texts, string(v))
		}
		for _, v := range in.Accessibility {
			texts = append(texts, string(v))
		}
		for _, v := range in.OrganisationKinds {
			texts = append(texts, string(v))
		}
		for _, s := range texts {
			if checkText("", s) != nil {
				t.Fatalf("%q: filter holds %q", raw, s)
			}
		}
	})
}
