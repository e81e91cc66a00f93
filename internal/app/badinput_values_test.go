package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// goInternals matches what a message must never show: Go types, packages, fmt's
// complaints, parser jargon.
var goInternals = regexp.MustCompile(`map\[|\[\]|\b(string|int|int32|int64|float64|bool|struct|interface|slice)\b|` +
	`strconv|reflect|time\.Time|%!|\b[a-z]+\.[A-Z]\w+|parsing|unmarshal|panic`)

// badValue is a request with one bad argument value and where its error must point.
type badValue struct {
	name, query string
	vars        map[string]any
	field       string
	// message is the English message, when the case pins it.
	message string
	// request is true when the value is refused before execution: no "data" at all.
	request bool
}

const nul = "a\x00b"

// badValues are NUL characters in each place one reached SQL, and values the custom
// scalars cannot read, as literals and as variables.
func badValues(org, activity string) []badValue {
	update := `mutation($id: ID!, $in: UpdateOrganisationInput!) {
		updateOrganisation(id: $id, input: $in) { organisation { id } } }`
	issue := `mutation($in: CardRecipientInput!) { issueCard(input: $in) { card { id } } }`
	recipient := func(k string, v any) map[string]any {
		in := map[string]any{"programmeId": "Q2FyZFByb2dyYW1tZTow", "childIdentityNumber": "01020312345",
			"givenName": "Kari", "birthDate": "2015-02-01"}
		in[k] = v
		return map[string]any{"in": in}
	}
	textNotStorable := "The text contains a character that cannot be stored: a NUL character (U+0000) or bytes that are not UTF-8."
	dateInvalid := "A date is written YYYY-MM-DD, for example 2026-05-17."
	return []badValue{
		{"NULInOrganisationSlug", `query($s: String!) {
			organisation(slug: $s) { id } }`, map[string]any{"s": nul}, "slug", textNotStorable, true},
		{"NULInLiteralSlug", `{ organisation(slug: "a\u0000b") { id } }`, nil, "slug", textNotStorable, true},
		{"NULInActivitySlug", `query($s: String!) {
			activity(slug: $s) { id } }`, map[string]any{"s": nul}, "slug", "", true},
		{"NULInAuditAction", `query($a: String) {
			auditLog(filter: {action: $a}) { edges { cursor } } }`, map[string]any{"a": nul}, "filter.action", "", true},
		{"NULInContactPerson", update, map[string]any{"id": org, "in": map[string]any{"contactPerson": nul}}, "input.contactPerson", "", true},
		{"NULInActivitySummary", `mutation($id: ID!, $s: String) {
			updateActivity(id: $id, input: {summary: $s}) { activity { id } } }`,
			map[string]any{"id": activity, "s": nul}, "input.summary", "", true},
		{"NULInRegisteredName", registerMutation, map[string]any{"in": map[string]any{"name": nul, "kind": "VOLUNTARY"}}, "input.name", "", true},
		{"NULInLoginEmail", loginMutation, map[string]any{"e": nul + "@example.no", "p": "x"}, "email", "", true},
		{"NULInCardNumber", `mutation($n: String!) {
			openCard(access: {number: $n, pin: "123456"}) { card { id } } }`, map[string]any{"n": nul}, "access.number", "", true},
		{"NULInGivenName", issue, recipient("givenName", nul), "input.givenName", "", true},
		{"NULInListElement", issue, recipient("guardianIdentityNumbers", []any{"01020312345", nul}), "input.guardianIdentityNumbers[1]", "", true},
		{"NULInSearch", `query($q: String!) {
			search(query: $q) { totalCount } }`, map[string]any{"q": nul}, "query", "", true},
		{"NULInJSONValue", `mutation($s: JSON) { updateMunicipality(input: {settings: $s}) { municipality { name } } }`,
			map[string]any{"s": map[string]any{"colour": nul}}, "input.settings.colour", "", true},
		{"NULInJSONKey", `mutation($s: JSON) { updateMunicipality(input: {settings: $s}) { municipality { name } } }`,
			map[string]any{"s": map[string]any{nul: 1}}, "input.settings." + nul, "", true},
		{"NULInFragment", `query {
			...F } fragment F on Query { organisation(slug: "\u0000") { id } }`, nil, "slug", "", true},
		{"HugeNumberForDate", `{
			cardStatistics(programmeId: "x", from: 99999999999999999999) { cardsIssued { value } } }`, nil, "from",
			"The number is out of range.", true},

		{"DateDay32", issue, recipient("birthDate", "2026-12-32"), "input.birthDate", dateInvalid, false},
		{"DateEmpty", issue, recipient("birthDate", ""), "input.birthDate", dateInvalid, false},
		{"DateNumber", issue, recipient("birthDate", 442), "input.birthDate", dateInvalid, false},
		{"DateObject", issue, recipient("birthDate", map[string]any{"y": 2026}), "input.birthDate", dateInvalid, false},
		{"DateLiteralNumber", `{
			cardStatistics(programmeId: "x", from: 442) { cardsIssued { value } } }`, nil, "from", dateInvalid, false},
		{"DateWithTime", `query($d: Date) { cardSettlement(programmeId: "x", to: $d) { nodes { ore } } }`,
			map[string]any{"d": "2026-05-17T10:00:00Z"}, "to", dateInvalid, false},
		{"TimeNotRFC3339", `query($t: Time) {
			auditLog(filter: {since: $t}) { edges { cursor } } }`, map[string]any{"t": "yesterday"},
			"filter.since", "The value is not of the kind this field takes.", false},
		{"UploadNotAFile", `mutation($f: Upload!) {
			uploadImage(file: $f) { image { id } } }`, map[string]any{"f": "file.png"}, "file", "", false},

		{"VariableWrongType", `query($id: ID!) {
			node(id: $id) { id } }`, map[string]any{"id": map[string]any{"x": 1}}, "id",
			"The value is not of the kind this field takes.", true},
		{"VariableMissing", `query($id: ID!) { node(id: $id) { id } }`, nil, "id", "A value is required.", true},
		{"VariableUnknownField", registerMutation, map[string]any{"in": map[string]any{"name": "Sjakk", "kind": "VOLUNTARY", "colour": "red"}},
			"input.colour", "There is no field by this name.", true},
		{"VariableBadEnum", registerMutation, map[string]any{"in": map[string]any{"name": "Sjakk", "kind": "PIRATE"}}, "input.kind",
			"That is not one of the allowed values.", true},
		{"VariableInsideLiteral", `query($a: Int) { activities(filter: {age: $a}) { totalCount } }`,
			map[string]any{"a": "old"}, "filter.age", "", true},
	}
}

