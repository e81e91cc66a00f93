package graphqlhttpaudit

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestHeaderArgs(t *testing.T) {
	got := headerArgs(map[string]string{"X-Municipality": "demo", "Accept-Language": "nb=NO"})
	want := []string{"Accept-Language=nb=NO", "X-Municipality=demo"}
	if !slices.Equal(got, want) {
		t.Fatalf("headerArgs = %q, want %q", got, want)
	}
}

func TestAuditDirHasScript(t *testing.T) {
	dir, err := auditDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, scriptName)); err != nil {
		t.Fatalf("%s has no %s", filepath.Base(dir), scriptName)
	}
}

func TestParse(t *testing.T) {
	out := `PASS 4655 MUST accept application/json and match the content-type
PASS 22EB SHOULD accept application/graphql-response+json and match the content-type
FAIL 3E3A MAY use 400 status code if parameters are invalid -- Response status code is not 400
PASS 9C48 MAY NOT allow executing mutations on GET requests
3 passed, 1 failed
`
	res := parse(out)
	want := map[string]Tally{"MUST": {1, 1}, "SHOULD": {1, 1}, "MAY": {1, 2}}
	if !maps.Equal(res.Levels, want) {
		t.Errorf("levels %v, want %v", res.Levels, want)
	}
	if len(res.Failed) != 1 || !strings.HasPrefix(res.Failed[0], "FAIL 3E3A MAY") {
		t.Errorf("failed %q", res.Failed)
	}
	if got := res.String(); got != "MUST 1/1, SHOULD 1/1, MAY 1/2" {
		t.Errorf("String() = %q", got)
	}
}
