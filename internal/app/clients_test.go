package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/fritid/fritid/test/clients"
)

// TestClientCaches runs Apollo Client and urql Graphcache, unmodified and set up as
// docs/api.md says, against the demo catalogue: each must page through organisations both
// ways into one list without gaps or duplicates, keep an organisation read through three
// queries as one cache entry, and take a renamed organisation from the mutation's answer.
func TestClientCaches(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	auth := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	want := allOrganisations(t, s)
	report := clients.Run(t, s.URL+"/graphql", map[string]string{
		"X-Municipality": "larvik", "Authorization": strings.TrimPrefix(auth, "Authorization: "),
	})
	pages := (len(want) + 4) / 5
	for _, c := range []struct {
		name string
		got  clients.Client
	}{{"Apollo", report.Apollo}, {"urql", report.URQL}} {
		t.Run(c.name, func(t *testing.T) {
			checkPaging(t, "forward", c.got.Forward, want, pages)
			checkPaging(t, "backward", c.got.Backward, want, pages)
			if c.got.Organisation.ID == "" {
				t.Fatal("the merged list is too short for the identity and mutation checks")
			}
			checkIdentity(t, c.got)
			checkMutation(t, s, c.got)
		})
	}
}

// allOrganisations returns the IDs of the published organisations, in one page.
func allOrganisations(t *testing.T, s *testServer) []string {
	t.Helper()
	r := ok(t, s.larvik(t, `{ organisations(first: 100) { nodes { id } totalCount } }`, nil))
	ids := names(r.Data, "organisations.nodes", "id")
	if n := get(r.Data, "organisations.totalCount"); len(ids) < 11 || n != float64(len(ids)) {
		t.Fatalf("want more than two pages of organisations, all in one answer: %d of %v", len(ids), n)
	}
	return ids
}

func checkPaging(t *testing.T, way string, got clients.Paging, want []string, pages int) {
	t.Helper()
	if !slices.Equal(got.IDs, want) {
		t.Errorf("paging %s: the cache merged %d organisations %v, the server holds %d %v",
			way, len(got.IDs), got.IDs, len(want), want)
	}
	if got.Pages != pages || got.PageInfo.HasNextPage || got.PageInfo.HasPreviousPage {
		t.Errorf("paging %s: %d pages, merged pageInfo %+v; want %d pages and no page either side",
			way, got.Pages, got.PageInfo, pages)
	}
}

func checkIdentity(t *testing.T, got clients.Client) {
	t.Helper()
	id := got.Identity
	if b := id.Before; b.BySlug == "" || b.ByNode != b.BySlug || b.InList != b.BySlug {
		t.Errorf("before the rename the three queries read %+v from the cache", id.Before)
	}
	renamed := clients.Seen{BySlug: id.RenamedTo, ByNode: id.RenamedTo, InList: id.RenamedTo}
	if id.Refetched != id.RenamedTo || id.After != renamed {
		t.Errorf("renamed to %q, refetched by slug %q: the cache reads %+v, want the new name everywhere",
			id.RenamedTo, id.Refetched, id.After)
	}
}

func checkMutation(t *testing.T, s *testServer, got clients.Client) {
	t.Helper()
	m := got.Mutation
	renamed := clients.Seen{BySlug: m.RenamedTo, ByNode: m.RenamedTo, InList: m.RenamedTo}
	if m.Answered != m.RenamedTo || m.After != renamed {
		t.Errorf("mutation renamed to %q (answered %q): the cache reads %+v", m.RenamedTo, m.Answered, m.After)
	}
	if m.Requests != 1 {
		t.Errorf("the mutation and three cache reads took %d requests, want only the mutation's", m.Requests)
	}
	r := ok(t, s.larvik(t, `query($id: ID!) { node(id: $id) { ... on Organisation { name } } }`,
		map[string]any{"id": got.Organisation.ID}))
	if name := get(r.Data, "node.name"); name != m.RenamedTo {
		t.Errorf("the server holds %q, the client renamed it to %q", name, m.RenamedTo)
	}
}
