package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/config"
)

// contentClock is a clock a test moves by hand.
type contentClock struct{ at atomic.Pointer[time.Time] }

func (c *contentClock) now() time.Time      { return *c.at.Load() }
func (c *contentClock) set(t time.Time)     { c.at.Store(&t) }
func (c *contentClock) add(d time.Duration) { c.set(c.now().Add(d)) }

// newContentServer starts fritid with the demo municipality, an ADMIN signed in (its
// Authorization header is returned) and the content service on a clock the test sets.
func newContentServer(t *testing.T, tweak ...func(*config.Config)) (*testServer, string, *contentClock) {
	t.Helper()
	s := newServer(t, tweak...)
	clock := &contentClock{}
	clock.set(time.Now().Truncate(time.Second))
	s.app.Content.Now = clock.now
	createAdmin(t, s, "redaktor@example.no")
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": "redaktor@example.no", "p": "riktig hest batteri"}))
	return s, "Authorization: Bearer " + get(r.Data, "login.token").(string), clock
}

// wantInvalid fails unless r is BAD_USER_INPUT naming field.
func wantInvalid(t *testing.T, r *gqlResponse, field string) {
	t.Helper()
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != field {
		t.Fatalf("want BAD_USER_INPUT on %s, got %+v", field, r.Errors)
	}
}

const setStatus = `mutation($in: SetContentStatusInput!) { setContentStatus(input: $in) {
	page { translations { locale status } } article { translations { locale status } } } }`

const createPage = `mutation($in: CreatePageInput!) { createPage(input: $in) { page { id path title publishedAt } } }`

const readPage = `query($p: String!, $t: String) { page(path: $p, previewToken: $t) {
	id title summary textLocale body { html plainText json } children { path } parent { path } } }`

