package schemalint

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/test/internal/npmci"
)

// config is what the test reads of .graphql-schema-linterrc: the rules that run, and each
// rule turned off with the reason why.
type config struct {
	Rules    []string          `json:"rules"`
	RulesOff map[string]string `json:"rulesOff"`
}

// finding is one problem the linter reports.
type finding struct {
	Message  string `json:"message"`
	Rule     string `json:"rule"`
	Location struct {
		Line   int    `json:"line"`
		Column int    `json:"column"`
		File   string `json:"file"`
	} `json:"location"`
}

// TestSchemaLint fails on every finding of the rules that are on.
func TestSchemaLint(t *testing.T) {
	dir, root := dirs(t)
	node := npmci.InstallPackages(t, dir)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cli := filepath.Join(dir, "node_modules", "graphql-schema-linter", "lib", "cli.js")
	cmd := exec.CommandContext(ctx, node, cli, "--format", "json", "--config-directory", root)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run() // exit status 1 means findings, which the report lists
	var report struct {
		Errors []finding `json:"errors"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("graphql-schema-linter did not report (%v): %s\n%s", runErr, err, stderr.String())
	}
	for _, f := range report.Errors {
		file, _ := filepath.Rel(root, f.Location.File)
		t.Errorf("%s:%d:%d: %s (%s)", file, f.Location.Line, f.Location.Column, f.Message, f.Rule)
	}
	if runErr != nil && len(report.Errors) == 0 {
		t.Fatalf("graphql-schema-linter: %v\n%s", runErr, stderr.String())
	}
}

// TestEveryRuleIsDecided wants every rule of the installed linter either on or off with a
// reason, so that a rule a new version brings is decided, not silently left out.
func TestEveryRuleIsDecided(t *testing.T) {
	dir, root := dirs(t)
	npmci.InstallPackages(t, dir)
	b, err := os.ReadFile(filepath.Join(root, ".graphql-schema-linterrc"))
	if err != nil {
		t.Fatal(err)
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf(".graphql-schema-linterrc: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "node_modules", "graphql-schema-linter", "lib", "rules", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rules found: %v", err)
	}
	for _, f := range files {
		rule := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(f), ".js"), "_", "-")
		on, reason := slices.Contains(c.Rules, rule), strings.TrimSpace(c.RulesOff[rule])
		switch {
		case on && reason != "":
			t.Errorf("%s is on and also off", rule)
		case !on && reason == "":
			t.Errorf("%s is neither on nor off with a reason", rule)
		}
	}
}

// dirs returns this folder (with package-lock.json) and the repository's root.
func dirs(t *testing.T) (string, string) {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the test's folder")
	}
	dir := filepath.Dir(file)
	return dir, filepath.Dir(filepath.Dir(dir))
}
