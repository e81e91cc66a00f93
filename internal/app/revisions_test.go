package app_test

import (
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

func TestRevisionsAndRestore(t *testing.T) {
	s := newServer(t)
	id, owner := newOwnedOrganisation(t, s)
	for _, name := range []string{"Sjakk A", "Sjakk B"} {
		ok(t, s.post(t, updateMutation, map[string]any{"id": id, "in": map[string]any{"name": name, "phone": "33171000"}}, owner))
	}
	q := `query($id: ID!) { revisions(itemId: $id) { nodes { id itemType itemId authorId snapshot createdAt } } }`
	r := ok(t, s.post(t, q, map[string]any{"id": id}, owner))
	revs := get(r.Data, "revisions.nodes").([]any)
	if len(revs) != 3 || get(revs[0], "snapshot.row.name") != "Sjakk B" || get(revs[2], "snapshot.row.name") != "Sjakklubben" || get(revs[0], "itemId") != id {
		t.Fatalf("revisions: %d %+v", len(revs), revs)
	}
	if get(revs[0], "authorId") == nil {
		t.Error("a revision without its author")
	}
	// Back to the first: the name returns; a new revision records the restore.
	first := get(revs[2], "id")
	rr := ok(t, s.post(t, `mutation($id: ID!) {
		restoreRevision(id: $id) { revision { snapshot } organisation { name } activity { id } } }`, map[string]any{"id": first}, owner))
	if get(rr.Data, "restoreRevision.revision.snapshot.row.name") != "Sjakklubben" || get(rr.Data, "restoreRevision.revision.snapshot.row.phone") != "" {
		t.Errorf("restored: %+v", get(rr.Data, "restoreRevision.revision.snapshot.row"))
	}
	if get(rr.Data, "restoreRevision.organisation.name") != "Sjakklubben" || get(rr.Data, "restoreRevision.activity") != nil {
		t.Errorf("restored item: %+v", rr.Data)
	}
	if n := len(get(ok(t, s.post(t, q, map[string]any{"id": id}, owner)).Data, "revisions.nodes").([]any)); n != 4 {
		t.Errorf("%d revisions after the restore, want 4", n)
	}
	// Only editors see them.
	if r := s.post(t, q, map[string]any{"id": id}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %+v", r.Errors)
	}
}

func TestOnlyTheLatestRevisionsAreKept(t *testing.T) {
	s := newServer(t, func(c *config.Config) { c.RevisionsKept = 2 })
	id, owner := newOwnedOrganisation(t, s)
	for _, name := range []string{"A", "B", "C", "D"} {
		ok(t, s.post(t, updateMutation, map[string]any{"id": id, "in": map[string]any{"name": "Lag " + name}}, owner))
	}
	r := ok(t, s.post(t, `query($id: ID!) {
		revisions(itemId: $id) { nodes { snapshot } } }`, map[string]any{"id": id}, owner))
	revs := get(r.Data, "revisions.nodes").([]any)
	if len(revs) != 2 || get(revs[0], "snapshot.row.name") != "Lag D" || get(revs[1], "snapshot.row.name") != "Lag C" {
		t.Errorf("kept %d: %+v", len(revs), revs)
	}
}
