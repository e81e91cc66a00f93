package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// TestContentArticleApproval: with the municipality's approveOrganisationArticles off an
// organisation's owner publishes its article; with it on the owner's publishing waits,
// unseen by the public, until the municipality's editor publishes it, and the owner cannot
// approve it themselves.
func TestContentArticleApproval(t *testing.T) {
	t.Parallel()
	s, admin, owner, editor, org := newApprovalServer(t)
	newArticle := func(slug string) string {
		r := ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": slug,
			"organisationId": relayID("Organisation", org),
			"texts":          []any{map[string]any{"locale": "nb", "title": "Nytt fra laget"}}}}, owner))
		return get(r.Data, "createArticle.article.id").(string)
	}
	const publish = `mutation($id: ID!, $s: ContentStatus!) {
		setContentStatus(input: {id: $id, locale: "nb", status: $s}) {
			article { translations { status awaitingApproval } } } }`
	public := func(slug string) bool {
		r := ok(t, s.post(t, `query($s: String) { article(slug: $s) { title } }`, map[string]any{"s": slug}))
		return r.Data["article"] != nil
	}
	state := func(r *gqlResponse) (any, any) {
		tr := get(r.Data, "setContentStatus.article.translations").([]any)[0].(map[string]any)
		return tr["status"], tr["awaitingApproval"]
	}
	const setting = `mutation($on: Boolean!) { updateMunicipality(input: {approveOrganisationArticles: $on}) {
		municipality { approveOrganisationArticles } } }`

	// Off (the default): the owner publishes as before.
	id := newArticle("uten-godkjenning")
	if st, wait := state(ok(t, s.post(t, publish, map[string]any{"id": id, "s": "PUBLISHED"}, owner))); st != "PUBLISHED" ||
		wait != false {
		t.Fatalf("setting off: got %v %v", st, wait)
	}
	if !public("uten-godkjenning") {
		t.Fatal("setting off: the owner's article is not public")
	}

	r := ok(t, s.post(t, setting, map[string]any{"on": true}, admin))
	if get(r.Data, "updateMunicipality.municipality.approveOrganisationArticles") != true {
		t.Fatalf("got %v", r.Data)
	}
	id = newArticle("med-godkjenning")
	for _, st := range []string{"PUBLISHED", "SCHEDULED"} {
		vars := map[string]any{"id": id, "s": st}
		q := publish
		if st == "SCHEDULED" {
			q = `mutation($id: ID!, $s: ContentStatus!) {
				setContentStatus(input: {id: $id, locale: "nb", status: $s, publishAt: "2099-01-01T00:00:00Z"}) {
					article { translations { status awaitingApproval } } } }`
		}
		if got, wait := state(ok(t, s.post(t, q, vars, owner))); got != "DRAFT" || wait != true {
			t.Fatalf("owner's %s: got %v, awaiting %v", st, got, wait)
		}
	}
	if public("med-godkjenning") {
		t.Fatal("the public sees an article awaiting approval")
	}
	t.Run("ErrOwnerCannotApprove", func(t *testing.T) {
		// Asking again leaves it waiting, never public.
		if got, wait := state(ok(t, s.post(t, publish, map[string]any{"id": id, "s": "PUBLISHED"}, owner))); got != "DRAFT" ||
			wait != true {
			t.Fatalf("got %v, awaiting %v", got, wait)
		}
		if public("med-godkjenning") {
			t.Fatal("the owner published it")
		}
		// Nor may an organisation's owner change the setting.
		if r := s.post(t, setting, map[string]any{"on": false}, owner); r.code() != "FORBIDDEN" {
			t.Fatalf("got %+v", r.Errors)
		}
	})
	// The municipality's editor approves it by publishing it.
	if got, wait := state(ok(t, s.post(t, publish, map[string]any{"id": id, "s": "PUBLISHED"}, editor))); got != "PUBLISHED" ||
		wait != false {
		t.Fatalf("editor's approval: got %v, awaiting %v", got, wait)
	}
	if !public("med-godkjenning") {
		t.Fatal("the approved article is not public")
	}
	// The owner may still withdraw it.
	if got, _ := state(ok(t, s.post(t, publish, map[string]any{"id": id, "s": "DRAFT"}, owner))); got != "DRAFT" {
		t.Fatalf("owner's withdrawal: got %v", got)
	}
}

