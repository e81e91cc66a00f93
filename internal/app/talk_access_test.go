package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/relay"
)

// talkOutcomes are the outcome columns the rows of notices and questions use.
type talkOutcomes struct {
	anyone, keepers, orgEditors, editors map[string]outcome
}

// talkAccessCases returns the matrix's rows for neighbourhood notices and residents'
// questions in the demo municipality mid: notices of neighbourhood nb (which the matrix's
// committee editor keeps), questions on a published activity of organisation org (whose
// editor the matrix's org editor is). Each row works on a notice or question of its own.
func talkAccessCases(t *testing.T, s *testServer, mid, nb, org string, o talkOutcomes) []accessCase {
	ctx := context.Background()
	var act string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO activities (municipality_id, organisation_id, slug, status)
		VALUES (?, ?, 'sporsmal-a', 'PUBLISHED') RETURNING id`, mid, org).Scan(&act); err != nil {
		t.Fatal(err)
	}
	question := func() map[string]any {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO resident_questions (municipality_id, subject_kind,
			subject_id, organisation_id, display_name, body) VALUES (?, 'ACTIVITY', ?, ?, 'Kari', 'Hei?') RETURNING id`,
			mid, act, org).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relay.GlobalKey("Question", id)}
	}
	committeeNotice := func() map[string]any {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `WITH n AS (INSERT INTO neighbourhood_notices (municipality_id,
			neighbourhood_id, posted_as, valid_from, valid_until)
			VALUES (?, ?, 'COMMITTEE', now(), now() + interval '1 day') RETURNING id, municipality_id)
			INSERT INTO neighbourhood_notice_texts (notice_id, municipality_id, locale,
			title, body) SELECT id, municipality_id, 'nb', 'Dugnad', '' FROM n RETURNING notice_id`, mid, nb).
			Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relay.GlobalKey("NeighbourhoodNotice", id)}
	}
	// Only residents ask, and the matrix's callers carry no device (as the resident rows).
	askers := map[string]outcome{}
	for caller, out := range o.anyone {
		askers[caller] = forbidden
		if out != allowed || caller == "anonymous" {
			askers[caller] = unauthenticated
		}
	}
	until := time.Now().Add(48 * time.Hour).Format(time.RFC3339)
	return []accessCase{
		{"postNeighbourhoodNotice", `mutation($nb: ID!, $u: Time!) { postNeighbourhoodNotice(input: {
			neighbourhoodId: $nb, validUntil: $u, texts: [{locale: "nb", title: "Dugnad", text: ""}]}) {
			notice { id } } }`, func() map[string]any {
			return map[string]any{"nb": relay.GlobalKey("Neighbourhood", nb), "u": until}
		}, o.keepers},
		{"updateNeighbourhoodNotice", `mutation($id: ID!) { updateNeighbourhoodNotice(id: $id, input: {
			texts: [{locale: "nb", title: "Dugnad flyttet", text: ""}]}) { notice { id } } }`, committeeNotice,
			o.keepers},
		{"withdrawNeighbourhoodNotice", `mutation($id: ID!) { withdrawNeighbourhoodNotice(id: $id) {
			notice { withdrawnAt } } }`, committeeNotice, o.keepers},
		{"neighbourhoodNotices (includeInactive)", `query($nb: ID!) { neighbourhoodNotices(neighbourhoodId: $nb,
			includeInactive: true) { id } }`, func() map[string]any {
			return map[string]any{"nb": relay.GlobalKey("Neighbourhood", nb)}
		}, o.keepers},
		{"askQuestion", `mutation($s: ID!) { askQuestion(input: {subjectId: $s, displayName: "Kari", text: "Hei?"}) {
			question { id } } }`, func() map[string]any {
			return map[string]any{"s": relay.GlobalKey("Activity", act)}
		}, askers},
		{"answerQuestion", `mutation($id: ID!) { answerQuestion(id: $id, text: "Ja.") { question { answer } } }`,
			question, o.orgEditors},
		{"reportQuestion", `mutation($id: ID!) { reportQuestion(id: $id) { reported } }`, question, o.anyone},
		{"moderateQuestion", `mutation($id: ID!) { moderateQuestion(id: $id, action: HIDE) { deleted } }`, question,
			o.editors},
		{"questionModerationQueue", `{ questionModerationQueue { reports } }`, nil, o.editors},
		{"setOrganisationQuestions", `mutation($o: ID!) { setOrganisationQuestions(organisationId: $o, open: true) {
			open } }`, func() map[string]any { return map[string]any{"o": relay.GlobalKey("Organisation", org)} },
			o.orgEditors},
	}
}
