package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestVersionStampedAtLinkTime builds the binary the way a release build does, with the
// version set through -ldflags -X on buildinfo.Version, and runs `fritid --version`; the
// process's exit status 0 is checked too, as `fritid --version` in a shell sees it.
func TestVersionStampedAtLinkTime(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fritid")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	ldflags := "-X github.com/fritid/fritid/internal/platform/buildinfo.Version=v1.2.3-test"
	build := exec.CommandContext(ctx, "go", "build", "-ldflags", ldflags, "-o", path, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := regexp.MustCompile(
		`^fritid v1\.2\.3-test \((commit [0-9a-f]{7}(\+changes)?, \d{4}-\d\d-\d\d, )?go1\.[0-9.]+\S*\)\n$`)
	for _, arg := range []string{"--version", "version"} {
		out, err := exec.CommandContext(ctx, path, arg).Output()
		if err != nil {
			t.Fatalf("fritid %s: %v", arg, err)
		}
		if !want.Match(out) {
			t.Errorf("fritid %s printed %q, want a match for %s", arg, out, want)
		}
	}
}
