package localpg

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

const (
	// relocationRoot holds clusters whose data directory the server user
	// cannot reach. It must be searchable by that user.
	relocationRoot = "/var/tmp"
	// relocationPrefix starts the name of every relocated cluster directory.
	relocationPrefix = "fritid-postgres-"
)

// clusterDir returns the real directory the cluster for dataDir lives in,
// creating it (and, when relocating, the dataDir symlink) as needed.
//
// When dataDir is a symlink it is followed. Otherwise, when the server user
// cannot reach dataDir's parent (e.g. a checkout under /root), the cluster is
// kept under relocationRoot and dataDir becomes a symlink to it, so that the
// same dataDir finds the same cluster next time. Permissions of existing
// directories are never loosened.
func clusterDir(dataDir string, id *identity, log *slog.Logger) (string, error) {
	target, isLink, err := symlinkTarget(dataDir)
	if err != nil {
		return "", err
	}
	if isLink {
		return target, ensureClusterDir(target, id, isRelocated(target))
	}
	parent := filepath.Dir(dataDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create parent of data directory: %w", err)
	}
	reachable, err := id.canReach(parent)
	if err != nil {
		return "", fmt.Errorf("check access to data directory: %w", err)
	}
	if reachable {
		return dataDir, ensureClusterDir(dataDir, id, false)
	}
	return relocate(dataDir, id, log)
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

// relocate places the cluster under relocationRoot and points dataDir at it.
func relocate(dataDir string, id *identity, log *slog.Logger) (string, error) {
	real := relocatedDir(dataDir)
	if err := ensureClusterDir(real, id, true); err != nil {
		return "", err
	}
	if err := replaceWithSymlink(dataDir, real, id); err != nil {
		return "", err
	}
	log.Info("the PostgreSQL server user cannot reach the data directory; keeping the cluster elsewhere",
		"data_dir", dataDir, "cluster_dir", real, "user", id.name)
	return real, nil
}

// relocatedDir derives the stable relocation directory for dataDir.
func relocatedDir(dataDir string) string {
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join(relocationRoot, relocationPrefix+hex.EncodeToString(sum[:])[:16])
}

// isRelocated reports whether dir is a relocation directory.
func isRelocated(dir string) bool {
	return filepath.Dir(dir) == relocationRoot && len(filepath.Base(dir)) == len(relocationPrefix)+16 &&
		filepath.Base(dir)[:len(relocationPrefix)] == relocationPrefix
}

// replaceWithSymlink makes link a symlink to target. An existing empty
// directory at link is replaced; anything else is an error.
func replaceWithSymlink(link, target string, id *identity) error {
	fi, err := os.Lstat(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("inspect data directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("data directory %s exists and is not a directory", link)
	default:
		if err := os.Remove(link); err != nil {
			return fmt.Errorf("data directory %s is not empty and user %q cannot reach it; "+
				"move it to a place that user can reach: %w", link, id.name, err)
		}
	}
	if err := os.Symlink(target, link); err != nil && !linksTo(link, target) {
		return fmt.Errorf("link data directory to %s: %w", target, err)
	}
	return nil
}

// linksTo reports whether link is a symlink to target, e.g. one a concurrent
// Start has just made.
func linksTo(link, target string) bool {
	got, err := os.Readlink(link)
	return err == nil && got == target
}

// ensureClusterDir creates dir (mode 0700) when missing and, for a fresh
// cluster, hands it to the server user. With strict set (a directory in a
// world-writable place) it refuses directories that are symlinks or that are
// owned by anyone but us or the server user.
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
		return nil
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
