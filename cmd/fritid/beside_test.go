package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runFritid runs the built command to its end with exactly env, stdin as its standard input,
// and returns its outputs and error.
func runFritid(t *testing.T, env []string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, fritidBinary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// login signs in at the API url and returns the signed-in user's e-mail address, or the
// first error's code.
func login(t *testing.T, url, email, password string) (string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { viewer { user { email } } } }`,
		"variables": map[string]string{"e": email, "p": password},
	})
	res, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer res.Body.Close()
	var ans struct {
		Data struct {
			Login struct {
				Viewer struct{ User struct{ Email string } }
			}
		}
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil {
		t.Fatalf("login: status %s: %v", res.Status, err)
	}
	if len(ans.Errors) > 0 {
		return "", ans.Errors[0].Extensions.Code
	}
	return ans.Data.Login.Viewer.User.Email, ""
}

// TestAdminBesideServe runs the one-off commands, as processes of their own, while
// `fritid serve` runs on the embedded PostgreSQL of the same data directory: they use that
// cluster, the server sees what they wrote, and they leave it running.
func TestAdminBesideServe(t *testing.T) {
	t.Parallel()
	fritidBinary(t)
	dataDir := newDataDir(t)
	server, url := startServe(t, dataDir)
	postmaster := postmasterPID(t, dataDir)
	env := serveEnv(dataDir, freeAddr(t))

	t.Run("admin create-user", func(t *testing.T) {
		stdout, stderr, err := runFritid(t, env, "riktig hest batteri stift\n",
			"admin", "create-user", "--municipality", "larvik", "--email", "drift@larvik.no", "--role", "ADMIN")
		if err != nil {
			t.Fatalf("admin create-user: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
		if !strings.Contains(stdout, "created drift@larvik.no in larvik") {
			t.Errorf("stdout = %q, want it to say the user was created", stdout)
		}
		if !strings.Contains(stderr, "using the embedded PostgreSQL of the running server") {
			t.Errorf("stderr does not say it used the running server's cluster:\n%s", stderr)
		}
		if email, code := login(t, url, "drift@larvik.no", "riktig hest batteri stift"); email != "drift@larvik.no" {
			t.Errorf("the running server does not let the new user in: email %q, error %s", email, code)
		}
	})
	t.Run("admin create-municipality", func(t *testing.T) {
		stdout, stderr, err := runFritid(t, env, "",
			"admin", "create-municipality", "--slug", "sandefjord", "--name", "Sandefjord kommune")
		if err != nil || !strings.Contains(stdout, "created municipality sandefjord") {
			t.Fatalf("admin create-municipality: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
	})
	t.Run("migrate status", func(t *testing.T) {
		stdout, stderr, err := runFritid(t, env, "", "migrate", "status")
		if err != nil || !regexp.MustCompile(`(?m)^0001_foundation\s+applied `).MatchString(stdout) {
			t.Fatalf("migrate status: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
	})
	t.Run("seed demo", func(t *testing.T) {
		stdout, stderr, err := runFritid(t, env, "", "seed", "demo")
		if err != nil || !strings.Contains(stdout, "the demo municipality exists already") {
			t.Fatalf("seed demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
	})
	t.Run("a second serve says what to do", func(t *testing.T) {
		stdout, stderr, err := runFritid(t, env, "", "serve")
		if err == nil {
			t.Fatalf("a second serve on the same data directory started; stdout:\n%s", stdout)
		}
		for _, want := range []string{"in use by another process", "Another fritid serve runs on FRITID_DATA_DIR=" + dataDir} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, stderr)
			}
		}
	})

	t.Run("the server and its PostgreSQL run on", func(t *testing.T) {
		if pid := postmasterPID(t, dataDir); pid != postmaster || !processExists(pid) {
			t.Errorf("postmaster %d, want the server's own %d still running", pid, postmaster)
		}
		checkPortal(t, url)
		if got := readyz(url); got != http.StatusOK {
			t.Errorf("/readyz = %d, want 200", got)
		}
	})
	if err := server.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if state := server.wait(t, 30*time.Second); state.ExitCode() != 0 {
		t.Errorf("serve exit state = %v, want 0; stderr:\n%s", state, server.stderr.String())
	}
	t.Run("the cluster stayed in the data directory", func(t *testing.T) {
		fi, err := os.Lstat(filepath.Join(dataDir, "postgres"))
		if err != nil || !fi.IsDir() {
			t.Errorf("%s/postgres is not a directory: %v, %v", dataDir, fi, err)
		}
	})
}