func TestContentPublishingPerLanguage(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "aktivitetskortet", "texts": []any{
		map[string]any{"locale": "nb", "title": "Om aktivitetskortet", "summary": "Kort fortalt",
			"bodyMarkdown": "## Hva er det?\n\nEt **kort** for fritid."},
		map[string]any{"locale": "en", "title": "About the activity card", "body": map[string]any{"blocks": []any{
			map[string]any{"type": "paragraph", "content": []any{map[string]any{"text": "A card for leisure."}}}}}},
	}}}, admin))
	id := get(r.Data, "createPage.page.id").(string)
	if get(r.Data, "createPage.page.title") != "Om aktivitetskortet" || get(r.Data, "createPage.page.publishedAt") != nil {
		t.Fatalf("the editor does not see the draft: %v", r.Data)
	}

	t.Run("DraftIsNotPublic", func(t *testing.T) {
		if r := ok(t, s.post(t, readPage, map[string]any{"p": "aktivitetskortet"})); r.Data["page"] != nil {
			t.Fatalf("a draft is public: %v", r.Data)
		}
	})
	t.Run("ErrDefaultLanguageFirst", func(t *testing.T) {
		r := s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "en", "status": "PUBLISHED"}}, admin)
		wantInvalid(t, r, "input.locale")
	})
	ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "PUBLISHED"}}, admin))
	t.Run("EnglishReaderGetsNorwegianWhileEnglishIsDraft", func(t *testing.T) {
		r := ok(t, s.post(t, readPage, map[string]any{"p": "aktivitetskortet"}, "X-Locale: en"))
		if get(r.Data, "page.title") != "Om aktivitetskortet" || get(r.Data, "page.textLocale") != "nb" {
			t.Fatalf("got %v", r.Data)
		}
		html := get(r.Data, "page.body.html").(string)
		if !strings.Contains(html, "<h2>Hva er det?</h2>") || !strings.Contains(html, "<strong>kort</strong>") {
			t.Errorf("html %s", html)
		}
		if get(r.Data, "page.body.plainText") != "Hva er det?\n\nEt kort for fritid." {
			t.Errorf("plain text %q", get(r.Data, "page.body.plainText"))
		}
	})
	ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "en", "status": "PUBLISHED"}}, admin))
	t.Run("EnglishPublishedFallsBackPerField", func(t *testing.T) {
		r := ok(t, s.post(t, readPage, map[string]any{"p": "aktivitetskortet"}, "X-Locale: en"))
		if get(r.Data, "page.title") != "About the activity card" || get(r.Data, "page.summary") != "Kort fortalt" ||
			get(r.Data, "page.body.plainText") != "A card for leisure." {
			t.Fatalf("got %v", r.Data)
		}
		r = ok(t, s.post(t, readPage, map[string]any{"p": "aktivitetskortet"}, "X-Locale: nb"))
		if get(r.Data, "page.title") != "Om aktivitetskortet" {
			t.Fatalf("got %v", r.Data)
		}
	})
	t.Run("ArchivedLanguageFallsBack", func(t *testing.T) {
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "en", "status": "ARCHIVED"}}, admin))
		r := ok(t, s.post(t, readPage, map[string]any{"p": "aktivitetskortet"}, "X-Locale: en"))
		if get(r.Data, "page.title") != "Om aktivitetskortet" {
			t.Fatalf("got %v", r.Data)
		}
	})
	t.Run("NodeAndPagesTree", func(t *testing.T) {
		child := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "slik-soker-du", "parentId": id,
			"texts": []any{map[string]any{"locale": "nb", "title": "Slik får du aktivitetskort"}}}}, admin))
		cid := get(child.Data, "createPage.page.id").(string)
		r := ok(t, s.post(t, `{ pages { path children { path } } }`, nil))
		if len(get(r.Data, "pages").([]any)) != 1 || len(get(r.Data, "pages.0.children").([]any)) != 0 {
			t.Fatalf("a draft child is listed: %v", r.Data)
		}
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": cid, "locale": "nb", "status": "PUBLISHED"}}, admin))
		r = ok(t, s.post(t, `{ pages { path children { path title body { plainText } } } }`, nil))
		if get(r.Data, "pages.0.children.0.path") != "aktivitetskortet/slik-soker-du" {
			t.Fatalf("got %v", r.Data)
		}
		r = ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Page { path parent { path } } } }`, map[string]any{"id": cid}))
		if get(r.Data, "node.parent.path") != "aktivitetskortet" {
			t.Fatalf("got %v", r.Data)
		}
	})
}

const createArticle = `mutation($in: CreateArticleInput!) { createArticle(input: $in) { article { id slug } } }`

const readArticle = `query($s: String, $t: String) { article(slug: $s, previewToken: $t) {
	id title publishedAt body { plainText } } }`

func TestContentScheduledPublishing(t *testing.T) {
	t.Parallel()
	s, admin, clock := newContentServer(t)
	r := ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "sommerkort", "authorLine": "Kommunen",
		"texts": []any{map[string]any{"locale": "nb", "title": "Sommerkortet er her", "bodyHtml": "<p>Søk nå</p>"}}}}, admin))
	id := get(r.Data, "createArticle.article.id").(string)
	start := clock.now()
	at, until := start.Add(time.Hour), start.Add(3*time.Hour)

	t.Run("ErrPublishAtInPast", func(t *testing.T) {
		r := s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "SCHEDULED",
			"publishAt": start.Add(-time.Minute).Format(time.RFC3339)}}, admin)
		wantInvalid(t, r, "input.publishAt")
	})
	t.Run("ErrUnpublishBeforePublish", func(t *testing.T) {
		r := s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "SCHEDULED",
			"publishAt": at.Format(time.RFC3339), "unpublishAt": at.Add(-time.Second).Format(time.RFC3339)}}, admin)
		wantInvalid(t, r, "input.unpublishAt")
	})
	r = ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "SCHEDULED",
		"publishAt": at.Format(time.RFC3339), "unpublishAt": until.Format(time.RFC3339)}}, admin))
	if get(r.Data, "setContentStatus.article.translations.0.status") != "SCHEDULED" {
		t.Fatalf("got %v", r.Data)
	}
	visible := func() (bool, int) {
		a := ok(t, s.post(t, readArticle, map[string]any{"s": "sommerkort"}))
		l := ok(t, s.post(t, `{ articles(first: 5) { totalCount nodes { slug title } } }`, nil))
		return a.Data["article"] != nil, int(get(l.Data, "articles.totalCount").(float64))
	}
	if v, n := visible(); v || n != 0 {
		t.Fatalf("visible before its time: %v %d", v, n)
	}
	clock.set(at)
	if v, n := visible(); !v || n != 1 {
		t.Fatalf("not visible at its time: %v %d", v, n)
	}
	r = ok(t, s.post(t, readArticle, map[string]any{"s": "sommerkort"}))
	if get(r.Data, "article.title") != "Sommerkortet er her" || get(r.Data, "article.body.plainText") != "Søk nå" {
		t.Fatalf("got %v", r.Data)
	}
	clock.set(until)
	if v, n := visible(); v || n != 0 {
		t.Fatalf("visible after unpublishAt: %v %d", v, n)
	}
	r = ok(t, s.post(t, `query($id: ID!) { article(id: $id) { translations { status } } }`, map[string]any{"id": id}, admin))
	if get(r.Data, "article.translations.0.status") != "ARCHIVED" {
		t.Fatalf("got %v", r.Data)
	}
}

func TestContentPreviewToken(t *testing.T) {
	t.Parallel()
	s, admin, clock := newContentServer(t)
	r := ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "utkast",
		"texts": []any{map[string]any{"locale": "nb", "title": "Utkast", "bodyMarkdown": "Hemmelig *ennå*"}}}}, admin))
	id := get(r.Data, "createArticle.article.id").(string)
	ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "personvern",
		"texts": []any{map[string]any{"locale": "nb", "title": "Personvern"}}}}, admin))
	r = ok(t, s.post(t, `mutation($id: ID!) { createPreviewToken(id: $id, locale: "nb") { token expiresAt } }`,
		map[string]any{"id": id}, admin))
	token := get(r.Data, "createPreviewToken.token").(string)

	t.Run("ShowsTheDraftToAnyoneWithIt", func(t *testing.T) {
		r := ok(t, s.post(t, readArticle, map[string]any{"s": "utkast", "t": token}))
		if get(r.Data, "article.title") != "Utkast" || get(r.Data, "article.body.plainText") != "Hemmelig ennå" {
			t.Fatalf("got %v", r.Data)
		}
		if r := ok(t, s.post(t, readArticle, map[string]any{"s": "utkast"})); r.Data["article"] != nil {
			t.Fatalf("shown without a token: %v", r.Data)
		}
	})
	t.Run("ErrWrongItem", func(t *testing.T) {
		wantInvalid(t, s.post(t, readPage, map[string]any{"p": "personvern", "t": token}), "previewToken")
	})
	t.Run("ErrForged", func(t *testing.T) {
		wantInvalid(t, s.post(t, readArticle, map[string]any{"s": "utkast", "t": token[:len(token)-2] + "AA"}), "previewToken")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		clock.add(61 * time.Minute)
		r := s.post(t, readArticle, map[string]any{"s": "utkast", "t": token})
		wantInvalid(t, r, "previewToken")
		if !strings.Contains(r.Errors[0].Message, "utløpt") {
			t.Errorf("message %q", r.Errors[0].Message)
		}
	})
}

func TestContentBadInput(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t, func(c *config.Config) { c.MaxBodyBytes = 4 << 20; c.MaxJSONBodySize = 4 << 20 })
	ctx := context.Background()
	larvik, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune"))
	if err != nil {
		t.Fatal(err)
	}
	var foreignImage string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO media (municipality_id, url, width, height)
		VALUES (?, 'https://localhost/media/x.jpg', 4, 3) RETURNING id`, larvik.ID()).Scan(&foreignImage); err != nil {
		t.Fatal(err)
	}
	para := map[string]any{"type": "paragraph", "content": []any{map[string]any{"text": "ok"}}}
	body := func(blocks ...any) map[string]any {
		return map[string]any{"slug": "side", "texts": []any{
			map[string]any{"locale": "nb", "title": "Gyldig"},
			map[string]any{"locale": "en", "title": "Bad", "body": map[string]any{"blocks": blocks}}}}
	}
	cases := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"ErrUnknownBlockType", body(para, map[string]any{"type": "script", "content": []any{}}), "input.texts[1].body.blocks[1].type"},
		{"ErrHeadingLevel1", body(map[string]any{"type": "heading", "level": 1, "content": []any{}}), "input.texts[1].body.blocks[0].level"},
		{"ErrHeadingLevel7", body(para, para, para, map[string]any{"type": "heading", "level": 7, "content": []any{}}),
			"input.texts[1].body.blocks[3].level"},
		{"ErrJavascriptLink", body(map[string]any{"type": "paragraph", "content": []any{
			map[string]any{"text": "klikk", "link": "javascript:alert(1)"}}}), "input.texts[1].body.blocks[0].content[0].link"},
		{"ErrImageOfAnotherMunicipality", body(map[string]any{"type": "image", "id": relayID("Image", foreignImage), "alt": "x"}),
			"input.texts[1].body.blocks[0].id"},
		{"ErrBodyTooLarge", body(map[string]any{"type": "paragraph", "content": []any{
			map[string]any{"text": strings.Repeat("å", 150_000)}}}), "input.texts[1].body"},
		{"ErrTwoBodyForms", map[string]any{"slug": "side", "texts": []any{map[string]any{"locale": "nb", "title": "x",
			"bodyHtml": "<p>a</p>", "bodyMarkdown": "a"}}}, "input.texts[0].body"},
		{"ErrLocaleNotEnabled", map[string]any{"slug": "side", "texts": []any{map[string]any{"locale": "xx", "title": "x"}}},
			"input.texts[0].locale"},
		{"ErrSlug", map[string]any{"slug": "Store Bokstaver"}, "input.slug"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantInvalid(t, s.post(t, createPage, map[string]any{"in": c.in}, admin), c.field)
		})
	}
	t.Run("NothingPartiallySaved", func(t *testing.T) {
		var n int
		if err := s.app.DB.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM pages) + (SELECT count(*) FROM page_translations)").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d rows left by refused writes", n)
		}
	})

	root := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "om"}}, admin))
	rootID := get(root.Data, "createPage.page.id").(string)
	child := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "kortet", "parentId": rootID}}, admin))
	childID := get(child.Data, "createPage.page.id").(string)
	grand := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "sok", "parentId": childID}}, admin))
	grandID := get(grand.Data, "createPage.page.id").(string)
	const move = `mutation($id: ID!, $p: ID) { movePage(input: {id: $id, parentId: $p}) { page { path } } }`
	t.Run("ErrDuplicateSlugPath", func(t *testing.T) {
		r := s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "kortet", "parentId": rootID}}, admin)
		wantInvalid(t, r, "input.slug")
		ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "kortet"}}, admin)) // elsewhere it is free
	})
	t.Run("ErrMoveIntoOwnSubtree", func(t *testing.T) {
		wantInvalid(t, s.post(t, move, map[string]any{"id": rootID, "p": grandID}, admin), "input.parentId")
		wantInvalid(t, s.post(t, move, map[string]any{"id": rootID, "p": rootID}, admin), "input.parentId")
	})
	t.Run("MoveCarriesThePagesBelow", func(t *testing.T) {
		r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "info"}}, admin))
		r = ok(t, s.post(t, move, map[string]any{"id": childID, "p": get(r.Data, "createPage.page.id")}, admin))
		if get(r.Data, "movePage.page.path") != "info/kortet" {
			t.Fatalf("got %v", r.Data)
		}
		var path string
		if err := s.app.DB.QueryRowContext(ctx, "SELECT path FROM pages WHERE slug = 'sok'").Scan(&path); err != nil || path != "info/kortet/sok" {
			t.Fatalf("grandchild path %q %v", path, err)
		}
	})
	t.Run("DeleteRefusedWhilePagesBelow", func(t *testing.T) {
		r := s.post(t, `mutation($id: ID!) { deletePage(id: $id) { deletedId } }`, map[string]any{"id": childID}, admin)
		if r.code() != "CONFLICT" {
			t.Fatalf("got %+v", r.Errors)
		}
	})
	t.Run("HostileHTMLAndMarkdownSanitised", func(t *testing.T) {
		r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "lim-inn", "texts": []any{
			map[string]any{"locale": "nb", "title": "Limt inn", "bodyHtml": `<p onclick="alert(1)">Hei <a href="javascript:alert(1)">du</a>` +
				`<script>alert(2)</script><img src=x onerror=alert(3)></p><iframe src="https://evil.example"></iframe>`},
			map[string]any{"locale": "en", "title": "Pasted", "bodyMarkdown": "Hi <script>alert(1)</script> [x](javascript:alert(1))"},
		}}}, admin))
		pid := get(r.Data, "createPage.page.id").(string)
		r = ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Page { translations { locale body { html json } } } } }`,
			map[string]any{"id": pid}, admin))
		for _, tr := range get(r.Data, "node.translations").([]any) {
			html := get(tr, "body.html").(string)
			for _, bad := range []string{"script", "onclick", "onerror", "javascript", "iframe", "<img"} {
				if strings.Contains(strings.ToLower(html), bad) {
					t.Errorf("%s: %s in %s", get(tr, "locale"), bad, html)
				}
			}
		}
		if got := get(r.Data, "node.translations.1.body.html"); got != "<p>Hei du</p>\n" { // nb after en
			t.Errorf("nb html %q", got)
		}
	})
}

func TestContentRevisionsAndAudit(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "fondet",
		"texts": []any{map[string]any{"locale": "nb", "title": "Fondet", "bodyMarkdown": "Første *utgave*"}}}}, admin))
	id := get(r.Data, "createPage.page.id").(string)
	ok(t, s.post(t, `mutation($id: ID!) { updatePage(input: {id: $id, texts: [{locale: "nb", title: "Fondet og frivilligsentralen",
		bodyMarkdown: "Andre utgave"}]}) { page { id } } }`, map[string]any{"id": id}, admin))
	ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "PUBLISHED"}}, admin))
	const revs = `query($id: ID!) { revisions(itemId: $id) { totalCount nodes { id itemType itemId changes } } }`
	r = ok(t, s.post(t, revs, map[string]any{"id": id}, admin))
	nodes := list(r, "revisions")
	if len(nodes) != 3 || nodes[2]["itemType"] != "Page" || nodes[2]["itemId"] != id {
		t.Fatalf("revisions %v", r.Data)
	}
	// Each revision says what it changed: publishing, then the title and body, then (the
	// page as created) nothing to compare with.
	for i, want := range []string{"texts.nb.publishAt", "texts.nb.body texts.nb.title", ""} {
		got := ""
		if c, _ := nodes[i]["changes"].([]any); c != nil {
			got = strings.TrimSpace(fmt.Sprintln(c...))
		}
		if got != want || (want == "" && nodes[i]["changes"] != nil) {
			t.Errorf("revision %d changed %v, want %q", i, nodes[i]["changes"], want)
		}
	}
	t.Run("HiddenFromOthers", func(t *testing.T) {
		if r := s.post(t, revs, map[string]any{"id": id}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("anonymous got %+v", r.Errors)
		}
	})
	// The oldest revision is the page as created; restoring it keeps the page published.
	r = ok(t, s.post(t, `mutation($id: ID!) { restoreContentRevision(id: $id) { page { title body { html } } } }`,
		map[string]any{"id": nodes[2]["id"]}, admin))
	if get(r.Data, "restoreContentRevision.page.title") != "Fondet" ||
		get(r.Data, "restoreContentRevision.page.body.html") != "<p>Første <em>utgave</em></p>\n" {
		t.Fatalf("restored %v", r.Data)
	}
	r = ok(t, s.post(t, readPage, map[string]any{"p": "fondet"}))
	if get(r.Data, "page.title") != "Fondet" {
		t.Fatalf("public after restore %v", r.Data)
	}
	r = ok(t, s.post(t, `query($id: ID!) { auditLog(filter: {itemId: $id}) { nodes { action } } }`, map[string]any{"id": id}, admin))
	var actions []string
	for _, n := range list(r, "auditLog") {
		actions = append(actions, n["action"].(string))
	}
	if strings.Join(actions, ",") != "restore_revision,set_page_status,update_page,create_page" {
		t.Fatalf("audit %v", actions)
	}
}

func TestContentArticleWriters(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	var nbA, nbB string
	for _, slug := range []string{"sentrum", "nord"} {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
			VALUES (?, ?, ?, 59, 10, 59.1, 10.1) RETURNING id`, demo.ID(), slug,
			`{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if nbA == "" {
			nbA = id
		} else {
			nbB = id
		}
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: "komite@example.no",
		Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO neighbourhood_editors (municipality_id, neighbourhood_id, user_id)
		SELECT municipality_id, ?, id FROM users WHERE email = 'komite@example.no'`, nbA)
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": "komite@example.no", "p": "riktig hest batteri"}))
	committee := "Authorization: Bearer " + get(r.Data, "login.token").(string)
	in := func(slug string, nbs ...string) map[string]any {
		ids := []any{}
		for _, n := range nbs {
			ids = append(ids, relayID("Neighbourhood", n))
		}
		return map[string]any{"in": map[string]any{"slug": slug, "neighbourhoodIds": ids,
			"texts": []any{map[string]any{"locale": "nb", "title": "Nytt fra komiteen"}}}}
	}
	r = ok(t, s.post(t, createArticle, in("komite-1", nbA), committee))
	id := get(r.Data, "createArticle.article.id").(string)
	for name, vars := range map[string]map[string]any{"NoNeighbourhood": in("komite-2"), "OtherNeighbourhood": in("komite-3", nbB),
		"OneOfTwoTheirs": in("komite-4", nbA, nbB)} {
		t.Run("ErrCommittee"+name, func(t *testing.T) {
			if r := s.post(t, createArticle, vars, committee); r.code() != "FORBIDDEN" {
				t.Fatalf("got %+v", r.Errors)
			}
		})
	}
	t.Run("ErrCommitteeMovesArticleAway", func(t *testing.T) {
		r := s.post(t, `mutation($id: ID!, $n: ID!) { updateArticle(input: {id: $id, neighbourhoodIds: [$n]}) { article { id } } }`,
			map[string]any{"id": id, "n": relayID("Neighbourhood", nbB)}, committee)
		if r.code() != "FORBIDDEN" {
			t.Fatalf("got %+v", r.Errors)
		}
	})
	t.Run("FilterByNeighbourhood", func(t *testing.T) {
		ok(t, s.post(t, setStatus, map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": "PUBLISHED"}}, committee))
		ok(t, s.post(t, createArticle, in("kommunen", nbB), admin))
		r := ok(t, s.post(t, `query($n: ID!) { articles(filter: {neighbourhoods: [$n]}) { nodes { slug neighbourhoods { id } } } }`,
			map[string]any{"n": relayID("Neighbourhood", nbA)}))
		if n := list(r, "articles"); len(n) != 1 || n[0]["slug"] != "komite-1" {
			t.Fatalf("got %v", r.Data)
		}
		if r := ok(t, s.post(t, `query($n: ID!) { articles(filter: {neighbourhoods: [$n]}) { totalCount } }`,
			map[string]any{"n": relayID("Neighbourhood", nbB)})); get(r.Data, "articles.totalCount") != 0.0 {
			t.Fatalf("a draft is listed: %v", r.Data)
		}
	})
}

func TestContentDemoData(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	r := ok(t, s.larvik(t, `{ pages { title children { path title } } }`, nil))
	var titles []string
	for _, p := range get(r.Data, "pages").([]any) {
		titles = append(titles, get(p, "title").(string))
	}
	if strings.Join(titles, "|") != "Om aktivitetskortet|Frivilligsentralen og fondet|Personvern" ||
		get(r.Data, "pages.0.children.0.title") != "Slik får du aktivitetskort" {
		t.Fatalf("pages %v", r.Data)
	}
	r = ok(t, s.larvik(t, `{ articles { totalCount nodes { title organisation { slug } } } }`, nil, "X-Locale: en"))
	if get(r.Data, "articles.totalCount") != 3.0 {
		t.Fatalf("articles %v", r.Data)
	}
	// Filtering by words, as search matches them: stems and prefixes in any public language.
	for q, want := range map[string]string{"påmelding": "sommerens-aktiviteter", "aktivitetene ungdom": "nytt-fra-sentrum", "bydelshus møte": "nytt-fra-sentrum",
		"summer": "sommerens-aktiviteter", "scenen medlemmer": "teaterforeningen-tar-opp-nye", "bowling": ""} {
		r = ok(t, s.larvik(t, `query($q: String) { articles(filter: {query: $q}) { nodes { slug } } }`,
			map[string]any{"q": q}))
		var got []string
		for _, n := range get(r.Data, "articles.nodes").([]any) {
			got = append(got, get(n, "slug").(string))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("articles matching %q: %v, want %q", q, got, want)
		}
	}
	if r := s.larvik(t, `{ articles(filter: {query: "  !! "}) { totalCount } }`, nil); r.code() != "BAD_USER_INPUT" ||
		r.Errors[0].Extensions["field"] != "filter.query" {
		t.Errorf("an empty query: %+v", r.Errors)
	}
	r = ok(t, s.larvik(t, `{ page(path: "personvern") { body { html } } }`, nil))
	if !strings.Contains(get(r.Data, "page.body.html").(string), `<a href="mailto:personvern@example.no">`) {
		t.Fatalf("page %v", r.Data)
	}
}

// TestContentStatementsDoNotGrow is the N+1 guard for pages and articles: a menu with its
// bodies and a page of articles with their relations cost the same statements for 3 items
// as for 12.
func TestContentStatementsDoNotGrow(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'lag', 'Lag', 'VOLUNTARY', 'PUBLISHED')`, demo.ID())
	s.exec(t, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
		VALUES (?, 'sentrum', ?, 59, 10, 59.1, 10.1)`, demo.ID(), `{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`)
	s.exec(t, `INSERT INTO pages (municipality_id, slug, path) VALUES (?, 'meny', 'meny')`, demo.ID())
	add := func(from, to int) {
		for i := from; i < to; i++ {
			slug := fmt.Sprintf("side-%d", i)
			s.exec(t, `INSERT INTO pages (municipality_id, parent_id, slug, path, sort_order)
				SELECT municipality_id, id, ?, 'meny/' || ?, ? FROM pages WHERE path = 'meny'`, slug, slug, i)
			s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
				VALUES (?, ?, 'Lag', 'VOLUNTARY', 'PUBLISHED')`, demo.ID(), fmt.Sprintf("lag-%d", i))
			s.exec(t, `INSERT INTO articles (municipality_id, organisation_id, slug, about_organisation_id)
				SELECT o.municipality_id, o.id, ?, l.id FROM organisations o, organisations l
				WHERE o.slug = ? AND l.slug = 'lag'`, fmt.Sprintf("sak-%d", i), fmt.Sprintf("lag-%d", i))
			s.exec(t, `INSERT INTO article_neighbourhoods (article_id, neighbourhood_id, municipality_id)
				SELECT a.id, n.id, a.municipality_id FROM articles a, neighbourhoods n WHERE a.slug = ?`, fmt.Sprintf("sak-%d", i))
		}
		s.exec(t, `INSERT INTO page_translations (page_id, municipality_id, locale, title, body_html, body_text, publish_at)
			SELECT id, municipality_id, 'nb', 'Side', '<p>x</p>', 'x', now() - interval '1 minute' FROM pages
			ON CONFLICT DO NOTHING`)
		s.exec(t, `INSERT INTO article_translations (article_id, municipality_id, locale, title, body_html, body_text, publish_at)
			SELECT id, municipality_id, 'nb', 'Sak', '<p>x</p>', 'x', now() - interval '1 minute' FROM articles
			ON CONFLICT DO NOTHING`)
	}
	counter := &statementCounter{}
	s.app.DB.AddQueryHook(counter)
	query := `{ pages { title body { html } children { title body { html } children { title } } }
		articles(first: 50) { totalCount nodes { title body { html } organisation { name } aboutOrganisation { name }
		neighbourhoods { id } categories { id } } } }`
	count := func(n int) int64 {
		s.app.Tenants.Invalidate()
		s.app.Portal.InvalidateCategories()
		s.app.Portal.InvalidateSharedProviders()
		counter.n.Store(0)
		r := ok(t, s.post(t, query, nil))
		if got := len(get(r.Data, "pages.0.children").([]any)); got != n {
			t.Fatalf("%d pages, want %d", got, n)
		}
		if got := len(list(r, "articles")); got != n {
			t.Fatalf("%d articles, want %d", got, n)
		}
		return counter.n.Load()
	}
	add(0, 3)
	small := count(3)
	add(3, 12)
	large := count(12)
	t.Logf("statements: %d for 3, %d for 12", small, large)
	if large != small {
		t.Errorf("statements grow with the items: %d for 3, %d for 12", small, large)
	}
}
