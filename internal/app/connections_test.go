package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// pager pages through one connection of the API as a client would.
type pager struct {
	s       *testServer
	field   string // the root field
	decl    string // declarations of the extra variables, e.g. ", $id: ID!"
	args    string // the extra arguments, e.g. ", itemId: $id"
	key     string // the selection that identifies a node, e.g. "id" or "user { id }"
	keyPath string // where the key is in a node, e.g. "id" or "user.id"
	vars    map[string]any
	headers []string
}

func (p pager) query() string {
	return fmt.Sprintf(`query($first: Int, $after: String, $last: Int, $before: String%s) {
	  %s(first: $first, after: $after, last: $last, before: $before%s) {
	    edges { cursor node { %s } } nodes { %s }
	    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`,
		p.decl, p.field, p.args, p.key, p.key)
}

// post asks for one page with paging arguments args.
func (p pager) post(t *testing.T, args map[string]any) *gqlResponse {
	t.Helper()
	vars := map[string]any{}
	for k, v := range p.vars {
		vars[k] = v
	}
	for k, v := range args {
		vars[k] = v
	}
	return p.s.post(t, p.query(), vars, p.headers...)
}

// all returns the keys of every node in one page of the largest size, and totalCount.
func (p pager) all(t *testing.T) ([]string, int) {
	t.Helper()
	r := ok(t, p.post(t, map[string]any{"first": 100}))
	return p.keys(t, r), int(get(r.Data, p.field+".totalCount").(float64))
}

// keys returns the keys of a page's edges, checking that its nodes, cursors and page info
// agree with them.
func (p pager) keys(t *testing.T, r *gqlResponse) []string {
	t.Helper()
	var out []string
	edges, nodes := items(r.Data, p.field+".edges"), items(r.Data, p.field+".nodes")
	if len(edges) != len(nodes) {
		t.Fatalf("%s: %d edges, %d nodes", p.field, len(edges), len(nodes))
	}
	for i, e := range edges {
		k := fmt.Sprint(get(e, "node."+p.keyPath))
		if fmt.Sprint(get(nodes[i], p.keyPath)) != k {
			t.Fatalf("%s: edge %d is %s, node %v", p.field, i, k, nodes[i])
		}
		out = append(out, k)
	}
	if len(edges) > 0 && (get(r.Data, p.field+".pageInfo.startCursor") != get(edges[0], "cursor") ||
		get(r.Data, p.field+".pageInfo.endCursor") != get(edges[len(edges)-1], "cursor")) {
		t.Errorf("%s: page info %v does not match its edges", p.field, get(r.Data, p.field+".pageInfo"))
	}
	return out
}

// walk pages through the whole connection size at a time, forward (first/after) or
// backward (last/before), and returns the keys in the connection's order.
func (p pager) walk(t *testing.T, size int, backward bool) []string {
	t.Helper()
	var out []string
	args := map[string]any{"first": size}
	if backward {
		args = map[string]any{"last": size}
	}
	for range 100 {
		r := ok(t, p.post(t, args))
		page := p.keys(t, r)
		info := p.field + ".pageInfo."
		if backward {
			out = append(page, out...)
			if get(r.Data, info+"hasPreviousPage") != true {
				return out
			}
			args = map[string]any{"last": size, "before": get(r.Data, info+"startCursor")}
		} else {
			out = append(out, page...)
			if get(r.Data, info+"hasNextPage") != true {
				return out
			}
			args = map[string]any{"first": size, "after": get(r.Data, info+"endCursor")}
		}
	}
	t.Fatalf("%s: no end after 100 pages", p.field)
	return nil
}

