package localpg

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

const (
	// serverUser is the system account the binaries run as when we are root,
	// because initdb and postgres refuse to run as root.
	serverUser = "postgres"
	// superuser is the database superuser created by initdb.
	superuser = "postgres"
)

// identity is the system account the server binaries run as. A nil
// *identity means "the current user".
type identity struct {
	name string
	uid  uint32
	gid  uint32
	gids []uint32 // primary and supplementary groups
}

// currentIdentity returns the account to run the binaries as: the postgres
// system user when running as root, nil (ourselves) otherwise.
func currentIdentity() (*identity, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	return lookupIdentity(serverUser)
}

// lookupIdentity resolves a system user and its groups.
func lookupIdentity(name string) (*identity, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root needs the %q system user to run PostgreSQL: %w", name, err)
	}
	uid, err := parseID(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("uid of user %q: %w", name, err)
	}
	gid, err := parseID(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("gid of user %q: %w", name, err)
	}
	id := &identity{name: name, uid: uid, gid: gid, gids: []uint32{gid}}
	groups, _ := u.GroupIds() // supplementary groups are optional
	for _, g := range groups {
		if n, err := parseID(g); err == nil && !slices.Contains(id.gids, n) {
			id.gids = append(id.gids, n)
		}
	}
	return id, nil
}

// parseID parses a numeric user or group id.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("parse id %q: %w", s, err)
	}
	return uint32(n), nil
}

// credential returns the credential to start child processes with; nil for
// the current user.
func (id *identity) credential() *syscall.Credential {
	if id == nil {
		return nil
	}
	return &syscall.Credential{Uid: id.uid, Gid: id.gid, Groups: id.gids}
}

// chown hands path to the identity; a no-op for the current user.
func (id *identity) chown(path string) error {
	if id == nil {
		return nil
	}
	if err := os.Lchown(path, int(id.uid), int(id.gid)); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, id.name, err)
	}
	return nil
}

// chownTree hands dir and everything in it to the identity, without following
// symlinks.
func (id *identity) chownTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return id.chown(path)
	})
}

// owns reports whether fi belongs to the identity.
func (id *identity) owns(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	if id == nil {
		return int(st.Uid) == os.Geteuid()
	}
	return st.Uid == id.uid
}

// blockedAt returns the first directory from the root down to dir (inclusive)
// that the identity may not search, with its FileInfo; "" when it may enter
// them all, i.e. open paths inside dir.
func (id *identity) blockedAt(dir string) (string, os.FileInfo, error) {
	if id == nil || id.uid == 0 {
		return "", nil, nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	var chain []string
	for p := real; ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		fi, err := os.Stat(chain[i])
		if err != nil {
			return "", nil, fmt.Errorf("stat %s: %w", chain[i], err)
		}
		if !id.canSearch(fi) {
			return chain[i], fi, nil
		}
	}
	return "", nil, nil
}

// canSearch applies the POSIX owner/group/other execute-bit rule to a directory.
func (id *identity) canSearch(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == id.uid:
		return perm&0o100 != 0
	case slices.Contains(id.gids, st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