// newApprovalServer returns a content server with the demo municipality's ADMIN, an
// organisation's OWNER, a municipal EDITOR (as Authorization headers) and the
// organisation's ID.
func newApprovalServer(t *testing.T) (s *testServer, admin, owner, editor, org string) {
	s, admin, _ = newContentServer(t)
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	login := func(email string, roles ...auth.MunicipalRole) string {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, loginMutation, map[string]any{"e": email, "p": "riktig hest batteri"}))
		return "Authorization: Bearer " + get(r.Data, "login.token").(string)
	}
	owner = login("eier@example.no")
	editor = login("redaksjon@example.no", auth.RoleEditor)
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'lag', 'Laget', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&org); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT municipality_id, ?, id, 'OWNER' FROM users WHERE email = 'eier@example.no'`, org)
	return s, admin, owner, editor, org
}

// TestContentArticleChangeApproval: with approval on, an organisation's owner who changes
// (or restores) its public article changes nothing the public sees; the change waits, a
// further change builds on it, and only the municipality's editor applies or drops it.
func TestContentArticleChangeApproval(t *testing.T) {
	t.Parallel()
	s, admin, owner, editor, org := newApprovalServer(t)
	ok(t, s.post(t, `mutation { updateMunicipality(input: {approveOrganisationArticles: true}) {
		municipality { approveOrganisationArticles } } }`, nil, admin))
	r := ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "loppemarked",
		"organisationId": relayID("Organisation", org),
		"texts":          []any{map[string]any{"locale": "nb", "title": "Loppemarked", "summary": "Lørdag"}}}}, owner))
	id := get(r.Data, "createArticle.article.id").(string)
	// Not public yet: the owner's changes go straight in.
	const update = `mutation($id: ID!, $t: [ContentTextsInput!], $a: String) {
		updateArticle(input: {id: $id, texts: $t, authorLine: $a}) {
			article { title summary authorLine pendingChanges { snapshot requestedAt authorId } } } }`
	r = ok(t, s.post(t, update, map[string]any{"id": id, "t": []any{map[string]any{"locale": "nb",
		"title": "Loppemarked i hallen"}}}, owner))
	if get(r.Data, "updateArticle.article.title") != "Loppemarked i hallen" ||
		get(r.Data, "updateArticle.article.pendingChanges") != nil {
		t.Fatalf("a draft's change was held: %v", r.Data)
	}
	ok(t, s.post(t, `mutation($id: ID!) { setContentStatus(input: {id: $id, locale: "nb", status: PUBLISHED}) {
		article { title } } }`, map[string]any{"id": id}, editor))
	public := func() (title, summary, author any) {
		r := ok(t, s.post(t, `{ article(slug: "loppemarked") { title summary authorLine } }`, nil))
		return get(r.Data, "article.title"), get(r.Data, "article.summary"), get(r.Data, "article.authorLine")
	}
	awaiting := func(who string) *gqlResponse {
		return s.post(t, `{ articlesAwaitingApproval { totalCount nodes { id title } } }`, nil, who)
	}
	pendingTitle := func(r *gqlResponse, path string) any {
		snap, _ := get(r.Data, path+".snapshot").(map[string]any)
		if snap == nil {
			return nil
		}
		return snap["texts"].([]any)[0].(map[string]any)["title"]
	}

	// Public now: the owner's change waits; the public and the answer show the article as it is.
	r = ok(t, s.post(t, update, map[string]any{"id": id, "t": []any{map[string]any{"locale": "nb",
		"title": "Loppemarked avlyst"}}}, owner))
	if get(r.Data, "updateArticle.article.title") != "Loppemarked i hallen" ||
		pendingTitle(r, "updateArticle.article.pendingChanges") != "Loppemarked avlyst" {
		t.Fatalf("got %v", r.Data)
	}
	if ti, _, _ := public(); ti != "Loppemarked i hallen" {
		t.Fatalf("the public sees %v before approval", ti)
	}
	// A further change builds on the waiting one.
	r = ok(t, s.post(t, update, map[string]any{"id": id, "a": "Styret"}, owner))
	snap := get(r.Data, "updateArticle.article.pendingChanges.snapshot").(map[string]any)
	if pendingTitle(r, "updateArticle.article.pendingChanges") != "Loppemarked avlyst" ||
		snap["row"].(map[string]any)["author_line"] != "Styret" {
		t.Fatalf("the second change lost the first: %v", snap)
	}
	if _, _, a := public(); a != "" {
		t.Fatalf("the public sees the author line %v before approval", a)
	}
	// Bad input while waiting: refused, the waiting change kept.
	if r := s.post(t, update, map[string]any{"id": id, "t": []any{map[string]any{"locale": "nb",
		"title": "Ny", "body": map[string]any{"blocks": []any{map[string]any{"type": "heading", "level": 1, "text": "x"}}}}}}, owner); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("got %+v", r.Errors)
	}
	r = ok(t, s.post(t, `query($id: ID!) { article(id: $id) { pendingChanges { snapshot } } }`, map[string]any{"id": id}, owner))
	if pendingTitle(r, "article.pendingChanges") != "Loppemarked avlyst" {
		t.Fatalf("the refused change touched the waiting one: %v", r.Data)
	}
	// Nobody else sees what waits.
	r = ok(t, s.post(t, `query($id: ID!) { article(id: $id) { pendingChanges { requestedAt } } }`, map[string]any{"id": id}))
	if get(r.Data, "article.pendingChanges") != nil {
		t.Fatalf("the public sees the waiting change: %v", r.Data)
	}
	// Only the municipality lists and decides.
	if r := awaiting(owner); r.code() != "FORBIDDEN" {
		t.Fatalf("owner's list: %+v", r.Errors)
	}
	if r := s.post(t, `mutation($id: ID!) { approveArticleChanges(id: $id) { article { title } } }`,
		map[string]any{"id": id}, owner); r.code() != "FORBIDDEN" {
		t.Fatalf("owner's approval: %+v", r.Errors)
	}
	r = ok(t, awaiting(editor))
	if get(r.Data, "articlesAwaitingApproval.totalCount") != float64(1) ||
		get(r.Data, "articlesAwaitingApproval.nodes").([]any)[0].(map[string]any)["id"] != id {
		t.Fatalf("editor's list: %v", r.Data)
	}
	r = ok(t, s.post(t, `mutation($id: ID!) { approveArticleChanges(id: $id) {
		article { title authorLine pendingChanges { requestedAt } } } }`, map[string]any{"id": id}, editor))
	if ti, sum, a := public(); ti != "Loppemarked avlyst" || sum != "Lørdag" || a != "Styret" ||
		get(r.Data, "approveArticleChanges.article.pendingChanges") != nil {
		t.Fatalf("after approval the public sees %v / %v / %v; %v", ti, sum, a, r.Data)
	}
	if r := ok(t, awaiting(editor)); get(r.Data, "articlesAwaitingApproval.totalCount") != float64(0) {
		t.Fatalf("still listed: %v", r.Data)
	}
	if r := s.post(t, `mutation($id: ID!) { approveArticleChanges(id: $id) { article { id } } }`,
		map[string]any{"id": id}, editor); r.code() != "CONFLICT" {
		t.Fatalf("approving nothing: %+v", r.Errors)
	}

	// A restore by the owner waits too, and a rejected change never shows.
	r = ok(t, s.post(t, `query($id: ID!) { revisions(itemId: $id, first: 50) { nodes { id snapshot } } }`,
		map[string]any{"id": id}, owner))
	var first string
	for _, n := range get(r.Data, "revisions.nodes").([]any) {
		n := n.(map[string]any)
		if n["snapshot"].(map[string]any)["texts"].([]any)[0].(map[string]any)["title"] == "Loppemarked" {
			first = n["id"].(string)
		}
	}
	if first == "" {
		t.Fatalf("no revision of the first title: %v", r.Data)
	}
	ok(t, s.post(t, `mutation($id: ID!) { restoreContentRevision(id: $id) { article { title } } }`,
		map[string]any{"id": first}, owner))
	if ti, _, _ := public(); ti != "Loppemarked avlyst" {
		t.Fatalf("the owner's restore went public: %v", ti)
	}
	r = ok(t, s.post(t, `mutation($id: ID!) { rejectArticleChanges(id: $id) { article { title pendingChanges { requestedAt } } } }`,
		map[string]any{"id": id}, editor))
	if ti, _, _ := public(); ti != "Loppemarked avlyst" || get(r.Data, "rejectArticleChanges.article.pendingChanges") != nil {
		t.Fatalf("after rejection: %v, %v", ti, r.Data)
	}
	// The municipality's editor changes it directly.
	ok(t, s.post(t, update, map[string]any{"id": id, "t": []any{map[string]any{"locale": "nb", "title": "Loppemarked flyttet"}}},
		editor))
	if ti, _, _ := public(); ti != "Loppemarked flyttet" {
		t.Fatalf("the editor's change: %v", ti)
	}
}