// check pages through the connection both ways in pages of 2 and wants the want keys (all
// of them, nothing else, none twice) in the same order each way, counted by totalCount,
// and BAD_USER_INPUT naming first or last for a page size out of range.
func (p pager) check(t *testing.T, want []string) {
	t.Helper()
	all, total := p.all(t)
	if total != len(want) || len(all) != len(want) {
		t.Fatalf("%s: %d nodes, totalCount %d, want %d", p.field, len(all), total, len(want))
	}
	got := slices.Clone(all)
	slices.Sort(got)
	w := slices.Clone(want)
	slices.Sort(w)
	if !slices.Equal(got, w) {
		t.Fatalf("%s: %v, want %v", p.field, got, w)
	}
	if fwd := p.walk(t, 2, false); !slices.Equal(fwd, all) {
		t.Errorf("%s forward: %v, want %v", p.field, fwd, all)
	}
	if bwd := p.walk(t, 2, true); !slices.Equal(bwd, all) {
		t.Errorf("%s backward: %v, want %v", p.field, bwd, all)
	}
	for _, bad := range []struct {
		arg string
		n   int
	}{{"first", -1}, {"first", 101}, {"last", -1}, {"last", 101}} {
		r := p.post(t, map[string]any{bad.arg: bad.n})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != bad.arg {
			t.Errorf("%s(%s: %d): %+v", p.field, bad.arg, bad.n, r.Errors)
		}
	}
	r := p.post(t, map[string]any{"first": 1, "before": "not a cursor"})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "before" {
		t.Errorf("%s(before: garbage): %+v", p.field, r.Errors)
	}
}

// refused wants the connection refused to the caller with code, and null.
func (p pager) refused(t *testing.T, code string, headers ...string) {
	t.Helper()
	p.headers = headers
	r := p.post(t, nil)
	if r.code() != code || get(r.Data, p.field) != nil {
		t.Errorf("%s for %v: %+v %+v, want %s", p.field, headers, r.Errors, r.Data, code)
	}
}

func TestEveryListPagesBothWays(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	cs := newCardSetup(t, s, 5)
	if _, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune")); err != nil {
		t.Fatal(err)
	}
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	larvik := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	createEditor(t, s, "redaktor@example.no")
	editor := login(t, s, "redaktor@example.no")

	t.Run("AgencyCards", func(t *testing.T) {
		// A card of the school's agency never shows in NAV's list.
		school := issueCards(t, s, cs, cs.school, 1, 20)
		p := pager{s: s, field: "agencyCards", key: "id", keyPath: "id", headers: []string{cs.nav}}
		want := cardIDs(t, s, "NAV Larvik")
		if len(want) != 5 || slices.Contains(want, school[0]) {
			t.Fatalf("NAV's cards %v, the school's %v", want, school)
		}
		p.check(t, want)
		p.refused(t, "FORBIDDEN", cs.coord)
	})
	t.Run("CardProgrammes", func(t *testing.T) {
		for i := range 4 {
			saveProgramme(t, s, cs, fmt.Sprintf("Ordning %d", i), []string{"ACTIVE", "DRAFT"}[i%2])
		}
		p := pager{s: s, field: "cardProgrammes", key: "id status", keyPath: "id", headers: []string{cs.coord}}
		p.check(t, ids(t, s, "SELECT id FROM card_programmes", "CardProgramme"))
		// Everyone else sees the ACTIVE ones only.
		p.headers = nil
		p.check(t, ids(t, s, "SELECT id FROM card_programmes WHERE status = 'ACTIVE'", "CardProgramme"))
		p.headers = []string{"X-Municipality: larvik", larvik}
		p.check(t, nil)
	})
	t.Run("CardAgencies", func(t *testing.T) {
		for i := range 3 {
			ok(t, s.post(t, `mutation($n: String!) {
				saveCardAgency(input: {name: $n, kind: SCHOOL}) { agency { id } } }`,
				map[string]any{"n": fmt.Sprintf("Skole %d", i)}, cs.coord))
		}
		p := pager{s: s, field: "cardAgencies", key: "id", keyPath: "id", headers: []string{cs.nav}}
		p.check(t, ids(t, s, "SELECT id FROM card_agencies", "CardAgency"))
		p.refused(t, "UNAUTHENTICATED")
		p.refused(t, "FORBIDDEN", editor)
	})
	t.Run("CardOffers", func(t *testing.T) {
		for i := range 4 {
			saveOffer(t, s, cs, fmt.Sprintf("Tilbud %d", i), time.Duration(i)*time.Hour)
		}
		p := pager{s: s, field: "cardOffers", decl: ", $p: ID", args: ", programmeId: $p", key: "id", keyPath: "id",
			vars: map[string]any{"p": cs.programme}, headers: []string{cs.coord}}
		p.check(t, ids(t, s, "SELECT id FROM card_offers", "CardOffer"))
		// The drafts are the coordinators' alone.
		p.headers = nil
		p.check(t, ids(t, s, "SELECT id FROM card_offers WHERE status = 'PUBLISHED'", "CardOffer"))
	})
	t.Run("Users", func(t *testing.T) {
		p := pager{s: s, field: "users", key: "user { id }", keyPath: "user.id", headers: []string{cs.admin}}
		p.check(t, ids(t, s, fmt.Sprintf("SELECT id FROM users WHERE municipality_id = '%s'", demo.ID()), "User"))
		p.refused(t, "FORBIDDEN", editor)
		p.refused(t, "UNAUTHENTICATED")
	})
	t.Run("ApiKeys", func(t *testing.T) {
		for i := range 5 {
			ok(t, s.post(t, `mutation($n: String!) { createApiKey(name: $n, scopes: [CATALOGUE_READ]) { token } }`,
				map[string]any{"n": fmt.Sprintf("Nøkkel %d", i)}, cs.admin))
		}
		p := pager{s: s, field: "apiKeys", key: "id", keyPath: "id", headers: []string{cs.admin}}
		p.check(t, ids(t, s, "SELECT id FROM api_keys", "ApiKey"))
		p.headers = []string{"X-Municipality: larvik", larvik}
		p.check(t, nil)
		p.refused(t, "FORBIDDEN", editor)
	})
	t.Run("AuditLog", func(t *testing.T) {
		p := pager{s: s, field: "auditLog", key: "id", keyPath: "id", headers: []string{cs.admin}}
		p.check(t, ids(t, s, fmt.Sprintf("SELECT id FROM audit_log WHERE municipality_id = '%s'", demo.ID()),
			"AuditEntry"))
		p.decl, p.args = ", $f: AuditFilterInput", ", filter: $f"
		p.vars = map[string]any{"f": map[string]any{"action": "create_api_key"}}
		p.check(t, ids(t, s, "SELECT id FROM audit_log WHERE action = 'create_api_key'", "AuditEntry"))
		p.refused(t, "FORBIDDEN", editor)
	})
}

