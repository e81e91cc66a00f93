package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/config"
)

func TestMain(m *testing.M) {
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

// envOf returns a getenv that knows only vars. FRITID_DATA_DIR defaults to a fresh temporary
// directory, so no test ever writes into the package directory.
func envOf(t *testing.T, vars map[string]string) func(string) string {
	t.Helper()
	env := map[string]string{"FRITID_DATA_DIR": t.TempDir()}
	for k, v := range vars {
		env[k] = v
	}
	return func(key string) string { return env[key] }
}

// runCLI runs the command in-process with a time limit and returns its outputs.
func runCLI(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err = run(ctx, args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelp(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantUsage string   // the first line of the help text
		wantFlags []string // the command's own flags
	}{
		{name: "fritid --help", args: []string{"--help"}, wantUsage: "Usage: fritid <command> [flags]"},
		{name: "fritid -h", args: []string{"-h"}, wantUsage: "Usage: fritid <command> [flags]"},
		{name: "fritid help", args: []string{"help"}, wantUsage: "Usage: fritid <command> [flags]"},
		{name: "fritid serve --help", args: []string{"serve", "--help"}, wantUsage: "Usage: fritid serve [flags]"},
		{name: "fritid migrate status --help", args: []string{"migrate", "status", "--help"}, wantUsage: "Usage: fritid migrate status [flags]"},
		{
			name:      "fritid admin create-municipality --help",
			args:      []string{"admin", "create-municipality", "--help"},
			wantUsage: "Usage: fritid admin create-municipality [flags]",
			wantFlags: []string{"--slug", "--name", "--domain", "--time-zone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			stdout, stderr, err := runCLI(t, envOf(t, map[string]string{"FRITID_DATA_DIR": dataDir}), tt.args...)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("run(%q) error = %v, want flag.ErrHelp", tt.args, err)
			}
			// Where the text goes differs between the top level (stdout) and the
			// commands (stderr); a person reads both on the terminal.
			help := stdout + stderr
			if !strings.Contains(help, tt.wantUsage) {
				t.Errorf("help does not contain %q:\n%s", tt.wantUsage, help)
			}
			for _, s := range config.Settings {
				def := s.Default
				if def == "" {
					def = `""`
				}
				line := regexp.MustCompile(`(?m)^\s+--` + regexp.QuoteMeta(s.Flag) + `\s+` + regexp.QuoteMeta(s.Env) +
					`\s+default ` + regexp.QuoteMeta(def) + `$`)
				if !line.MatchString(help) {
					t.Errorf("help has no line for --%s, %s with default %s:\n%s", s.Flag, s.Env, def, help)
				}
			}
			for _, f := range tt.wantFlags {
				if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(f) + `\s`).MatchString(help) {
					t.Errorf("help does not list the command's flag %s:\n%s", f, help)
				}
			}
			if entries, _ := os.ReadDir(dataDir); len(entries) > 0 {
				t.Errorf("--help wrote to the data directory: %v", entries)
			}
		})
	}
}

// TestEveryCommandHelps asks every command and subcommand for help in each spelling: the
// usage goes to standard output, nothing to standard error, and the command succeeds
// (flag.ErrHelp is what main turns into exit status 0).
func TestEveryCommandHelps(t *testing.T) {
	commands := []struct {
		args      []string
		wantUsage string
	}{
		{[]string{}, "Usage: fritid <command> [flags]"},
		{[]string{"serve"}, "Usage: fritid serve [flags]"},
		{[]string{"admin"}, "Usage: fritid admin create-municipality"},
		{[]string{"admin", "create-municipality"}, "Usage: fritid admin create-municipality [flags]"},
		{[]string{"admin", "create-user"}, "Usage: fritid admin create-user [flags]"},
		{[]string{"seed"}, "Usage: fritid seed demo"},
		{[]string{"seed", "demo"}, "Usage: fritid seed demo [flags]"},
		{[]string{"seed", "synthetic"}, "Usage: fritid seed synthetic [flags]"},
		{[]string{"migrate"}, "Usage: fritid migrate up"},
		{[]string{"push"}, "Usage: fritid push keys"},
		{[]string{"migrate", "up"}, "Usage: fritid migrate up [flags]"},
		{[]string{"migrate", "down"}, "Usage: fritid migrate down [flags]"},
		{[]string{"migrate", "status"}, "Usage: fritid migrate status [flags]"},
	}
	for _, c := range commands {
		for _, h := range []string{"--help", "-h"} {
			args := append(append([]string{}, c.args...), h)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				dataDir := t.TempDir()
				stdout, stderr, err := runCLI(t, envOf(t, map[string]string{"FRITID_DATA_DIR": dataDir}), args...)
				if !errors.Is(err, flag.ErrHelp) {
					t.Fatalf("error = %v, want flag.ErrHelp (exit status 0)", err)
				}
				if !strings.HasPrefix(stdout, c.wantUsage) && !strings.Contains(stdout, "\n"+c.wantUsage) {
					t.Errorf("stdout does not show %q:\n%s", c.wantUsage, stdout)
				}
				if stderr != "" {
					t.Errorf("stderr = %q, want nothing", stderr)
				}
				if entries, _ := os.ReadDir(dataDir); len(entries) > 0 {
					t.Errorf("--help wrote to the data directory: %v", entries)
				}
			})
		}
	}
}

