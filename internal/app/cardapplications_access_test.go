package app_test

import (
	"context"
	"testing"

	"github.com/fritid/fritid/internal/platform/relay"
)

// cardApplicationAccessCases returns the matrix's rows for applications in programme:
// lagA is approved to accept the card there (cardMoneyAccessCases approves it), whose
// personal cards personalCard issues by the caseworker's agency; admin, coordinator,
// caseworker and orgEditor sign those callers in.
func cardApplicationAccessCases(t *testing.T, s *testServer, admin, caseworker, orgEditor func() string,
	lagA string, programme any, personalCard func() any, cardStaff, cardManagers map[string]outcome,
) []accessCase {
	t.Helper()
	org := relayID("Organisation", lagA)
	// submitted is an application a caseworker filed for a card of their agency.
	submitted := func() any {
		r := ok(t, s.post(t, `mutation($in: SubmitCardApplicationInput!) { submitCardApplication(input: $in) {
			application { id } } }`, map[string]any{"in": map[string]any{"programmeId": programme, "kind": "EQUIPMENT",
			"cardId": personalCard(), "askedOre": 1000, "purpose": "Fotballsko"}}, caseworker()))
		return get(r.Data, "submitCardApplication.application.id")
	}
	decided := func(outcome string) func() map[string]any {
		return func() map[string]any {
			id := submitted()
			ok(t, s.post(t, `mutation($id: ID!, $o: CardApplicationOutcome!) { decideCardApplication(input: {id: $id,
				outcome: $o, reason: "Vurdert etter retningslinjene"}) { application { status } } }`,
				map[string]any{"id": id, "o": outcome}, admin()))
			return map[string]any{"id": id}
		}
	}
	byID := func() map[string]any { return map[string]any{"id": submitted()} }
	// Filed by a caseworker: the agency's caseworkers act on it as its applicant.
	applicant := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden,
		"org editor of this org": forbidden, "org editor of another org": forbidden, "ADMIN": forbidden,
		"EDITOR": forbidden, "CARD_COORDINATOR": forbidden, "CASEWORKER": allowed, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	// A caseworker files for their agency; a resident without an identity number cannot.
	caseworkers := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden,
		"org editor of this org": forbidden, "org editor of another org": forbidden, "ADMIN": forbidden,
		"EDITOR": forbidden, "CARD_COORDINATOR": forbidden, "CASEWORKER": allowed, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	posters := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": allowed, "org editor of another org": forbidden, "ADMIN": forbidden,
		"EDITOR": forbidden, "CARD_COORDINATOR": forbidden, "CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	listers := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden, "org editor of this org": allowed,
		"org editor of another org": allowed, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": allowed, "user of another municipality": unauthenticated}
	readers := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden, "org editor of this org": hidden,
		"org editor of another org": hidden, "ADMIN": allowed, "EDITOR": hidden, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": hidden, "user of another municipality": unauthenticated}
	return []accessCase{
		{"submitCardApplication (a caseworker's)", `mutation($in: SubmitCardApplicationInput!) {
			submitCardApplication(input: $in) { application { status } } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"programmeId": programme, "kind": "CUP", "cardId": personalCard(),
				"askedOre": 1000, "purpose": "Cup"}}
		}, caseworkers},
		{"submitCardApplication (an organisation's)", `mutation($in: SubmitCardApplicationInput!) {
			submitCardApplication(input: $in) { application { status } } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"programmeId": programme, "kind": "CUP",
				"cardNumber": cardNumber(t, s, personalCard()), "askedOre": 1000, "purpose": "Cup", "organisationId": org}}
		}, posters},
		{"withdrawCardApplication", `mutation($id: ID!) { withdrawCardApplication(id: $id) { application { status } } }`,
			byID, applicant},
		{"answerCardApplication", `mutation($id: ID!) { answerCardApplication(id: $id, answer: "Kvittering vedlagt") {
			application { status } } }`, decided("NEEDS_INFO"), applicant},
		{"appealCardApplication", `mutation($id: ID!) { appealCardApplication(id: $id, reason: "Vi trenger dette") {
			application { status } } }`, decided("REJECTED"), applicant},
		{"attachCardApplicationFile", uploadQuery + `mutation($id: ID!, $f: Upload!) {
			attachCardApplicationFile(id: $id, file: $f) { attachment { contentType } } }`, byID, applicant},
		{"startCardApplicationReview", `mutation($id: ID!) { startCardApplicationReview(id: $id) {
			application { status } } }`, byID, cardManagers},
		{"decideCardApplication", `mutation($id: ID!) { decideCardApplication(input: {id: $id, outcome: REJECTED,
			reason: "Utenfor retningslinjene"}) { application { status } } }`, byID, cardManagers},
		{"setCardProgrammeApplications", `mutation($p: ID!) { setCardProgrammeApplications(programmeId: $p,
			input: {mode: ASSESSED}) { programme { applicationMode } } }`,
			func() map[string]any { return map[string]any{"p": programme} }, cardStaff},
		// Reads with rows in docs/access.md's query table.
		{"cardApplications", `{ cardApplications { totalCount } }`, nil, listers},
		{"cardApplication", `query($id: ID!) { cardApplication(id: $id) { status } }`, byID, readers},
	}
}

// cardNumber returns a card's number, as a provider reads it off the card.
func cardNumber(t *testing.T, s *testServer, card any) string {
	t.Helper()
	_, raw, err := relay.ParseGlobalID(card.(string), "id")
	if err != nil {
		t.Fatal(err)
	}
	var number string
	if err := s.app.DB.QueryRowContext(context.Background(), "SELECT number FROM cards WHERE id = ?", raw).
		Scan(&number); err != nil {
		t.Fatal(err)
	}
	return number
}
