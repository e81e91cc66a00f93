package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
)

const sheetMutation = `mutation($f: Upload!, $p: ID!, $dry: Boolean! = false) {
  issueCardsFromSheet(programmeId: $p, file: $f, dryRun: $dry) {
    rows { row outcome card { number holder { givenName } } findings { code agency field }
      problem { field reason message } }
    programme { cardsLeft }
    sheet } }`

// TestIssueCardsFromSheetOverHTTP: a caseworker uploads a sheet as Norwegian Excel saves
// it and gets every row's outcome, in their language, and a page to print; a sheet in
// the wrong encoding is refused as a whole, naming the row.
func TestIssueCardsFromSheetOverHTTP(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	for email, roles := range map[string][]auth.MunicipalRole{"admin@example.no": {auth.RoleAdmin},
		"nav@example.no": {auth.RoleCaseworker}, "skole@example.no": {auth.RoleCaseworker}} {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	admin, nav, school := login(t, s, "admin@example.no"), login(t, s, "nav@example.no"), login(t, s, "skole@example.no")
	agency := func(name, who string) string {
		id := get(ok(t, s.post(t, `mutation($n: String!) { saveCardAgency(input: {name: $n, kind: NAV}) { agency { id } } }`,
			map[string]any{"n": name}, admin)).Data, "saveCardAgency.agency.id").(string)
		var user string
		s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", who).Scan(&user)
		ok(t, s.post(t, `mutation($u: ID!, $a: ID) { setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`,
			map[string]any{"u": relayID("User", user), "a": id}, admin))
		return id
	}
	navID, schoolID := agency("NAV Larvik", "nav@example.no"), agency("Helsesykepleier Larvik", "skole@example.no")
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Seniorkortet"}},
			"minAge": 6, "maxAge": 120, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
			"cardsAvailable": 10, "budgetOre": 0, "defaultAllowance": 4, "status": "ACTIVE", "agencyIds": []string{navID, schoolID}}},
		admin)).Data, "saveCardProgramme.programme.id").(string)

	// A pensioner already has a card from the school health service, issued by the holder's
	// neutral name.
	born := func(y int) time.Time { return time.Date(y, 3, 14, 0, 0, 0, 0, time.UTC) }
	held := identityNumber(born(year-70), 0)
	ok(t, s.post(t, `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`,
		map[string]any{"in": map[string]any{"programmeId": programme, "holderIdentityNumber": held, "givenName": "Else",
			"birthDate": fmt.Sprintf("%d-03-14", year-70)}}, school))

	row := func(n, name string, y int) string {
		return fmt.Sprintf("%s;%s;%s;\r\n", n, name, born(y).Format("02.01.2006"))
	}
	sheet := "\uFEFFFødselsnummer;Fornavn;Fødselsdato;Foresatte\r\n" +
		row(identityNumber(born(year-72), 0), "Åse", year-72) + row(held, "Else", year-70) +
		row(identityNumber(born(year-68), 0), "Kåre", year-68)
	upload := func(file string, vars map[string]any, headers ...string) *gqlResponse {
		if vars == nil {
			vars = map[string]any{}
		}
		vars["p"] = programme
		body, ct := uploadOp(t, sheetMutation, vars, []byte(file))
		return s.do(t, http.MethodPost, "/graphql", ct, body, headers...)
	}

	dry := ok(t, upload(sheet, map[string]any{"dry": true}, nav, "Accept-Language: nb"))
	if got := outcomesOf(dry); got != "2:READY 3:BLOCKED 4:READY" || get(dry.Data, "issueCardsFromSheet.sheet") != nil {
		t.Fatalf("dry run: %s %+v", got, dry.Data)
	}
	r := ok(t, upload(sheet, nil, nav, "Accept-Language: nb"))
	if got := outcomesOf(r); got != "2:ISSUED 3:BLOCKED 4:ISSUED" {
		t.Fatalf("outcomes %s", got)
	}
	f := get(r.Data, "issueCardsFromSheet.rows.1.findings.0").(map[string]any)
	if f["code"] != "ALREADY_HAS_CARD" || f["agency"] != "Helsesykepleier Larvik" || f["field"] != "holderIdentityNumber" {
		t.Errorf("finding of row 3: %+v", f)
	}
	number := get(r.Data, "issueCardsFromSheet.rows.0.card.number").(string)
	page, _ := get(r.Data, "issueCardsFromSheet.sheet").(string)
	if get(r.Data, "issueCardsFromSheet.rows.0.card.holder.givenName") != "Åse" || get(r.Data, "issueCardsFromSheet.programme.cardsLeft") != 7.0 ||
		!strings.Contains(page, number) || !strings.Contains(page, "Kåre") || !strings.Contains(page, "Kortinnehaver") || strings.Contains(page, "Else") {
		t.Errorf("answer: %+v", r.Data)
	}
	if strings.Contains(fmt.Sprint(r.Data), held) {
		t.Error("the answer shows an identity number")
	}

	t.Run("RefusedRow", func(t *testing.T) {
		bad := identityNumber(born(year-75), 0)
		bad = bad[:10] + string('0'+(bad[10]-'0'+1)%10)
		r := ok(t, upload("fnr;fornavn;fødselsdato\n"+row(bad, "Per", year-75)+row(identityNumber(born(year-76), 0), "Pål", year-76),
			nil, nav, "Accept-Language: en"))
		if got := outcomesOf(r); got != "2:REFUSED 3:READY" {
			t.Fatalf("outcomes %s", got)
		}
		p := get(r.Data, "issueCardsFromSheet.rows.0.problem").(map[string]any)
		if p["field"] != "holderIdentityNumber" || p["reason"] != "CHECK_DIGIT" || !strings.Contains(p["message"].(string), "11 digits") {
			t.Errorf("problem: %+v", p)
		}
	})

	t.Run("Windows1252", func(t *testing.T) {
		r := upload("fnr;fornavn;fødselsdato\n"+row(identityNumber(born(year-80), 0), "K\xe5re", year-80), nil, nav,
			"Accept-Language: nb")
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "file" || r.Errors[0].Extensions["reason"] != "ENCODING" ||
			r.Errors[0].Extensions["row"] != 2.0 || !strings.Contains(r.Errors[0].Message, "Rad 2") || r.Data["issueCardsFromSheet"] != nil {
			t.Errorf("%+v %+v", r.Errors, r.Data)
		}
	})

	t.Run("NotACaseworker", func(t *testing.T) {
		if r := upload(sheet, map[string]any{"dry": true}, admin); r.code() != "FORBIDDEN" {
			t.Errorf("%+v", r.Errors)
		}
	})

	t.Run("HolderNames", func(t *testing.T) {
		n := identityNumber(born(year-66), 0)
		in := map[string]any{"programmeId": programme, "childIdentityNumber": n, "holderIdentityNumber": identityNumber(born(year-67), 0),
			"givenName": "Ola", "birthDate": fmt.Sprintf("%d-03-14", year-66)}
		const check = `mutation($in: CardRecipientInput!) { checkRecipient(input: $in) { findings { code } } }`
		if r := s.post(t, check, map[string]any{"in": in}, nav); r.code() != "BAD_USER_INPUT" ||
			r.Errors[0].Extensions["field"] != "input.childIdentityNumber" {
			t.Errorf("two numbers: %+v", r.Errors)
		}
		delete(in, "childIdentityNumber")
		in["holderIdentityNumber"] = n[:10] + string('0'+(n[10]-'0'+1)%10)
		if r := s.post(t, check, map[string]any{"in": in}, nav); r.code() != "BAD_USER_INPUT" ||
			r.Errors[0].Extensions["field"] != "input.holderIdentityNumber" {
			t.Errorf("a wrong check digit: %+v", r.Errors)
		}
		types := ok(t, s.post(t, `{ i: __type(name: "CardRecipientInput") { inputFields(includeDeprecated: true) { name isDeprecated } }
			r: __type(name: "PersonalDataReport") { fields(includeDeprecated: true) { name isDeprecated } } }`, nil))
		deprecated := map[string]bool{}
		for _, path := range []string{"i.inputFields", "r.fields"} {
			for _, f := range get(types.Data, path).([]any) {
				m := f.(map[string]any)
				deprecated[m["name"].(string)] = m["isDeprecated"].(bool)
			}
		}
		if !deprecated["childIdentityNumber"] || deprecated["holderIdentityNumber"] || !deprecated["childrenCards"] || deprecated["cardsAsGuardian"] {
			t.Errorf("deprecations: %v", deprecated)
		}
	})
}

// outcomesOf returns the rows of an issueCardsFromSheet answer as "row:OUTCOME".
func outcomesOf(r *gqlResponse) string {
	var out []string
	for _, row := range get(r.Data, "issueCardsFromSheet.rows").([]any) {
		m := row.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", m["row"], m["outcome"]))
	}
	return strings.Join(out, " ")
}
