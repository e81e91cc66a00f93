package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

func para(text string) map[string]any {
	return map[string]any{"type": "paragraph", "content": []any{map[string]any{"text": text}}}
}

func heading(level int, text string) map[string]any {
	return map[string]any{"type": "heading", "level": level, "content": []any{map[string]any{"text": text}}}
}

// codesOf returns the findings' codes with their paths, e.g. "HEADING_SKIPPED@blocks[1]".
func codesOf(fs any) []string {
	var out []string
	for _, f := range fs.([]any) {
		m := f.(map[string]any)
		out = append(out, fmt.Sprintf("%v@%v/%v", m["code"], m["path"], m["severity"]))
	}
	return out
}

func TestContentChecks(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	// The plain text is five sentences (each heading and the link's line end one): "Om kortet" (2
	// words), "Detaljer" (1, long), "Kommunestyret behandler søknaden." (3, all long),
	// "Avgjørelsen kommer." (2, one long), "Les mer" (2): 10 words, 5 sentences, 5 long
	// words: LIX = 10/5 + 100*5/10 = 2 + 50 = 52.
	r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "kortet", "texts": []any{
		map[string]any{"locale": "nb", "title": "Kortet", "body": map[string]any{"blocks": []any{
			heading(2, "Om kortet"),
			heading(4, "Detaljer"),
			para("Kommunestyret behandler søknaden. Avgjørelsen kommer."),
			map[string]any{"type": "paragraph", "content": []any{map[string]any{"text": "Les mer", "link": "/kort"}}},
		}}},
		map[string]any{"locale": "en", "title": "The card", "body": map[string]any{"blocks": []any{
			heading(2, "About"), heading(3, "Details"), para("Apply in the portal."),
		}}},
	}}}, admin))
	id := get(r.Data, "createPage.page.id").(string)
	const checks = `query($id: ID!, $l: String!) { contentChecks(id: $id, locale: $l) { code severity path message } }`

	t.Run("OnDemand", func(t *testing.T) {
		r := ok(t, s.post(t, checks, map[string]any{"id": id, "l": "nb"}, admin, "X-Locale: en"))
		got := codesOf(get(r.Data, "contentChecks"))
		want := []string{"HEADING_SKIPPED@blocks[1]/WARNING", "VAGUE_LINK_TEXT@blocks[3]/WARNING", "LIX_TOO_HIGH@/WARNING"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		msg := get(r.Data, "contentChecks.2.message").(string)
		if !strings.Contains(msg, "52") || !strings.Contains(msg, "40") {
			t.Errorf("LIX message %q does not give the score 52 and the target 40", msg)
		}
		if msg := get(r.Data, "contentChecks.1.message").(string); !strings.Contains(msg, "Les mer") {
			t.Errorf("link message %q does not quote the link text", msg)
		}
		r = ok(t, s.post(t, checks, map[string]any{"id": id, "l": "en"}, admin))
		if fs := get(r.Data, "contentChecks").([]any); len(fs) != 0 {
			t.Errorf("the English texts are fine (and LIX is for Norwegian), got %v", fs)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		if r := s.post(t, checks, map[string]any{"id": id, "l": "nb"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("anonymous: %+v", r.Errors)
		}
	})
	t.Run("ErrNotAWriter", func(t *testing.T) {
		demo, _ := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
		if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: demo.ID(),
			Email: "innbygger@example.no", Password: "riktig hest batteri"}); err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, loginMutation, map[string]any{"e": "innbygger@example.no", "p": "riktig hest batteri"}))
		user := "Authorization: Bearer " + get(r.Data, "login.token").(string)
		if r := s.post(t, checks, map[string]any{"id": id, "l": "nb"}, user); r.code() != "FORBIDDEN" {
			t.Fatalf("a user who may not write the page: %+v", r.Errors)
		}
	})
	status := func(st string) map[string]any {
		return map[string]any{"in": map[string]any{"id": id, "locale": "nb", "status": st}}
	}
	const publish = `mutation($in: SetContentStatusInput!) { setContentStatus(input: $in) {
		page { translations { locale status } } warnings { code path severity } } }`
	t.Run("WarningsOnPublish", func(t *testing.T) {
		r := ok(t, s.post(t, publish, status("PUBLISHED"), admin))
		if n := len(get(r.Data, "setContentStatus.warnings").([]any)); n != 3 {
			t.Fatalf("warnings %v, want 3", get(r.Data, "setContentStatus.warnings"))
		}
		r = ok(t, s.post(t, publish, status("DRAFT"), admin))
		if n := len(get(r.Data, "setContentStatus.warnings").([]any)); n != 0 {
			t.Fatalf("a draft gets warnings: %v", r.Data)
		}
	})
	const update = `mutation($in: MunicipalityChangesInput!) {
		updateMunicipality(input: $in) { municipality { lixTarget contentCheckErrors } } }`
	t.Run("ErrLixTargetRange", func(t *testing.T) {
		for _, v := range []int{19, 81} {
			wantInvalid(t, s.post(t, update, map[string]any{"in": map[string]any{"lixTarget": v}}, admin), "input.lixTarget")
		}
	})
	t.Run("ErrorsBlockPublishing", func(t *testing.T) {
		r := ok(t, s.post(t, update, map[string]any{"in": map[string]any{"lixTarget": 60,
			"contentCheckErrors": []any{"VAGUE_LINK_TEXT", "VAGUE_LINK_TEXT"}}}, admin))
		if get(r.Data, "updateMunicipality.municipality.lixTarget") != float64(60) ||
			fmt.Sprint(get(r.Data, "updateMunicipality.municipality.contentCheckErrors")) != "[VAGUE_LINK_TEXT]" {
			t.Fatalf("update: %v", r.Data)
		}
		r = s.post(t, publish, status("PUBLISHED"), admin)
		wantInvalid(t, r, "input.locale")
		got := codesOf(r.Errors[0].Extensions["findings"])
		// LIX 52 is below the new target 60; the vague link is now an error.
		want := []string{"HEADING_SKIPPED@blocks[1]/WARNING", "VAGUE_LINK_TEXT@blocks[3]/ERROR"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("findings %v, want %v", got, want)
		}
		r = ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Page { translations { locale status } } } }`,
			map[string]any{"id": id}, admin))
		if get(r.Data, "node.translations.1.locale") != "nb" || get(r.Data, "node.translations.1.status") != "DRAFT" {
			t.Fatalf("refused, yet the status changed: %v", r.Data)
		}
		// The editor fixes the link: publishing goes ahead, with the heading warning.
		ok(t, s.post(t, `mutation($in: UpdatePageInput!) { updatePage(input: $in) { page { id } } }`,
			map[string]any{"in": map[string]any{"id": id, "texts": []any{map[string]any{"locale": "nb",
				"body": map[string]any{"blocks": []any{heading(2, "Om kortet"), heading(4, "Detaljer"),
					map[string]any{"type": "paragraph", "content": []any{
						map[string]any{"text": "Les mer om kortet", "link": "/kort"}}}}}}}}}, admin))
		r = ok(t, s.post(t, publish, status("PUBLISHED"), admin))
		got = codesOf(get(r.Data, "setContentStatus.warnings"))
		if fmt.Sprint(got) != "[HEADING_SKIPPED@blocks[1]/WARNING]" {
			t.Fatalf("warnings %v", got)
		}
	})
}

func TestContentChecksHeroAlt(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	var img string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO media (municipality_id, url, width, height)
		VALUES (?, 'https://localhost/media/hero.jpg', 4, 3) RETURNING id`, demo.ID()).Scan(&img); err != nil {
		t.Fatal(err)
	}
	r := ok(t, s.post(t, createArticle, map[string]any{"in": map[string]any{"slug": "sommer",
		"heroImageId": relayID("Image", img), "texts": []any{
			map[string]any{"locale": "nb", "title": "Sommer", "heroAlt": "Barn som bader", "body": map[string]any{
				"blocks": []any{para("Det er sol.")}}},
			map[string]any{"locale": "en", "title": "Summer", "body": map[string]any{"blocks": []any{para("It is sunny.")}}},
		}}}, admin))
	id := get(r.Data, "createArticle.article.id").(string)
	const checks = `query($id: ID!, $l: String!) { contentChecks(id: $id, locale: $l) { code path } }`
	r = ok(t, s.post(t, checks, map[string]any{"id": id, "l": "nb"}, admin))
	if fs := get(r.Data, "contentChecks").([]any); len(fs) != 0 {
		t.Errorf("nb has its hero alt text, got %v", fs)
	}
	r = ok(t, s.post(t, checks, map[string]any{"id": id, "l": "en"}, admin))
	if got := codesOf(get(r.Data, "contentChecks")); fmt.Sprint(got) != "[IMAGE_WITHOUT_ALT@heroAlt/<nil>]" {
		t.Errorf("en lacks the hero alt text: got %v", got)
	}
}

