package app_test

import (
	"slices"
	"testing"
)

func TestAdministratorsEditTheTaxonomy(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	admin := login(t, s, "kari@example.no")
	parent := idOf(ok(t, s.post(t, `{ categories { id slug } }`, nil)), "categories", "idrett-og-fysisk-aktivitet")
	save := `mutation($in: CategoryChangesInput!) {
		saveCategory(input: $in) { category { id slug name parent { slug } } } }`
	r := ok(t, s.post(t, save, map[string]any{"in": map[string]any{"slug": "svomming", "parentId": parent,
		"names": []any{map[string]any{"locale": "nb", "name": "Svømming"}, map[string]any{"locale": "en", "name": "Swimming"}}}}, admin))
	child := get(r.Data, "saveCategory.category.id")
	if get(r.Data, "saveCategory.category.name") != "Svømming" || get(r.Data, "saveCategory.category.parent.slug") != "idrett-og-fysisk-aktivitet" {
		t.Fatalf("%+v", r.Data)
	}
	// The change shows at once in the public taxonomy, in English too.
	q := ok(t, s.post(t, `{
		category(slug: "idrett-og-fysisk-aktivitet") { children { name } } }`, nil, "Accept-Language: en"))
	if !slices.Contains(names(q.Data, "category.children", "name"), "Swimming") {
		t.Errorf("children: %+v", q.Data)
	}
	for name, tt := range map[string]struct {
		in    map[string]any
		field string
		code  string
	}{
		"SlugTaken":     {map[string]any{"slug": "kunst-og-kultur", "names": []any{map[string]any{"locale": "nb", "name": "X"}}}, "input.slug", "CONFLICT"},
		"BadSlug":       {map[string]any{"slug": "Æ Ø", "names": []any{map[string]any{"locale": "nb", "name": "X"}}}, "input.slug", "BAD_USER_INPUT"},
		"NoDefaultName": {map[string]any{"slug": "x", "names": []any{map[string]any{"locale": "en", "name": "X"}}}, "input.names", "BAD_USER_INPUT"},
		"Cycle":         {map[string]any{"id": parent, "slug": "idrett-og-fysisk-aktivitet", "parentId": child, "names": []any{map[string]any{"locale": "nb", "name": "Idrett"}}}, "input.parentId", "BAD_USER_INPUT"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, save, map[string]any{"in": tt.in}, admin)
			if r.code() != tt.code || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v, want %s on %s", r.Errors, tt.code, tt.field)
			}
		})
	}
	del := ok(t, s.post(t, `mutation($id: ID!) {
		deleteCategory(id: $id) { deletedId parent { slug children { id } } } }`, map[string]any{"id": child}, admin))
	if get(del.Data, "deleteCategory.deletedId") != child || get(del.Data, "deleteCategory.parent.slug") != "idrett-og-fysisk-aktivitet" {
		t.Errorf("delete: %+v", del.Data)
	}
	for _, c := range items(del.Data, "deleteCategory.parent.children") {
		if get(c, "id") == child {
			t.Error("the parent still lists the deleted category")
		}
	}
	if q := ok(t, s.post(t, `{ category(slug: "svomming") { id } }`, nil)); get(q.Data, "category") != nil {
		t.Error("a deleted category is still there")
	}
}
