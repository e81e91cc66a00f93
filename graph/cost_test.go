package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/fritid/fritid/internal/platform/i18n"
)

// costOf returns the cost of the one operation in query, validated against the schema.
func costOf(t *testing.T, query string, vars map[string]any) int64 {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(NewExecutableSchema(Config{}).Schema(), query)
	if errs != nil {
		t.Fatalf("query does not validate: %v", errs)
	}
	return operationCost(doc, doc.Operations[0], vars)
}

func TestOperationCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int64
	}{
		{"Scalars", `{ municipality { name slug } }`, nil, 3},
		{"TypenameIsFree", `{ municipality { __typename name } }`, nil, 2},
		// organisations and edges count 1 each; node, id and name once for each of 5 edges.
		{"ConnectionFirst", `{ organisations(first: 5) { edges { node { id name } } } }`, nil, 2 + 5*3},
		{"ConnectionFirstFromVariable", `query($n: Int) {
			organisations(first: $n) { nodes { id } } }`, map[string]any{"n": json.Number("7")}, 2 + 7},
		// Without first the largest page is assumed.
		{"ConnectionDefault", `{ organisations { nodes { id } } }`, nil, 2 + 100},
		// totalCount and pageInfo count once, not once per item.
		{"ConnectionTotals", `{ organisations(first: 50) { totalCount pageInfo { hasNextPage } } }`, nil, 1 + 1 + 2},
		// Nested lists multiply: 2 + 10 x (id + activities + nodes + 10 x id).
		{"Nested", `{
			organisations(first: 10) { nodes { id activities(first: 10) { nodes { id } } } } }`, nil, 2 + 10*(3+10)},
		// An unpaged list of objects is assumed to hold AssumedListSize items.
		{"UnpagedList", `{ categories { id name } }`, nil, 1 + AssumedListSize*2},
		{"NodesByIDs", `{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 1 + 3*1},
		// A fragment costs what its fields cost, wherever it is spread.
		{"Fragment", `{
			organisations(first: 2) { nodes { ...O } } } fragment O on Organisation { id name }`, nil, 2 + 2*2},
		{"IntrospectionIsOne", `{ __schema { types { name fields { name args { name } } } } }`, nil, 1},
		// A page above the largest is costed as the largest: the resolver refuses it with
		// BAD_USER_INPUT, which says more than QUERY_TOO_COMPLEX would.
		{"PageAboveLargest", `{ organisations(first: 5000) { nodes { id } } }`, nil, 2 + 100},
		// Every list that can grow is costed by its page, forward or backward.
		{"CardOffersLast", `{ cardOffers(last: 4) { nodes { id title } } }`, nil, 2 + 4*2},
		{"AuditLogFirst", `{ auditLog(first: 3) { edges { node { id } } totalCount } }`, nil, 3 + 3*2},
		{"UsersDefault", `{ users { nodes { roles } } }`, nil, 2 + 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := costOf(t, tt.query, tt.vars); got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMutationFieldsCostMore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  int64
	}{
		// The root field's 10 covers the payload object; its fields count as usual.
		{"OneScalar", `mutation { logout { sessionEnded } }`, mutationFieldCost + 1},
		// The objects a payload carries are single objects, not lists: each counts once.
		{"PayloadObjects", `mutation { claimTicket(cardId: "c", offerId: "o") {
			ticket { id } offer { id } card { id } } }`, mutationFieldCost + 3*2},
		// A list in a payload counts like any unpaged list.
		{"PayloadList", `mutation { checkRecipient(input: {programmeId: "p", childIdentityNumber: "n",
			givenName: "g", birthDate: "2015-01-01"}) { findings { code } } }`, mutationFieldCost + 1 + AssumedListSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := costOf(t, tt.query, nil); got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
		})
	}
}

// fragmentBomb returns a document of depth levels of width fragments, each spreading every
// fragment of the next level: tiny to send, width^depth fields when expanded.
func fragmentBomb(width, depth int) string {
	var b strings.Builder
	b.WriteString("query Bomb { ")
	for i := 0; i < width; i++ {
		fmt.Fprintf(&b, "...F0_%d ", i)
	}
	b.WriteString("}\n")
	for l := 0; l < depth; l++ {
		for i := 0; i < width; i++ {
			fmt.Fprintf(&b, "fragment F%d_%d on Query { ", l, i)
			if l == depth-1 {
				b.WriteString("municipality { name } ")
			} else {
				for j := 0; j < width; j++ {
					fmt.Fprintf(&b, "...F%d_%d ", l+1, j)
				}
			}
			b.WriteString("}\n")
		}
	}
	return b.String()
}

func TestFragmentBombIsCostedLinearly(t *testing.T) {
	t.Parallel()
	// 10 wide, 10 deep: 10^10 expansions of `municipality { name }`, each costing 2.
	got := costOf(t, fragmentBomb(10, 10), nil)
	if want := int64(20_000_000_000); got != want {
		t.Fatalf("cost = %d, want %d", got, want)
	}
}

// limitsHandler is the GraphQL endpoint with the given limits and no services: every
// request in these tests is refused before anything runs.
func limitsHandler(t *testing.T, l Limits) http.Handler {
	t.Helper()
	bundle, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	return NewHandler(&Resolver{Bundle: bundle}, Options{
		MaxDepth: 15, Limits: l, QueryCacheSize: 10, APQCacheSize: 10, Bundle: bundle,
		RequestID: func(context.Context) string { return "" },
	})
}

// defaultLimits are the settings' defaults.
var defaultLimits = Limits{MaxQueryBytes: 100_000, MaxTokens: 10_000, MaxAliases: 200, MaxDirectives: 10, MaxCost: 50_000}

type gqlAnswer struct {
	status int
	header http.Header
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions map[string]any `json:"extensions"`
}

// post sends body as a JSON GraphQL request and decodes the answer.
func post(t testing.TB, h http.Handler, body []byte) gqlAnswer {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := gqlAnswer{status: rec.Code, header: rec.Header()}
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer is not JSON (%d): %.200s", rec.Code, rec.Body.String())
	}
	return a
}

func request(query string, vars any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// hostileDocuments are documents that once held a core for seconds or minutes.
func hostileDocuments() []struct {
	name, query, code string
} {
	var aliases, tokens, directives, manyAliases strings.Builder
	for i := 0; i < 10_000; i++ {
		fmt.Fprintf(&aliases, "a%d: __typename ", i)
	}
	for i := 0; i < 4_000; i++ {
		fmt.Fprintf(&tokens, "a%d:__typename ", i)
	}
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&manyAliases, "a%d: __typename ", i)
	}
	for i := 0; i < 5_000; i++ {
		directives.WriteString("@include(if: true) ")
	}
	return []struct{ name, query, code string }{
		{"FragmentBomb", fragmentBomb(10, 10), "QUERY_TOO_COMPLEX"},
		{"TenThousandAliases", "{ " + aliases.String() + "}", "PAYLOAD_TOO_LARGE"},
		{"TwelveThousandTokens", "{ " + tokens.String() + "}", "GRAPHQL_PARSE_FAILED"},
		{"ThreeHundredAliases", "{ " + manyAliases.String() + "}", "QUERY_TOO_COMPLEX"},
		{"FiveThousandDirectives", "{ municipality " + directives.String() + "{ name } }", "GRAPHQL_PARSE_FAILED"},
		{"TwentyDirectives", "{ municipality " + strings.Repeat("@include(if: true) ", 20) + "{ name } }", "QUERY_TOO_COMPLEX"},
		{"FourDeepPages", `{ organisations(first: 100) { nodes { activities(first: 100) { nodes { organisation {
			activities(first: 100) { nodes { id title } } } } } } } }`, "QUERY_TOO_COMPLEX"},
		{"LongComment", "#" + strings.Repeat("x", 200_000) + "\n{ municipality { name } }", "PAYLOAD_TOO_LARGE"},
	}
}

func TestHostileDocumentsAreRefused(t *testing.T) {
	t.Parallel()
	h := limitsHandler(t, defaultLimits)
	for _, d := range hostileDocuments() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			a := post(t, h, request(d.query, nil))
			if len(a.Errors) != 1 {
				t.Fatalf("got %d errors, want exactly one: %+v", len(a.Errors), a.Errors)
			}
			if code := a.Errors[0].Extensions["code"]; code != d.code {
				t.Fatalf("code = %v, want %s (%s)", code, d.code, a.Errors[0].Message)
			}
			if a.status < 400 || a.status >= 500 {
				t.Errorf("status = %d, want a 4xx", a.status)
			}
		})
	}
}

func TestTooComplexStatesCostAndLimit(t *testing.T) {
	t.Parallel()
	h := limitsHandler(t, Limits{MaxCost: 100})
	a := post(t, h, request(`{ organisations(first: 50) { nodes { id name } } }`, nil))
	if len(a.Errors) != 1 {
		t.Fatalf("errors = %+v", a.Errors)
	}
	// organisations and nodes 1 each, id and name 50 times each: 102.
	if msg := a.Errors[0].Message; !strings.Contains(msg, "102") || !strings.Contains(msg, "100") {
		t.Errorf("message %q does not state the cost 102 and the limit 100", msg)
	}
}

// BenchmarkHostileDocuments measures the server time to refuse each hostile document
// (go test -run '^$' -bench HostileDocuments ./graph/); each must be well under 50 ms.
func BenchmarkHostileDocuments(b *testing.B) {
	bundle, err := i18n.NewBundle()
	if err != nil {
		b.Fatal(err)
	}
	h := NewHandler(&Resolver{Bundle: bundle}, Options{MaxDepth: 15, Limits: defaultLimits,
		QueryCacheSize: 10, APQCacheSize: 10, Bundle: bundle, RequestID: func(context.Context) string { return "" }})
	for _, d := range hostileDocuments() {
		body := request(d.query, nil)
		b.Run(d.name, func(b *testing.B) {
			for b.Loop() {
				post(b, h, body)
			}
		})
	}
}