func TestContentStaleTranslations(t *testing.T) {
	t.Parallel()
	s, admin, _ := newContentServer(t)
	r := ok(t, s.post(t, createPage, map[string]any{"in": map[string]any{"slug": "svommehallen", "texts": []any{
		map[string]any{"locale": "nb", "title": "Svømmehallen", "body": map[string]any{"blocks": []any{
			para("Åpent hver dag."), para("Gratis for barn."), para("Husk badehette.")}}},
		map[string]any{"locale": "en", "title": "The pool", "body": map[string]any{"blocks": []any{
			para("Open every day."), para("Free for children."), para("Bring a swimming cap.")}}},
	}}}, admin))
	id := get(r.Data, "createPage.page.id").(string)
	const read = `query($id: ID!) { node(id: $id) { ... on Page { translations {
		locale stale { sourceLocale changedBlocks total blocks message } } } } }`
	const update = `mutation($in: UpdatePageInput!) { updatePage(input: $in) { page { id } } }`
	staleOf := func(t *testing.T, locale string) map[string]any {
		t.Helper()
		r := ok(t, s.post(t, read, map[string]any{"id": id}, admin, "X-Locale: en"))
		for _, tr := range get(r.Data, "node.translations").([]any) {
			if m := tr.(map[string]any); m["locale"] == locale {
				st, _ := m["stale"].(map[string]any)
				return st
			}
		}
		t.Fatalf("no %s translation in %v", locale, r.Data)
		return nil
	}
	if st := staleOf(t, "en"); st != nil {
		t.Fatalf("written together, yet stale: %v", st)
	}
	// The first and last paragraphs change and a fourth comes: 3 of 4 blocks changed.
	ok(t, s.post(t, update, map[string]any{"in": map[string]any{"id": id, "texts": []any{map[string]any{"locale": "nb",
		"body": map[string]any{"blocks": []any{para("Åpent hver dag fra 07."), para("Gratis for barn."),
			para("Husk badehette og håndkle."), para("Stengt i juli.")}}}}}}, admin))
	st := staleOf(t, "en")
	if st == nil || st["sourceLocale"] != "nb" || st["changedBlocks"] != float64(3) || st["total"] != float64(4) ||
		fmt.Sprint(st["blocks"]) != "[0 2 3]" {
		t.Fatalf("stale = %v, want 3 of 4 changed in nb (blocks 0, 2, 3)", st)
	}
	if msg := st["message"].(string); !strings.HasPrefix(msg, "3 of 4 blocks changed in") {
		t.Errorf("message %q", msg)
	}
	if st := staleOf(t, "nb"); st != nil {
		t.Errorf("the default language is never stale: %v", st)
	}
	// A title alone does not bring the translation up to date; a new body does.
	ok(t, s.post(t, update, map[string]any{"in": map[string]any{"id": id, "texts": []any{
		map[string]any{"locale": "en", "title": "The swimming pool"}}}}, admin))
	if st := staleOf(t, "en"); st == nil {
		t.Fatalf("a new title made the translation up to date")
	}
	ok(t, s.post(t, update, map[string]any{"in": map[string]any{"id": id, "texts": []any{map[string]any{"locale": "en",
		"body": map[string]any{"blocks": []any{para("Open every day from 7."), para("Free for children."),
			para("Bring a swimming cap and a towel."), para("Closed in July.")}}}}}}, admin))
	if st := staleOf(t, "en"); st != nil {
		t.Fatalf("translated again, yet stale: %v", st)
	}
	// A reordering counts as changes: the two first blocks swap places.
	ok(t, s.post(t, update, map[string]any{"in": map[string]any{"id": id, "texts": []any{map[string]any{"locale": "nb",
		"body": map[string]any{"blocks": []any{para("Gratis for barn."), para("Åpent hver dag fra 07."),
			para("Husk badehette og håndkle."), para("Stengt i juli.")}}}}}}, admin))
	if st := staleOf(t, "en"); st == nil || st["changedBlocks"] != float64(2) {
		t.Fatalf("after a swap, stale = %v, want 2 changed", st)
	}
}
