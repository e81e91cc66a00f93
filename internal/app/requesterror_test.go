package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/config"
)

// TestRequestErrors sends requests that cannot run at all; each answer has the status the
// GraphQL-over-HTTP spec asks for, our code, no data, and a message of our own in the
// request's language.
func TestRequestErrors(t *testing.T) {
	s := newServer(t)
	getQuery := func(q string) string { return "/graphql?query=" + url.QueryEscape(q) }
	tests := []struct {
		name, method, path, contentType, body string
		headers                               []string
		wantStatus                            int
		wantCode, wantMessage                 string
	}{
		{"ErrMutationOverGET", "GET", getQuery(`mutation { logout { sessionEnded } }`), "", "", nil,
			405, "BAD_REQUEST", "Only queries can be sent with GET; send mutations with POST."},
		{"ErrMutationOverGETAcceptJSON", "GET", getQuery(`mutation {
			logout { sessionEnded } }`), "", "", []string{"Accept: application/json"},
			405, "BAD_REQUEST", "Only queries can be sent with GET; send mutations with POST."},
		{"ErrMutationOverGETAcceptGraphQLResponse", "GET", getQuery(`mutation {
			logout { sessionEnded } }`), "", "", []string{"Accept: application/graphql-response+json"},
			405, "BAD_REQUEST", "Only queries can be sent with GET; send mutations with POST."},
		{"ErrNoQuery", "POST", "/graphql", "application/json", `{"qeury": "{ __typename }"}`, nil,
			400, "BAD_REQUEST", "The request has no query to run: send one in the query parameter."},
		{"ErrEmptyQuery", "POST", "/graphql", "application/json", `{"query": ""}`, []string{"Accept: application/json"},
			400, "BAD_REQUEST", "The request has no query to run: send one in the query parameter."},
		{"ErrNullBody", "POST", "/graphql", "application/json", `null`, nil,
			400, "BAD_REQUEST", "The request has no query to run: send one in the query parameter."},
		{"ErrGETWithoutQuery", "GET", "/graphql", "", "", nil,
			400, "BAD_REQUEST", "The request has no query to run: send one in the query parameter."},
		{"ErrEmptyBody", "POST", "/graphql", "application/json", ``, nil,
			400, "BAD_REQUEST", `The request body must be a JSON object, such as {"query": "{ municipality { name } }"}.`},
		{"ErrBodyNotObject", "POST", "/graphql", "application/json", `["{ __typename }"]`, nil,
			400, "BAD_REQUEST", `The request body must be a JSON object, such as {"query": "{ municipality { name } }"}.`},
		{"ErrQueryNotString", "POST", "/graphql", "application/json", `{"query": {"obj": "ect"}}`, nil,
			400, "BAD_REQUEST", "The parameter query must be a string."},
		{"ErrOperationNameNotString", "POST", "/graphql", "application/json", `{"query": "{ __typename }", "operationName": 1}`, nil,
			400, "BAD_REQUEST", "The parameter operationName must be a string."},
		{"ErrVariablesNotObject", "POST", "/graphql", "application/json", `{"query": "{ __typename }", "variables": "x"}`, nil,
			400, "BAD_REQUEST", "The parameter variables must be a JSON object."},
		{"ErrGETVariablesNotJSON", "GET", getQuery(`{ __typename }`) + "&variables=%7Bx", "", "", nil,
			400, "BAD_REQUEST", "The parameter variables must be a JSON object."},
		{"ErrGETExtensionsNotJSON", "GET", getQuery(`{ __typename }`) + "&extensions=%7Bx", "", "", nil,
			400, "BAD_REQUEST", "The parameter extensions must be a JSON object."},
		{"ErrGETQueryStringBroken", "GET", "/graphql?query=%zz", "", "", nil,
			400, "BAD_REQUEST", "The request could not be read."},
		{"ErrPersistedQueryVersion", "POST", "/graphql", "application/json", `{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "00"}}}`, nil,
			400, "BAD_REQUEST", "The persisted query is not valid: use version 1 and the SHA-256 hash of the query."},
		{"ErrUnknownOperationName", "POST", "/graphql", "application/json", `{"query": "query A { __typename }", "operationName": "B"}`, nil,
			200, "GRAPHQL_VALIDATION_FAILED", "Name the operation to run in operationName; the query has no operation by that name."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, tt.method, tt.path, tt.contentType, []byte(tt.body), append(tt.headers, "Accept-Language: en")...)
			if r.Status != tt.wantStatus || r.code() != tt.wantCode || len(r.Errors) != 1 || r.Errors[0].Message != tt.wantMessage {
				t.Fatalf("status %d, errors %+v; want %d %s %q", r.Status, r.Errors, tt.wantStatus, tt.wantCode, tt.wantMessage)
			}
			if r.Data != nil {
				t.Errorf("a request error has data: %v", r.Data)
			}
			if r.Status == http.StatusMethodNotAllowed && r.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", r.Header.Get("Allow"))
			}
		})
	}
}

