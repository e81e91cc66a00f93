package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/config"
)

// smsGateway is a local SMS gateway: it keeps every text message posted to it.
type smsGateway struct {
	*httptest.Server
	mu   sync.Mutex
	sent []smsSent
}

type smsSent struct {
	To, From, Text, Auth string
}

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m smsSent
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" ||
			json.NewDecoder(r.Body).Decode(&m) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		m.Auth = r.Header.Get("Authorization")
		g.mu.Lock()
		g.sent = append(g.sent, m)
		g.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(g.Close)
	return g
}

// to returns the text messages sent to number.
func (g *smsGateway) to(number string) []smsSent {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []smsSent
	for _, m := range g.sent {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// TestCardNoticesByTextMessage has a mother leave her mobile number for her daughter's
// card notices: the confirmation link and then a refill notice arrive at a real local HTTP
// SMS gateway, from the municipality's sender name, with the gateway's token; the number
// is in her data report. Bad numbers and addresses are refused with the field named.
func TestCardNoticesByTextMessage(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	gw := newSMSGateway(t)
	s := newServer(t, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
		c.PublicURL, c.SMSURL, c.SMSToken, c.SMSSender = "https://fritid.example", gw.URL, "gateway-token", "Larvik"
	})
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"koordinator@example.no": {auth.RoleCardCoordinator},
		"admin@example.no": {auth.RoleAdmin}, "nav@example.no": {auth.RoleCaseworker}} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	coord, admin, nav := login(t, s, "koordinator@example.no"), login(t, s, "admin@example.no"), login(t, s, "nav@example.no")
	agency := get(ok(t, s.post(t, `mutation { saveCardAgency(input: {name: "NAV", kind: NAV}) { agency { id } } }`,
		nil, coord)).Data, "saveCardAgency.agency.id")
	var user string
	if err := s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = 'nav@example.no'").Scan(&user); err != nil {
		t.Fatal(err)
	}
	ok(t, s.post(t, `mutation($u: ID!, $a: ID) { setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`,
		map[string]any{"u": relayID("User", user), "a": agency}, admin))
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet"}},
			"minAge": 0, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
			"cardsAvailable": 10, "budgetOre": 0, "defaultAllowance": 5, "status": "ACTIVE", "agencyIds": []any{agency}}},
		coord)).Data, "saveCardProgramme.programme.id")
	mother := identityNumber(time.Date(year-38, 4, 9, 0, 0, 0, 0, time.UTC), 0)
	card := get(ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`,
		map[string]any{"in": map[string]any{"programmeId": programme, "givenName": "Ida",
			"childIdentityNumber": identityNumber(time.Date(year-9, 2, 3, 0, 0, 0, 0, time.UTC), 0),
			"birthDate":           fmt.Sprintf("%d-02-03", year-9), "guardianIdentityNumbers": []any{mother}}}, nav)).Data,
		"issueCard.card.id")
	now := time.Now()
	mor := "Authorization: Bearer " + iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "mor",
		"pid": mother, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})

	const set = `mutation($c: ID!, $in: CardNoticeContactInput!) { setCardNoticeContact(cardId: $c, input: $in) {
		noticeContact { email phone confirmed } } }`
	for _, c := range []struct {
		in            map[string]any
		field, reason string
	}{
		{map[string]any{"notices": []any{"REFILL"}}, "input.email", "ONE_OF"},
		{map[string]any{"email": "mor@example.no", "phone": "91234567", "notices": []any{"REFILL"}}, "input.email", "ONE_OF"},
		{map[string]any{"phone": "1234", "notices": []any{"REFILL"}}, "input.phone", "INVALID"},
		{map[string]any{"phone": "22 12 34 56", "notices": []any{"REFILL"}}, "input.phone", "NOT_MOBILE"},
	} {
		r := s.post(t, set, map[string]any{"c": card, "in": c.in}, mor)
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field ||
			r.Errors[0].Extensions["reason"] != c.reason {
			t.Errorf("%v: %+v", c.in, r.Errors)
		}
	}
	if sent := len(gw.sent); sent != 0 {
		t.Fatalf("%d text messages for refused input", sent)
	}

	// A Norwegian number as people write it; the link comes by text message.
	r := ok(t, s.post(t, set, map[string]any{"c": card, "in": map[string]any{"phone": "912 34 567", "locale": "nb",
		"notices": []any{"REFILL"}}}, mor))
	if get(r.Data, "setCardNoticeContact.noticeContact.phone") != "+4791234567" ||
		get(r.Data, "setCardNoticeContact.noticeContact.email") != nil ||
		get(r.Data, "setCardNoticeContact.noticeContact.confirmed") != false {
		t.Fatalf("contact: %+v", r.Data)
	}
	deliver(t, s)
	got := gw.to("+4791234567")
	if len(got) != 1 || got[0].From != "Larvik" || got[0].Auth != "Bearer gateway-token" ||
		!strings.Contains(got[0].Text, "https://fritid.example/card-notices/confirm?token=") {
		t.Fatalf("confirmation: %+v", got)
	}
	link, err := url.Parse(strings.Fields(got[0].Text[strings.Index(got[0].Text, "https://fritid.example/card-notices"):])[0])
	if err != nil {
		t.Fatal(err)
	}
	ok(t, s.post(t, `mutation($t: String!) { confirmCardNoticeContact(token: $t) { confirmed } }`,
		map[string]any{"t": link.Query().Get("token")}))

	// Money on the card: she hears of it by text message.
	ok(t, s.post(t, `mutation($in: TopUpCardInput!) { topUpCard(input: $in) { card { id } } }`,
		map[string]any{"in": map[string]any{"cardId": card, "amountOre": 25000, "reason": "Kontingent for fotball"}}, coord))
	deliver(t, s)
	got = gw.to("+4791234567")
	if len(got) != 2 || !strings.Contains(got[1].Text, "250,00 kroner") || !strings.Contains(got[1].Text, "aktivitetskortet") {
		t.Fatalf("refill notice: %+v", got)
	}

	// The number is hers to see in her data report, and goes when she is erased.
	rep := ok(t, s.post(t, `mutation($n: String!) { personalDataReport(identityNumber: $n) { personalDataReport {
		cardsAsGuardian { noticeContact { phone } } } } }`, map[string]any{"n": mother}, admin))
	if get(rep.Data, "personalDataReport.personalDataReport.cardsAsGuardian.0.noticeContact.phone") != "+4791234567" {
		t.Errorf("report: %+v", rep.Data)
	}
	ok(t, s.post(t, `mutation($n: String!) { erasePersonalData(identityNumber: $n) { erased } }`,
		map[string]any{"n": mother}, admin))
	var left int
	if err := s.app.DB.QueryRowContext(ctx, "SELECT count(*) FROM card_notice_contacts WHERE phone IS NOT NULL").
		Scan(&left); err != nil || left != 0 {
		t.Errorf("%d numbers left after the erasure: %v", left, err)
	}
}
