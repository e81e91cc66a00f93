package app_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/auth"
)

// TestOrganisationsJSONAnswersAsTheExecutor: the organisations' list, when its items show
// plain fields and a nested activity list of plain fields, is written by the database as
// JSON in one statement; its answer is byte for byte the executor's (forced by asking for
// the list's pageInfo as well, which comes last and is cut), in three languages, for the
// public, an administrator and an organisation's owner (who also sees its drafts), with
// filters, orders, backward pages, aliases, empty lists, names and titles that need
// escaping, and a nested page size out of range (the executor's error, in its place).
func TestOrganisationsJSONAnswersAsTheExecutor(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	seedFallbackTexts(t, s)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	s.exec(t, `UPDATE organisations SET name = 'Klubb "sitat" \ skrå'||E'\x08\x0c\x01'||' ☃'
		WHERE id = (SELECT id FROM organisations WHERE status = 'PUBLISHED' ORDER BY name LIMIT 1)`)
	s.exec(t, `UPDATE activity_translations SET title = 'Tittel'||E'\t\x1f'||'<b>&amp;'
		WHERE activity_id = (SELECT id FROM activities ORDER BY id LIMIT 1)`)
	s.exec(t, `UPDATE activities SET status = 'DRAFT', published = false
		WHERE id IN (SELECT id FROM activities ORDER BY id DESC LIMIT 4)`)
	ctx := context.Background()
	larvik, err := s.app.Tenants.FindMunicipalityBySlug(ctx, "larvik")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: larvik.ID(),
		Email: "eier@larvik.no", Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT a.municipality_id, a.organisation_id, u.id, 'OWNER' FROM activities a, users u
		WHERE a.id = (SELECT id FROM activities ORDER BY id DESC LIMIT 1) AND u.email = 'eier@larvik.no'`)
	owner := login(t, s, "eier@larvik.no", "X-Municipality: larvik")
	counter := &jsonLists{}
	s.app.DB.AddQueryHook(counter)

	lists := map[string]string{
		"plain":    `organisations(first: 30) { %s }`,
		"query":    `organisations(first: 5, filter: {query: "klubb"}) { %s }`,
		"updated":  `organisations(first: 7, orderBy: UPDATED_AT) { %s }`,
		"backward": `organisations(last: 4, before: "%c") { %s }`,
		"empty":    `organisations(first: 3, filter: {query: "finnesikkeiverden"}) { %s }`,
	}
	shapes := map[string]string{
		"edges": `edges { node { id name activities(first: 5) { edges { node { id title } } } } }`,
		"nodes": `nodes { __typename slug id name activities { nodes { __typename slug id title } } }`,
		"aliases": `e: edges { n: node { i: id navn: name a: activities(first: 2) { x: nodes { t: title } }
			b: activities(first: 0) { edges { node { id } } } } } alle: nodes { id }`,
		"badPage": `nodes { id activities(first: 101) { nodes { id } } }`,
	}
	cursor := get(ok(t, s.larvik(t, `{ organisations(first: 12) { pageInfo { endCursor } } }`, nil)).Data,
		"organisations.pageInfo.endCursor").(string)
	pageInfo := regexp.MustCompile(`,"pageInfo":\{"hasNextPage":(true|false)\}\}`)
	for _, lang := range []string{"nb", "en", "ar"} {
		for name, list := range lists {
			for shapeName, shape := range shapes {
				for who, header := range map[string]string{"public": "", "admin": admin, "owner": owner} {
					t.Run(lang+"/"+name+"/"+shapeName+"/"+who, func(t *testing.T) {
						headers := []string{"Accept-Language: " + lang}
						if header != "" {
							headers = append(headers, header)
						}
						list := strings.ReplaceAll(list, "%c", cursor)
						before := counter.n.Load()
						got := s.larvik(t, "{ "+strings.ReplaceAll(list, "%s", shape)+" }", nil, headers...)
						if shapeName != "badPage" && counter.n.Load() != before+1 {
							t.Fatalf("%d statements wrote lists as JSON, want the one", counter.n.Load()-before)
						}
						withPageInfo := strings.ReplaceAll(list, "%s", shape+" pageInfo { hasNextPage }")
						forced := s.larvik(t, "{ "+withPageInfo+" }", nil, headers...)
						want := pageInfo.ReplaceAllString(string(forced.Raw), "}")
						if string(got.Raw) != want {
							t.Errorf("the database's JSON differs from the executor's:\n got %s\nwant %s",
								got.Raw, want)
						}
						if shapeName == "badPage" && name != "empty" && got.code() != "BAD_USER_INPUT" {
							t.Errorf("a nested page of 101: code %q, want BAD_USER_INPUT", got.code())
						}
					})
				}
			}
		}
	}
}
