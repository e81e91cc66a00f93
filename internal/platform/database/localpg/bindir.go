package localpg

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// binDirEnv names the environment variable that points at the server binaries.
const binDirEnv = "PG_BINDIR"

// versionedBinGlobs are the usual places of versioned server installations.
var versionedBinGlobs = []string{
	"/usr/lib/postgresql/*/bin", // Debian, Ubuntu
	"/usr/pgsql-*/bin",          // PGDG packages for RHEL, Fedora
}

// FindBinDir locates a directory holding the PostgreSQL server binaries
// (postgres and initdb). It tries, in order: the PG_BINDIR environment
// variable (looked up with getenv), `pg_config --bindir` when pg_config is on
// PATH, and the highest installed version under /usr/lib/postgresql. The
// error wraps ErrNoBinaries when nothing is found.
func FindBinDir(getenv func(string) string) (string, error) {
	if dir := getenv(binDirEnv); dir != "" {
		if !hasServerBinaries(dir) {
			return "", noBinariesError([]string{binDirEnv + "=" + dir})
		}
		return dir, nil
	}
	var candidates []string
	if dir := pgConfigBinDir(); dir != "" {
		candidates = append(candidates, dir)
	}
	candidates = append(candidates, versionedBinDirs()...)
	return firstBinDir(candidates)
}

// firstBinDir returns the first candidate holding the server binaries.
func firstBinDir(candidates []string) (string, error) {
	for _, dir := range candidates {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", noBinariesError(candidates)
}

// noBinariesError explains to a person how to get a database.
func noBinariesError(searched []string) error {
	where := "nowhere"
	if len(searched) > 0 {
		where = strings.Join(searched, ", ")
	}
	return fmt.Errorf("%w (searched %s). Either set FRITID_DATABASE_URL to the URL of an existing "+
		"PostgreSQL database, or install the PostgreSQL server package (e.g. `apt-get install postgresql`) "+
		"or set %s to the directory containing postgres and initdb", ErrNoBinaries, where, binDirEnv)
}

// pgConfigBinDir asks pg_config for the binary directory; "" when unavailable.
func pgConfigBinDir() string {
	path, err := exec.LookPath("pg_config")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--bindir").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// versionedBinDirs lists installed versioned binary directories, highest
// version first.
func versionedBinDirs() []string {
	var dirs []string
	for _, pattern := range versionedBinGlobs {
		matches, _ := filepath.Glob(pattern) // the patterns are valid
		dirs = append(dirs, matches...)
	}
	sortByVersionDesc(dirs)
	return dirs
}

// sortByVersionDesc orders versioned binary directories, highest first.
func sortByVersionDesc(dirs []string) {
	slices.SortStableFunc(dirs, func(a, b string) int {
		return compareVersions(dirVersion(b), dirVersion(a))
	})
}

// dirVersion extracts the numeric version from ".../15/bin" or ".../pgsql-15/bin".
func dirVersion(binDir string) []int {
	name := filepath.Base(filepath.Dir(binDir))
	name = name[strings.LastIndex(name, "-")+1:]
	var version []int
	for part := range strings.SplitSeq(name, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil
		}
		version = append(version, n)
	}
	return version
}

// compareVersions orders versions numerically; unparsable versions sort lowest.
func compareVersions(a, b []int) int {
	return slices.Compare(a, b)
}

// hasServerBinaries reports whether dir holds executable postgres and initdb.
func hasServerBinaries(dir string) bool {
	return isExecutable(filepath.Join(dir, "postgres")) && isExecutable(filepath.Join(dir, "initdb"))
}

// isExecutable reports whether path is a regular file with an execute bit.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