func TestRevisionsPageBothWays(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	id, owner := newOwnedOrganisation(t, s)
	for i := range 4 {
		in := map[string]any{"name": fmt.Sprintf("Sjakk %d", i)}
		ok(t, s.post(t, updateMutation, map[string]any{"id": id, "in": in}, owner))
	}
	p := pager{s: s, field: "revisions", decl: ", $id: ID!", args: ", itemId: $id", key: "id", keyPath: "id",
		vars: map[string]any{"id": id}, headers: []string{owner}}
	p.check(t, ids(t, s, "SELECT id FROM revisions", "Revision"))
	p.refused(t, "UNAUTHENTICATED")
}

func TestAuditEntryIsANode(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	admin := login(t, s, "kari@example.no")
	r := ok(t, s.post(t, `{ auditLog(first: 1) { nodes { id action } } }`, nil, admin))
	id, action := get(r.Data, "auditLog.nodes.0.id"), get(r.Data, "auditLog.nodes.0.action")
	q := `query($id: ID!) { node(id: $id) { __typename ... on AuditEntry { id action } } }`
	if n := ok(t, s.post(t, q, map[string]any{"id": id}, admin)); get(n.Data, "node.id") != id ||
		get(n.Data, "node.action") != action || get(n.Data, "node.__typename") != "AuditEntry" {
		t.Errorf("node as the administrator: %+v", n.Data)
	}
	// To anyone who may not read the audit log, the entry is as absent as one that never was.
	ctx := context.Background()
	createEditor(t, s, "redaktor@example.no")
	if _, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune")); err != nil {
		t.Fatal(err)
	}
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	larvik := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	for name, headers := range map[string][]string{
		"anonymous":            nil,
		"editor":               {login(t, s, "redaktor@example.no")},
		"another municipality": {larvik, "X-Municipality: larvik"},
	} {
		q := `query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`
		n := ok(t, s.post(t, q, map[string]any{"id": id}, headers...))
		if get(n.Data, "node") != nil || get(n.Data, "nodes.0") != nil {
			t.Errorf("%s reads an audit entry: %+v", name, n.Data)
		}
	}
}

