package clients

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fritid/fritid/test/internal/npmci"
)

func TestHeaderArgs(t *testing.T) {
	got := headerArgs(map[string]string{"X-Municipality": "larvik", "Authorization": "Bearer a=b"})
	want := []string{"Authorization=Bearer a=b", "X-Municipality=larvik"}
	if !slices.Equal(got, want) {
		t.Fatalf("headerArgs = %q, want %q", got, want)
	}
}

func TestDirHasScript(t *testing.T) {
	dir, err := npmci.Dir(dirRelPath, scriptName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		t.Fatalf("no lock file beside %s: %v", scriptName, err)
	}
}

func TestParseReadsLastLine(t *testing.T) {
	out := "a warning\n" + `{"apollo":{"forward":{"pages":5,"ids":["a","b"],"pageInfo":{"hasNextPage":false}},` +
		`"mutation":{"answered":"x","after":{"bySlug":"x","byNode":"x","inList":"x"},"requests":1}},"urql":{}}` + "\n"
	r := parse(t, out)
	if r.Apollo.Forward.Pages != 5 || !slices.Equal(r.Apollo.Forward.IDs, []string{"a", "b"}) ||
		r.Apollo.Mutation.After.ByNode != "x" || r.Apollo.Mutation.Requests != 1 {
		t.Fatalf("parse = %+v", r.Apollo)
	}
}