// TestBadValuesAreTheClientsError: each bad value is BAD_USER_INPUT naming the argument
// path, HTTP 200 as any BAD_USER_INPUT with application/json, with a message in English
// that shows no Go internals; a value refused before execution has no "data".
func TestBadValuesAreTheClientsError(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	admin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	ids := ok(t, s.larvik(t, `{ organisations(first: 1) { nodes { id } } activities(first: 1) { nodes { id } } }`, nil))
	org, activity := get(ids.Data, "organisations.nodes.0.id"), get(ids.Data, "activities.nodes.0.id")
	for _, tt := range badValues(org.(string), activity.(string)) {
		t.Run(tt.name, func(t *testing.T) {
			r := s.larvik(t, tt.query, tt.vars, admin, "Accept-Language: en", "Accept: application/json")
			assertBadValue(t, r, tt)
		})
	}
	s.healthy(t)
}

// assertBadValue checks r is tt's BAD_USER_INPUT.
func assertBadValue(t *testing.T, r *gqlResponse, tt badValue) {
	t.Helper()
	if r.Status != http.StatusOK || r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
		t.Fatalf("status %d %+v, want BAD_USER_INPUT on %q", r.Status, r.Errors, tt.field)
	}
	msg := r.Errors[0].Message
	if msg == "" || msg == "BAD_USER_INPUT" || goInternals.MatchString(msg) || (tt.message != "" && msg != tt.message) {
		t.Errorf("message %q, want %q without Go internals", msg, tt.message)
	}
	if tt.request && r.Data != nil {
		t.Errorf("a request error with data: %+v", r.Data)
	}
}

// TestBadValuesInEveryTransport sends NUL and invalid UTF-8 through GET, multipart and
// application/graphql-response+json, and checks the messages are localised.
func TestBadValuesInEveryTransport(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	t.Run("InvalidUTF8InGET", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/graphql?query="+url.QueryEscape(`{
			organisation(slug: "`)+"%FF"+url.QueryEscape(`") { id } }`), "", nil)
		assertBadValue(t, r, badValue{field: "slug", request: true})
		if r.Errors[0].Extensions["reason"] != "UTF8" {
			t.Errorf("reason %v", r.Errors[0].Extensions["reason"])
		}
	})
	t.Run("NULInGETVariables", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/graphql?query="+url.QueryEscape(`query($s: String!) {
			organisation(slug: $s) { id } }`)+
			"&variables="+url.QueryEscape(`{"s":"\u0000"}`), "", nil)
		assertBadValue(t, r, badValue{field: "slug", request: true})
	})
	t.Run("NULInMultipartVariables", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("operations", `{"query":"mutation($f: Upload!, $a: String) { uploadImage(file: $f, alt: $a) { image { id } } }","variables":{"f":null,"a":"x\u0000"}}`)
		mw.WriteField("map", `{"0":["variables.f"]}`)
		fw, _ := mw.CreateFormFile("0", "bilde.png")
		fw.Write([]byte("not an image"))
		mw.Close()
		r := s.do(t, http.MethodPost, "/graphql", mw.FormDataContentType(), buf.Bytes())
		assertBadValue(t, r, badValue{field: "alt", request: true})
	})
	t.Run("GraphQLResponseJSONIs400", func(t *testing.T) {
		r := s.do(t, http.MethodPost, "/graphql", "application/json", mustJSON(map[string]any{
			"query": `query($s: String!) { organisation(slug: $s) { id } }`, "variables": map[string]any{"s": nul}}),
			"Accept: application/graphql-response+json")
		if r.Status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || r.Data != nil {
			t.Errorf("status %d %+v %+v", r.Status, r.Errors, r.Data)
		}
	})
	for lang, want := range map[string]string{
		"nb": "En dato skrives ÅÅÅÅ-MM-DD, for eksempel 2026-05-17.",
		"nn": "Ein dato skriv du ÅÅÅÅ-MM-DD, til dømes 2026-05-17.",
		"en": "A date is written YYYY-MM-DD, for example 2026-05-17.",
	} {
		r := s.post(t, `{
			cardSettlement(programmeId: "x", from: "i går") { nodes { ore } } }`, nil, "Accept-Language: "+lang)
		if len(r.Errors) == 0 || r.Errors[0].Message != want {
			t.Errorf("%s: %+v, want %q", lang, r.Errors, want)
		}
	}
}