// TestVersion checks `fritid --version` and `fritid version` in-process: the program's name,
// a version and the Go toolchain.
func TestVersion(t *testing.T) {
	want := regexp.MustCompile(`^fritid \S+ \((commit [0-9a-f]{7}(\+changes)?, \d{4}-\d\d-\d\d, )?go1\.[0-9.]+\S*\)\n$`)
	for _, arg := range []string{"--version", "-version", "version"} {
		t.Run(arg, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, envOf(t, nil), arg)
			if err != nil {
				t.Fatalf("fritid %s: %v", arg, err)
			}
			if !want.MatchString(stdout) {
				t.Errorf("stdout = %q, want a match for %s", stdout, want)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
		})
	}
}

func TestRejectsUnknownCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantStderr string
	}{
		{name: "no command", args: nil, wantErr: "no command", wantStderr: "Usage: fritid <command> [flags]"},
		{name: "unknown command", args: []string{"frobnicate"}, wantErr: `unknown command "frobnicate"`, wantStderr: "Usage: fritid <command> [flags]"},
		{name: "migrate without a direction", args: []string{"migrate"}, wantErr: "up, down or status", wantStderr: "Usage: fritid migrate up"},
		{name: "migrate sideways", args: []string{"migrate", "sideways"}, wantErr: "up, down or status", wantStderr: "Usage: fritid migrate up"},
		{name: "admin without a subcommand", args: []string{"admin"}, wantErr: "unknown admin command", wantStderr: "Usage: fritid admin create-municipality"},
		{name: "admin with an unknown subcommand", args: []string{"admin", "delete-everything"}, wantErr: "unknown admin command", wantStderr: "Usage: fritid admin create-municipality"},
		{name: "unknown flag", args: []string{"serve", "--frobnicate"}, wantErr: "-frobnicate (see fritid serve --help)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, envOf(t, nil), tt.args...)
			if err == nil || errors.Is(err, flag.ErrHelp) {
				t.Fatalf("run(%q) error = %v, want a failure", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if tt.wantStderr != "" && !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr does not show the usage %q:\n%s", tt.wantStderr, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}

func TestRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // each must appear in the error
	}{
		{
			name: "production without a secret key",
			env:  map[string]string{"FRITID_ENV": "production", "FRITID_DATABASE_URL": "postgres://fritid@127.0.0.1:1/fritid"},
			args: []string{"serve"},
			want: []string{"FRITID_SECRET_KEY", "required in production"},
		},
		{
			name: "production without a secret key or database",
			env:  map[string]string{"FRITID_ENV": "production"},
			args: []string{"serve"},
			want: []string{"FRITID_SECRET_KEY", "FRITID_DATABASE_URL"},
		},
		{
			name: "production without a media location",
			env: map[string]string{"FRITID_ENV": "production", "FRITID_DATABASE_URL": "postgres://fritid@127.0.0.1:1/fritid",
				"FRITID_SECRET_KEY": strings.Repeat("k", 40)},
			args: []string{"serve"},
			want: []string{"FRITID_MEDIA_URL is required in production"},
		},
		{
			name: "listen address without a port",
			env:  map[string]string{"FRITID_HTTP_ADDR": "nonsense"},
			args: []string{"serve"},
			want: []string{"FRITID_HTTP_ADDR", `"nonsense"`, "host:port"},
		},
		{
			name: "listen address flag",
			args: []string{"serve", "--http-addr", "nonsense"},
			want: []string{"FRITID_HTTP_ADDR (--http-addr)", `"nonsense"`},
		},
		{
			name: "short secret key",
			env:  map[string]string{"FRITID_SECRET_KEY": "too-short"},
			args: []string{"serve"},
			want: []string{"FRITID_SECRET_KEY is too short"},
		},
		{
			name: "unknown mode",
			env:  map[string]string{"FRITID_ENV": "staging"},
			args: []string{"serve"},
			want: []string{"FRITID_ENV", `"staging"`},
		},
		{
			name: "every problem at once",
			env:  map[string]string{"FRITID_LOG_LEVEL": "loud", "FRITID_MAX_QUERY_DEPTH": "deep", "FRITID_READ_TIMEOUT": "-1s"},
			args: []string{"serve"},
			want: []string{"FRITID_LOG_LEVEL", "FRITID_MAX_QUERY_DEPTH", "FRITID_READ_TIMEOUT"},
		},
		{
			name: "migrate checks the configuration too",
			env:  map[string]string{"FRITID_HTTP_ADDR": "nonsense"},
			args: []string{"migrate", "status"},
			want: []string{"FRITID_HTTP_ADDR"},
		},
		{
			name: "admin checks the configuration too",
			env:  map[string]string{"FRITID_ENV": "production"},
			args: []string{"admin", "create-municipality", "--slug", "larvik", "--name", "Larvik kommune"},
			want: []string{"FRITID_SECRET_KEY"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			env := map[string]string{"FRITID_DATA_DIR": dataDir}
			for k, v := range tt.env {
				env[k] = v
			}
			_, _, err := runCLI(t, envOf(t, env), tt.args...)
			if err == nil {
				t.Fatalf("run(%q) succeeded, want a configuration error", tt.args)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if entries, _ := os.ReadDir(dataDir); len(entries) > 0 {
				t.Errorf("a bad configuration still touched the data directory: %v", entries)
			}
		})
	}
}
