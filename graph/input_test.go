package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// operation parses query (unvalidated: the guard needs no types) into an operation context.
func operation(tb testing.TB, query string, vars map[string]any) *graphql.OperationContext {
	tb.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		tb.Fatal(err)
	}
	return &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: vars}
}

// TestInputGuard: the guard finds bad text wherever an argument can carry it, names the
// argument path, and lets good operations through.
func TestInputGuard(t *testing.T) {
	tests := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"Fine", `query($f: Filter) {
			a(x: "ok", f: $f) { b(y: [1, 2.5, "å"]) } }`, map[string]any{"f": map[string]any{"q": "svøm"}}, ""},
		{"Literal", `{ a(x: "\u0000") }`, nil, "x"},
		{"Variable", `query($v: String) { a(x: $v) }`, map[string]any{"v": "\x00"}, "x"},
		{"VariableInList", `query($v: [String]) { a(x: $v) }`, map[string]any{"v": []any{"ok", "\xff"}}, "x[1]"},
		{"VariableInsideLiteral", `query($v: String) {
			a(in: {list: [{s: $v}]}) }`, map[string]any{"v": "\x00"}, "in.list[0].s"},
		{"NestedField", `{ a { b { c(after: "\u0000") } } }`, nil, "after"},
		{"InlineFragment", `{ ... on Query { a(x: "\u0000") } }`, nil, "x"},
		{"Fragment", `{ ...F ...F } fragment F on Query { a(x: "\u0000") }`, nil, "x"},
		{"Directive", `query($v: String) { a @skip(if: $v) }`, map[string]any{"v": "\x00"}, "if"},
		{"JSONKey", `query($v: JSON) {
			a(settings: $v) }`, map[string]any{"v": map[string]any{"\x00": 1}}, "settings.\x00"},
		{"HugeInteger", `{ a(d: 99999999999999999999) }`, nil, "d"},
		{"HugeFloat", `{ a(d: [1e400]) }`, nil, "d[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gerr := inputGuard{}.MutateOperationContext(context.Background(), operation(t, tt.query, tt.vars))
			if tt.field == "" {
				if gerr != nil {
					t.Fatalf("refused: %v", gerr)
				}
				return
			}
			if e := apperr.As(gerr); e == nil || e.Code != apperr.BadUserInput || e.Field != tt.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %q", gerr, tt.field)
			}
			if gerr.Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("gqlgen sees code %v, so the status is not a request error's", gerr.Extensions["code"])
			}
		})
	}
}

// TestArgumentsWalksFragmentsOnce: a fragment spread many times is walked once, so a
// document cannot make the guard's work grow beyond its size.
func TestArgumentsWalksFragmentsOnce(t *testing.T) {
	op := operation(t, `{ ...A ...A ...A } fragment A on Q { ...B ...B } fragment B on Q { x(a: 1) y(b: 2) }`, nil)
	n := 0
	for range arguments(op.Doc, op.Operation) {
		n++
	}
	if n != 2 {
		t.Errorf("walked %d arguments, want 2", n)
	}
}

// TestVariableUse names the argument path where a variable is first used.
func TestVariableUse(t *testing.T) {
	op := operation(t, `query($a: Int, $b: String) { x(n: $a) y(in: {list: [1, {s: $b}]}) }`, nil)
	for name, want := range map[string]string{"a": "n", "b": "in.list[1].s", "c": ""} {
		if got := variableUse(op.Doc, op.Operation, name).String(); got != want {
			t.Errorf("%s used at %q, want %q", name, got, want)
		}
	}
}

// BenchmarkInputGuard measures the guard on a catalogue page query with a filter variable.
func BenchmarkInputGuard(b *testing.B) {
	op := operation(b, `query($f: CatalogueFilterInput, $after: String) {
	  activities(filter: $f, first: 50, after: $after) {
	    edges { cursor node { id title summary organisation { name } categories { name } venue { name } } }
	    pageInfo { endCursor hasNextPage }
	  }
	}`, map[string]any{"f": map[string]any{"query": "svømming for barn", "categories": []any{"Q2F0ZWdvcnk6MQ", "Q2F0ZWdvcnk6Mg"},
		"near": map[string]any{"lat": 59.05, "lon": 10.03, "radiusKm": 5}}, "after": "eyJvIjoiTkFNRSJ9"})
	g := inputGuard{}
	b.ReportAllocs()
	for b.Loop() {
		if err := g.MutateOperationContext(context.Background(), op); err != nil {
			b.Fatal(err)
		}
	}
}