func TestNeighbourhoodsPageBothWays(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	p := pager{s: s, field: "neighbourhoods", key: "slug", keyPath: "slug", headers: []string{"X-Municipality: larvik"}}
	var want []string
	r := ok(t, s.larvik(t, `{ neighbourhoods { nodes { slug } } }`, nil))
	for _, n := range items(r.Data, "neighbourhoods.nodes") {
		want = append(want, get(n, "slug").(string))
	}
	if len(want) < 3 {
		t.Fatalf("neighbourhoods: %v", want)
	}
	p.check(t, want)
	// The same order as one page.
	if all, _ := p.all(t); !slices.Equal(all, want) {
		t.Errorf("order %v, want %v", all, want)
	}
}

// ids returns the global IDs of type typ of the rows query selects.
func ids(t *testing.T, s *testServer, query, typ string) []string {
	t.Helper()
	rows, err := s.app.DB.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, relayID(typ, id))
	}
	return out
}

// cardIDs returns the global IDs of the cards the named agency issued.
func cardIDs(t *testing.T, s *testServer, agency string) []string {
	t.Helper()
	return ids(t, s, fmt.Sprintf(`SELECT c.id FROM cards c JOIN card_agencies ag ON ag.id = c.agency_id
		WHERE ag.name = '%s'`, agency), "Card")
}

// issueCards has the caseworker issue n cards in the setup's programme to children born
// on day from and the days after, and returns their IDs.
func issueCards(t *testing.T, s *testServer, cs *cardSetup, caseworker string, n, from int) []string {
	t.Helper()
	year := time.Now().Year()
	var out []string
	for i := from; i < from+n; i++ {
		birth := time.Date(year-9, 6, i, 0, 0, 0, 0, time.UTC)
		in := map[string]any{"programmeId": cs.programme, "childIdentityNumber": identityNumber(birth, 0),
			"givenName": "Barn", "birthDate": birth.Format(time.DateOnly)}
		r := ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`,
			map[string]any{"in": in}, caseworker))
		out = append(out, get(r.Data, "issueCard.card.id").(string))
	}
	return out
}

// saveProgramme makes another programme in the given status.
func saveProgramme(t *testing.T, s *testServer, cs *cardSetup, name, status string) {
	t.Helper()
	year := time.Now().Year()
	in := map[string]any{
		"texts": []any{map[string]any{"locale": "nb", "name": name}}, "minAge": 6, "maxAge": 17,
		"validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 10,
		"budgetOre": 100000, "defaultAllowance": 1, "status": status, "agencyIds": []string{}}
	ok(t, s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": in}, cs.coord))
}

// saveOffer makes another offer (a draft) in the setup's programme, valid from shift ago.
func saveOffer(t *testing.T, s *testServer, cs *cardSetup, title string, shift time.Duration) {
	t.Helper()
	from, to := time.Now().Add(-time.Hour-shift), time.Now().AddDate(0, 1, 0)
	in := map[string]any{
		"organisationId": relayID("Organisation", cs.org), "programmeIds": []string{cs.programme},
		"texts": []any{map[string]any{"locale": "nb", "title": title}}, "stock": 10, "perCardLimit": 1, "admits": 1,
		"validFrom": from.Format(time.RFC3339), "validTo": to.Format(time.RFC3339),
		"valueOre": 1000, "source": "DONATED"}
	ok(t, s.post(t, `mutation($in: CardOfferInput!) { saveCardOffer(input: $in) { offer { id } } }`,
		map[string]any{"in": in}, cs.coord))
}
