package app_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// wideActivity selects every field of an activity that lists read from their own rows.
const wideActivity = `id slug title summary description priceNote textLocale
	schedule { text slots { weekday start end } }
	organisation { id name summary } categories { id name } venue { id name address { street place } }
	targetGroups ageMin ageMax accessibility free priceOre languages location { lat lon } signupUrl
	contact { email phone } status acceptsCard createdAt updatedAt neighbourhoods { id } images { id }`

// wideOrganisation is wideActivity for organisations, with a nested activity list.
const wideOrganisation = `id slug name kind orgNumber summary description textLocale contact { email phone person }
	website links { url } address { street postalCode place } location { lat lon } status createdAt updatedAt
	categories { id } neighbourhoods { id }
	activities(first: 3) { edges { cursor node { ` + wideActivity + ` } } pageInfo { hasNextPage endCursor } }`

// TestNarrowSelectionsReadTheSame: a list read with a few fields gives for them what a read
// of every field gives, in every language (texts falling back field by field); two
// selections of the same nested list in one request each get their own fields.
func TestNarrowSelectionsReadTheSame(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	seedFallbackTexts(t, s)
	wide := `{ organisations(first: 30) { edges { cursor node { ` + wideOrganisation + ` } } pageInfo { endCursor } }
		activities(first: 30) { edges { cursor node { ` + wideActivity + ` } } } }`
	narrow := map[string]string{
		"IDs": `{ organisations(first: 30) { edges { node { id activities(first: 3) { edges { node { id } } } } } }
			activities(first: 30) { nodes { id } } }`,
		"Titles": `{ organisations(first: 30) { edges { node { id activities(first: 3) { edges { node { id title } } } } } }
			activities(first: 30) { edges { node { title } } } }`,
		"TextsAndRelations": `{ organisations(first: 30) { edges { cursor node { name textLocale summary
			activities(first: 3) { nodes { title textLocale venue { name } } pageInfo { hasNextPage endCursor } } } } }
			activities(first: 30) { nodes { summary textLocale organisation { name } categories { name } } } }`,
		"ScalarsWithoutTexts": `{ organisations(first: 30) { nodes { slug kind location { lat lon } status
			activities(first: 3) { nodes { slug priceOre free schedule { slots { weekday } } ageMin languages } } } }
			activities(first: 30) { edges { cursor node { slug accessibility targetGroups contact { email } } } } }`,
		"TwoSelectionsOfOneList": `{ organisations(first: 30) { nodes { id
			a: activities(first: 3) { nodes { id } } b: activities(first: 3) { nodes { description venue { id } } } } } }`,
	}
	for _, lang := range []string{"nb", "en", "ar"} {
		want := ok(t, s.larvik(t, wide, nil, "Accept-Language: "+lang))
		for name, q := range narrow {
			t.Run(lang+"/"+name, func(t *testing.T) {
				got := ok(t, s.larvik(t, q, nil, "Accept-Language: "+lang))
				if exp := project(t, want.Data, got.Data); !reflect.DeepEqual(got.Data, exp) {
					t.Errorf("narrow answer differs from the wide one:\n got %v\nwant %v", got.Data, exp)
				}
			})
		}
	}
}

// project returns wide cut down to the shape of narrow: the same keys (the aliases a and b
// standing for activities, nodes for the nodes of edges), the same list lengths.
func project(t *testing.T, wide, narrow any) any {
	t.Helper()
	switch n := narrow.(type) {
	case map[string]any:
		w, _ := wide.(map[string]any)
		if w == nil {
			return nil
		}
		out := make(map[string]any, len(n))
		for k, v := range n {
			wk, okKey := w[k]
			switch {
			case okKey:
			case k == "a" || k == "b":
				wk = w["activities"]
			case k == "nodes":
				wk = nodesOf(w["edges"])
			}
			out[k] = project(t, wk, v)
		}
		return out
	case []any:
		w, _ := wide.([]any)
		if len(w) != len(n) {
			t.Fatalf("a list of %d items where a read of every field has %d", len(n), len(w))
		}
		out := make([]any, len(n))
		for i := range n {
			out[i] = project(t, w[i], n[i])
		}
		return out
	}
	return wide
}

// nodesOf returns the nodes of a connection's edges.
func nodesOf(edges any) any {
	es, _ := edges.([]any)
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = e.(map[string]any)["node"]
	}
	return out
}

// TestFoundItemsReadOnlyWhatTheyShow: a search, node and nodes showing only titles read no
// organisations, venues or categories; asking for them adds their batches and gives the
// same titles.
func TestFoundItemsReadOnlyWhatTheyShow(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	const relations = `organisation { name } venue { name } categories { name }`
	ids := ok(t, s.larvik(t, `{ activities(first: 5) { nodes { id } } }`, nil))
	var first []any
	for _, n := range ids.Data["activities"].(map[string]any)["nodes"].([]any) {
		first = append(first, n.(map[string]any)["id"])
	}
	queries := map[string]string{
		"search": `{ search(query: "svøm", first: 20) { edges { node { ... on Organisation { name }
			... on Activity { title %s } } } } }`,
		"searchNodes": `{ search(query: "svøm", first: 20) { nodes { ... on Activity { title %s } } } }`,
		"node":        `query($id: ID!) { node(id: $id) { ... on Activity { title %s } } }`,
		"nodes":       `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Activity { title %s } } }`,
	}
	vars := map[string]any{"id": first[0], "ids": first}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			count := func(q string) (int64, map[string]any) {
				s.larvik(t, strings.ReplaceAll(q, "%s", ""), vars) // categories come from a cache after the first
				s.app.Portal.InvalidateSharedProviders()
				counter.n.Store(0)
				r := ok(t, s.larvik(t, q, vars))
				return counter.n.Load(), r.Data
			}
			narrowN, narrow := count(strings.ReplaceAll(q, "%s", ""))
			wideN, wide := count(strings.ReplaceAll(q, "%s", relations))
			if narrowN >= wideN {
				t.Errorf("titles alone ran %d statements, titles with relations %d: the relations were read unasked",
					narrowN, wideN)
			}
			if exp := project(t, wide, narrow); !reflect.DeepEqual(narrow, exp) {
				t.Errorf("titles alone differ from titles with relations:\n got %v\nwant %v", narrow, exp)
			}
			if !strings.Contains(fmt.Sprint(wide), "organisation:map[name:") {
				t.Errorf("no organisation shown: %v", wide)
			}
		})
	}
}
