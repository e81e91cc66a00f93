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
	s, admin, _ := newContentServer(t)
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
	owner := login("eier@example.no")
	editor := login("redaksjon@example.no", auth.RoleEditor)
	var org string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'lag', 'Laget', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&org); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT municipality_id, ?, id, 'OWNER' FROM users WHERE email = 'eier@example.no'`, org)
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