// TestRequestErrorMessagesOneLanguage checks that a request error's message is all in the
// request's language, with gqlparser's English explanation kept apart in extensions.detail.
func TestRequestErrorMessagesOneLanguage(t *testing.T) {
	s := newServer(t)
	for _, tt := range []struct {
		name, body       string
		wantCode         string
		want             map[string]string
		wantDetail       bool
		wantStatusAsJSON int
	}{
		{"Parse", `{"query": "{ municipality { name "}`, "GRAPHQL_PARSE_FAILED", map[string]string{
			"nb": "Spørringen kunne ikke tolkes.", "nn": "Spørjinga kunne ikkje tolkast.", "en": "The query could not be parsed.",
		}, true, 200},
		{"Validation", `{"query": "{ mayor }"}`, "GRAPHQL_VALIDATION_FAILED", map[string]string{
			"nb": "Spørringen er ikke gyldig.", "nn": "Spørjinga er ikkje gyldig.", "en": "The query is not valid.",
		}, true, 200},
		{"NoQuery", `{}`, "BAD_REQUEST", map[string]string{
			"nb": "Forespørselen har ingen spørring å kjøre: send den i parameteren query.",
			"nn": "Førespurnaden har inga spørjing å køyre: send ho i parameteren query.",
			"en": "The request has no query to run: send one in the query parameter.",
		}, false, 400},
		{"QueryNotString", `{"query": 1}`, "BAD_REQUEST", map[string]string{
			"nb": "Parameteren query må være en tekststreng.",
			"nn": "Parameteren query må vere ein tekststreng.",
			"en": "The parameter query must be a string.",
		}, false, 400},
	} {
		for lang, want := range tt.want {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				r := s.do(t, http.MethodPost, "/graphql", "application/json", []byte(tt.body), "Accept-Language: "+lang)
				if r.Status != tt.wantStatusAsJSON || r.code() != tt.wantCode || r.Errors[0].Message != want {
					t.Fatalf("status %d, errors %+v; want %d %s %q", r.Status, r.Errors, tt.wantStatusAsJSON, tt.wantCode, want)
				}
				detail, _ := r.Errors[0].Extensions["detail"].(string)
				if tt.wantDetail == (detail == "") {
					t.Errorf("extensions.detail = %q, want one: %v", detail, tt.wantDetail)
				}
				for _, internal := range []string{"Go ", "RawParams", "graphql.", "json:"} {
					if strings.Contains(r.Errors[0].Message+detail, internal) {
						t.Errorf("the error shows Go internals (%q): %+v", internal, r.Errors[0])
					}
				}
			})
		}
	}
}

// TestMultipartRequestErrors checks that a broken upload is a BAD_REQUEST with our
// message, not gqlgen's English one without a code.
func TestMultipartRequestErrors(t *testing.T) {
	s := newServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("map", `{}`)
	mw.Close()
	r := s.do(t, http.MethodPost, "/graphql", mw.FormDataContentType(), body.Bytes(), "Accept-Language: nb")
	want := "Opplastingen er ikke en gyldig GraphQL multipart-forespørsel: send delene operations og map, så filene."
	if r.Status != http.StatusBadRequest || r.code() != "BAD_REQUEST" || r.Errors[0].Message != want || r.Data != nil {
		t.Errorf("status %d, errors %+v, data %v", r.Status, r.Errors, r.Data)
	}
}

// TestIntrospectionOffIsNotInternal checks that asking a server without introspection for
// its schema is the client's error, not ours.
func TestIntrospectionOffIsNotInternal(t *testing.T) {
	s := newServer(t, func(c *config.Config) { c.Introspection = false })
	r := s.post(t, `{ __schema { queryType { name } } }`, nil, "Accept-Language: en")
	if r.code() != "GRAPHQL_VALIDATION_FAILED" || r.Errors[0].Message != "Introspection is turned off on this server." {
		t.Errorf("errors %+v", r.Errors)
	}
}

// TestPayloadTooLargeIsLocalised checks the server's own 413 speaks the request's language.
func TestPayloadTooLargeIsLocalised(t *testing.T) {
	s := newServer(t)
	huge := []byte(`{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`)
	for lang, want := range map[string]string{
		"nb": "Forespørselen er for stor.", "nn": "Førespurnaden er for stor.", "en": "The request body is too large.",
	} {
		r := s.do(t, http.MethodPost, "/graphql", "application/json", huge, "Accept-Language: "+lang)
		if r.Status != http.StatusRequestEntityTooLarge || r.code() != "PAYLOAD_TOO_LARGE" || r.Errors[0].Message != want {
			t.Errorf("%s: status %d, errors %+v, want 413 %q", lang, r.Status, r.Errors, want)
		}
	}
}
