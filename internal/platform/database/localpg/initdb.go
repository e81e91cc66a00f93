package localpg

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// initdbLocales are tried in order; C.UTF-8 is missing on some systems.
var initdbLocales = []string{"C.UTF-8", "C"}

// initdbStopWait is how long a cancelled initdb may take to clean up.
const initdbStopWait = 10 * time.Second

// initCluster runs initdb in dir unless it already holds a cluster.
func initCluster(ctx context.Context, bin, dir string, id *identity, ephemeral bool, log *slog.Logger) error {
	if hasCluster(dir) {
		return nil
	}
	start := time.Now()
	var out []byte
	var err error
	for _, locale := range initdbLocales {
		out, err = runInitdb(ctx, bin, dir, id, ephemeral, locale)
		if err == nil || ctx.Err() != nil || !localeRejected(out) {
			break
		}
	}
	if err != nil {
		return initdbError(dir, err, out)
	}
	log.Info("initialized PostgreSQL cluster", "data_dir", dir, "took", time.Since(start))
	return nil
}

// localeRejected reports whether initdb failed because of the locale.
func localeRejected(out []byte) bool {
	for line := range strings.Lines(strings.ToLower(string(out))) {
		if strings.Contains(line, "error") && strings.Contains(line, "locale") {
			return true
		}
	}
	return false
}

// initdbError describes a failed initdb, with the end of its output.
func initdbError(dir string, err error, out []byte) error {
	if tail := lastBytes(out, 2048); tail != "" {
		return fmt.Errorf("initdb %s: %w\n%s", dir, err, tail)
	}
	return fmt.Errorf("initdb %s: %w", dir, err)
}

// runInitdb runs initdb once with the given locale and returns its output.
func runInitdb(ctx context.Context, bin, dir string, id *identity, ephemeral bool, locale string) ([]byte, error) {
	args := []string{"-D", dir, "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=" + locale}
	if ephemeral {
		args = append(args, "-N")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), args...)
	cmd.Dir = "/"
	cmd.Env = childEnv()
	// initdb removes what it created when interrupted or terminated, so ask it
	// to stop rather than killing it and leaving a half-made cluster behind.
	cmd.SysProcAttr = childSysProcAttr(id, syscall.SIGTERM)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = initdbStopWait
	return cmd.CombinedOutput()
}

// childEnv is our environment without the PG* variables, which would
// otherwise change how the server binaries behave.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

// lastBytes returns at most n trailing bytes of b as a string.
func lastBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
