package localpg

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

const (
	// relocationRoot held the clusters that earlier versions kept outside an
	// unreachable data directory, behind a symlink. Such clusters are still
	// used where they are; new ones are always made in place.
	relocationRoot = "/var/tmp"
	// relocationPrefix starts the name of every such cluster directory.
	relocationPrefix = "fritid-postgres-"
)

// clusterDir returns the real directory the cluster for dataDir lives in,
// creating it as needed.
//
// When dataDir is a symlink it is followed. Otherwise the cluster lives in
// dataDir itself. When the server runs as another user (we are root), that
// user must be able to enter dataDir: the directory holding it (the
// application's data directory) gets search permission for others (o+x:
// enter, not list) when we own it and it lacks it, and dataDir is handed to
// the server user. A directory further up that the server user cannot enter
// is an error saying what to do; nothing is ever made outside dataDir's parent.
func clusterDir(dataDir string, id *identity, log *slog.Logger) (string, error) {
	target, isLink, err := symlinkTarget(dataDir)
	if err != nil {
		return "", err
	}
	if isLink {
		if isRelocated(target) {
			log.Warn("the PostgreSQL cluster is kept outside the data directory, where an earlier version put it; "+
				"to keep it in place, stop fritid and replace the link with the directory it points to",
				"data_dir", dataDir, "cluster_dir", target)
		}
		return target, ensureClusterDir(target, id, isRelocated(target))
	}
	parent := filepath.Dir(dataDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create parent of data directory: %w", err)
	}
	if err := letServerIn(parent, id, log); err != nil {
		return "", err
	}
	return dataDir, ensureClusterDir(dataDir, id, false)
}

// letServerIn makes sure the server user can enter dir: every directory from
// the root down must be searchable by it. dir itself is given o+x when we own
// it; any other directory that stops the user is reported with the commands
// that would let it in.
func letServerIn(dir string, id *identity, log *slog.Logger) error {
	if id == nil || id.uid == 0 {
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", dir, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("stat %s: %w", real, err)
	}
	if !id.canSearch(fi) && ownedByUs(fi) {
		mode := fi.Mode().Perm() | 0o001
		if err := os.Chmod(real, mode); err != nil {
			return fmt.Errorf("let user %q enter %s: %w", id.name, real, err)
		}
		log.Info("let the PostgreSQL server user enter the data directory (search permission for others)",
			"dir", real, "user", id.name, "mode", fmt.Sprintf("%#o", mode))
	}
	blocked, bfi, err := id.blockedAt(real)
	if err != nil {
		return err
	}
	if blocked != "" {
		return unreachableError(blocked, real, bfi, id)
	}
	return nil
}

// unreachableError explains that the server user cannot enter blocked, a
// directory on the way to dir, and what a person can do about it.
func unreachableError(blocked, dir string, fi os.FileInfo, id *identity) error {
	where := ""
	if blocked != dir {
		where = fmt.Sprintf(", on the way to %s", dir)
	}
	return fmt.Errorf("running as root, fritid runs PostgreSQL as the %q user, which cannot enter %s (mode %s)%s. "+
		"Either let it in (`chmod o+x %s`, or `setfacl -m u:%s:x %s`), or keep the data directory somewhere it "+
		"can enter (FRITID_DATA_DIR=/var/lib/fritid), or use a PostgreSQL of your own (FRITID_DATABASE_URL)",
		id.name, blocked, fi.Mode().Perm(), where, shellQuote(blocked), id.name, shellQuote(blocked))
}

// shellQuote quotes path for a POSIX shell when it needs it.
func shellQuote(path string) string {
	plain := func(r rune) bool {
		return r == '/' || r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
			r >= '0' && r <= '9'
	}
	if strings.IndexFunc(path, func(r rune) bool { return !plain(r) }) < 0 {
		return path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}

// symlinkTarget returns the absolute target when path is a symlink.
func symlinkTarget(path string) (string, bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("inspect data directory: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", false, nil
	}
	target, err := os.Readlink(path)
	if err != nil {
		return "", false, fmt.Errorf("read data directory symlink: %w", err)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	return filepath.Clean(target), true, nil
}

// isRelocated reports whether dir is where an earlier version kept a cluster.
func isRelocated(dir string) bool {
	return filepath.Dir(dir) == relocationRoot && len(filepath.Base(dir)) == len(relocationPrefix)+16 &&
		filepath.Base(dir)[:len(relocationPrefix)] == relocationPrefix
}

// ensureClusterDir creates dir (mode 0700) when missing and makes it the
// server user's: a fresh directory is handed over, and so is an existing
// cluster that belongs to someone else (made by another user before), file
// by file. With strict set (a directory in a world-writable place) it refuses
// directories that are symlinks or that are owned by anyone but us or the
// server user.
func ensureClusterDir(dir string, id *identity, strict bool) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("inspect data directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", dir)
	}
	if strict && !id.owns(fi) && !ownedByUs(fi) {
		return fmt.Errorf("refusing to use %s: it is owned by another user", dir)
	}
	if hasCluster(dir) {
		if id == nil || id.owns(fi) {
			return nil
		}
		return id.chownTree(dir)
	}
	if err := id.chown(dir); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restrict data directory: %w", err)
	}
	return nil
}

// ownedByUs reports whether fi belongs to the effective user of this process.
func ownedByUs(fi os.FileInfo) bool {
	return (*identity)(nil).owns(fi)
}

// hasCluster reports whether dir holds an initialized cluster.
func hasCluster(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "PG_VERSION"))
	return err == nil
}
