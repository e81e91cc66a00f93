package localpg

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
)

// ErrInUse is returned (wrapped) by Start when another live process runs the
// cluster and Options.Share is not set.
var ErrInUse = errors.New("data directory is in use by another process")

// lockDir takes an exclusive lock on the cluster directory that lasts until
// the returned file is closed or this process dies. It tells a cluster owned
// by another live process (left alone) from a stale server whose owner died
// (stopped). The descriptor is close-on-exec, so postgres never inherits it.
func lockDir(dir string, log *slog.Logger) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open data directory for locking: %w", err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		f.Close()
		return nil, fmt.Errorf("%s: %w", dir, ErrInUse)
	default:
		log.Warn("cannot lock the data directory; not guarding against concurrent use", "data_dir", dir, "error", err)
		return f, nil
	}
}
