package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
)

// TestCardApplicationEndToEnd follows an application for football boots through the API:
// the mother applies with ID-porten and attaches the receipt, which no public address
// serves; NAV's caseworker rejects it with a reason; the mother appeals; a coordinator
// approves it and the money lands on the card; each decision reaches her by e-mail. A
// second application left undecided for a month brings her a notice of delay.
func TestCardApplicationEndToEnd(t *testing.T) {
	t.Parallel()
	box, smtpURL := mailtest.Start(t)
	iss := newIssuer(t)
	s := newServer(t, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
		c.SMTPURL = smtpURL
	})
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"admin@example.no": {auth.RoleAdmin},
		"koordinator@example.no": {auth.RoleCardCoordinator}, "nav@example.no": {auth.RoleCaseworker}} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	admin, coord := login(t, s, "admin@example.no"), login(t, s, "koordinator@example.no")
	nav := login(t, s, "nav@example.no")
	agency := get(ok(t, s.post(t, `mutation { saveCardAgency(input: {name: "NAV Larvik", kind: NAV}) { agency { id } } }`,
		nil, coord)).Data, "saveCardAgency.agency.id")
	var navUser string
	s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = 'nav@example.no'").Scan(&navUser)
	ok(t, s.post(t, `mutation($u: ID!, $a: ID) { setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`,
		map[string]any{"u": relayID("User", navUser), "a": agency}, admin))
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) {
		saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Fritidskortet"}},
			"minAge": 6, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
			"cardsAvailable": 10, "budgetOre": 500_000, "defaultAllowance": 5, "status": "ACTIVE",
			"agencyIds": []any{agency}}}, coord)).Data, "saveCardProgramme.programme.id")
	child := identityNumber(time.Date(year-10, 4, 2, 0, 0, 0, 0, time.UTC), 0)
	mother := identityNumber(time.Date(year-38, 9, 9, 0, 0, 0, 0, time.UTC), 0)
	card := get(ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`,
		map[string]any{"in": map[string]any{"programmeId": programme, "childIdentityNumber": child, "givenName": "Sara",
			"birthDate": fmt.Sprintf("%d-04-02", year-10), "guardianIdentityNumbers": []string{mother}}}, nav)).Data,
		"issueCard.card.id")
	now := time.Now()
	resident := "Authorization: Bearer " + iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid",
		"sub": "mor", "pid": mother, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})

	// The mother applies for 800 kroner for football boots and attaches the receipt.
	submit := `mutation($in: SubmitCardApplicationInput!) { submitCardApplication(input: $in) {
		application { id status dueAt } } }`
	in := map[string]any{"programmeId": programme, "kind": "EQUIPMENT", "cardId": card, "askedOre": 80_000,
		"purpose": "Fotballsko", "contactEmail": "mor@example.no"}
	if r := s.post(t, submit, map[string]any{"in": map[string]any{"programmeId": programme, "kind": "EQUIPMENT",
		"cardId": card, "askedOre": -1, "purpose": "Fotballsko"}}, resident); r.code() != "BAD_USER_INPUT" ||
		r.Errors[0].Extensions["field"] != "input.askedOre" {
		t.Fatalf("a negative amount: %+v", r.Errors)
	}
	app := get(ok(t, s.post(t, submit, map[string]any{"in": in}, resident)).Data, "submitCardApplication.application.id")
	receipt := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	body, ct := uploadOp(t, `mutation($id: ID!, $f: Upload!) { attachCardApplicationFile(id: $id, file: $f) {
		attachment { id contentType } } }`, map[string]any{"id": app}, receipt)
	if r := s.do(t, http.MethodPost, "/graphql", ct, body, resident); len(r.Errors) > 0 ||
		get(r.Data, "attachCardApplicationFile.attachment.contentType") != "application/pdf" {
		t.Fatalf("attached: %+v %+v", r.Data, r.Errors)
	}
	var key string
	s.app.DB.QueryRowContext(ctx, "SELECT file_key FROM card_application_attachments").Scan(&key)
	res, err := http.Get(s.URL + "/media/private/" + key)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /media/private/...: %d", res.StatusCode)
	}

	// NAV's caseworker reads it with the receipt, and rejects it with a reason.
	seen := ok(t, s.post(t, `query($p: ID!) { cardApplications(programmeId: $p) { totalCount
		nodes { status askedOre attachments { contentBase64 } } } }`, map[string]any{"p": programme}, nav))
	if got := get(seen.Data, "cardApplications.nodes.0.attachments.0.contentBase64"); got !=
		base64.StdEncoding.EncodeToString(receipt) {
		t.Fatalf("caseworker sees %+v", seen.Data)
	}
	decide := `mutation($in: DecideCardApplicationInput!) { decideCardApplication(input: $in) {
		application { status approvedOre card { balanceOre } } } }`
	if r := s.post(t, decide, map[string]any{"in": map[string]any{"id": app, "outcome": "REJECTED", "reason": ""}},
		nav); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.reason" {
		t.Fatalf("no reason: %+v", r.Errors)
	}
	ok(t, s.post(t, decide, map[string]any{"in": map[string]any{"id": app, "outcome": "REJECTED",
		"reason": "Sko dekkes ikke av ordningen"}}, nav))
	appealed := ok(t, s.post(t, `mutation($id: ID!) { appealCardApplication(id: $id,
		reason: "Sko er nødvendig utstyr for fotball") { application { status appealDeadline } } }`,
		map[string]any{"id": app}, resident))
	if get(appealed.Data, "appealCardApplication.application.status") != "APPEALED" {
		t.Fatalf("appealed: %+v", appealed.Data)
	}
	approved := ok(t, s.post(t, decide, map[string]any{"in": map[string]any{"id": app, "outcome": "APPROVED",
		"reason": "Klagen tas til følge: sko er utstyr"}}, coord))
	if get(approved.Data, "decideCardApplication.application.status") != "APPROVED" ||
		get(approved.Data, "decideCardApplication.application.card.balanceOre") != 80_000.0 {
		t.Fatalf("approved: %+v", approved.Data)
	}

	// Another application lies a month without a decision: the mother hears why, by e-mail.
	in["purpose"] = "Leggskinn"
	ok(t, s.post(t, submit, map[string]any{"in": in}, resident))
	if n, err := s.app.Cards.SendDelayNotices(ctx, time.Now().AddDate(0, 1, 1)); err != nil || n != 1 {
		t.Fatalf("delay notices: %d, %v", n, err)
	}
	// The mother has heard of each decision, with its reason, and of the delay.
	got := bodiesTo(t, s, box, "mor@example.no")
	all := strings.Join(got, "\n---\n")
	for _, want := range []string{"avslått", "Sko dekkes ikke av ordningen", "klage på vedtaket innen", "innvilget med 800 kroner",
		"Klagen tas til følge", "foreløpig svar", "Fritidskortet"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the mother's mail", want)
		}
	}
	if len(got) != 3 || strings.Contains(all, mother) || strings.Contains(all, child) {
		t.Errorf("the mother's mail (%d):\n%s", len(got), all)
	}
	if got := bodiesTo(t, s, box, "koordinator@example.no"); len(got) != 1 {
		t.Errorf("coordinator's notices: %d", len(got))
	}
}
