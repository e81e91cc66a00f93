// Command fritid is the fritid server: a GraphQL API for municipal activity portals and
// activity cards. `fritid serve` runs it; `fritid migrate` and `fritid admin` manage it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // time zones work without the system's database

	"github.com/fritid/fritid/internal/platform/buildinfo"
	"github.com/fritid/fritid/internal/platform/config"
)

// defaultMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not set.
const defaultMemoryLimit = 100 << 20

func main() {
	if os.Getenv("GOGC") == "" {
		// A GraphQL request allocates many small, short-lived objects; collecting less often
		// buys throughput for a little memory. GOGC set in the environment wins.
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// With GOGC at 400 the heap grows to five times what is live before a collection;
		// a soft limit collects earlier when that would pass 100 MiB (the live heap under load
		// is some 16 MiB), which keeps the process near 135 MiB resident for about 3 % of the
		// requests per second. GOMEMLIMIT set in the environment wins ("off" removes it).
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if errors.As(err, new(loggedError)) {
		os.Exit(1) // already written as a log line
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fritid:", err)
		os.Exit(1)
	}
}

// loggedError is an error that has been written to the log already; main only exits 1.
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// run runs the command named by args[0] with the rest of args.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, rest, getenv, stdout, stderr)
	case "seed":
		return seed(ctx, rest, getenv, stdout, stderr)
	case "push":
		return pushCmd(ctx, rest, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "fritid", buildinfo.Get())
		return nil
	case "healthcheck":
		return healthcheck(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return flag.ErrHelp
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `fritid: the GraphQL back end of a municipal activity portal and activity card.

Usage: fritid <command> [flags]

Commands:
  serve                           run the API server (migrates and starts an embedded
                                  PostgreSQL when FRITID_DATABASE_URL is unset)
  migrate up|down|status          apply, roll back the last group of, or list migrations
  admin create-municipality       add a municipality: --slug, --name, [--domain ...]
  admin create-user               add a user with roles (the first administrator):
                                  --municipality, --email, --role; password on stdin
  seed demo                       add the demo municipality (Larvik) with demo data
  seed synthetic                  add a municipality with generated data for benchmarks:
                                  --organisations N --activities-per-organisation M
  push keys                       print a new VAPID key pair for Web Push, as the lines
                                  FRITID_PUSH_VAPID_PUBLIC_KEY= and ..._PRIVATE_KEY=
  version                         print the version (also --version)
  healthcheck                     exit 0 when the server at FRITID_HTTP_ADDR is ready
                                  (GET /readyz answers 200); for container health checks

Run "fritid <command> --help" for a command's flags. While "fritid serve" runs on the
embedded PostgreSQL, the other commands use that cluster (same FRITID_DATA_DIR).
`)
	config.Usage(w)
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// subcommands writes the usage of a command with subcommands to w: lines, then where the
// flags are described. It answers the command's --help (stdout) and its misuse (stderr).
func subcommands(w io.Writer, name string, lines ...string) {
	fmt.Fprintf(w, "Usage: %s\n", lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(w, "       %s\n", l)
	}
	fmt.Fprintf(w, "\nRun \"%s <subcommand> --help\" for its flags and the settings.\n", name)
}
