package localpg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// watchInterval is how often the watcher looks for the postmaster when no
// child exit tells it sooner (a postmaster started by pg_ctl is not our child).
const watchInterval = 250 * time.Millisecond

// restartDelays are the waits before each attempt to restart a postmaster
// that has gone: five tries over about ten seconds. A postmaster killed with
// SIGKILL leaves backends behind for a moment, holding its shared memory, so
// the first try waits a little too.
var restartDelays = []time.Duration{
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
}

// shutdownGrace replaces the first restart delay when our postmaster exited
// cleanly: someone asked it to shut down, most likely `pg_ctl restart`, which
// starts its own postmaster right after and fails if we start one first.
const shutdownGrace = 2 * time.Second

// stopSteps is how Stop shuts the cluster down: fast shutdown, then
// immediate shutdown, then kill.
var stopSteps = []stopStep{
	{syscall.SIGINT, fastShutdownWait},
	{syscall.SIGQUIT, immediateShutdownWait},
	{syscall.SIGKILL, immediateShutdownWait},
}

// watcher keeps a started cluster running until Stop. It notices the
// postmaster is gone when its child exits or, for a postmaster it did not
// start (pg_ctl restart), when postmaster.pid no longer names a live postgres
// on the data directory. It then adopts a postmaster someone else has started
// or starts one itself on the same port, a bounded number of times.
type watcher struct {
	cfg    launchConfig
	out    serverLog
	ctx    context.Context // ends when stop begins
	cancel context.CancelFunc
	done   chan struct{} // closed when the watch loop has returned
	failed chan struct{} // closed when the cluster could not be restarted
	err    error         // why it could not; written before failed is closed

	mu    sync.Mutex
	child *child // the postmaster this process started last; nil once another is adopted
}

// newWatcher returns a watcher for the cluster whose postmaster is c.
func newWatcher(cfg launchConfig, out serverLog, c *child) *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &watcher{cfg: cfg, out: out, ctx: ctx, cancel: cancel, child: c,
		done: make(chan struct{}), failed: make(chan struct{})}
}

// start runs the watch loop in the background.
func (w *watcher) start() { go w.loop() }

// loop waits for the postmaster to go and brings it back. It returns when
// stop begins, or when the cluster cannot be brought back (closing failed).
func (w *watcher) loop() {
	defer close(w.done)
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.childDone():
		case <-tick.C:
		}
		if w.running() {
			continue
		}
		if err := w.restart(w.firstDelay()); err != nil {
			if w.ctx.Err() != nil {
				return // Stop began; it stops whatever runs
			}
			w.err = err
			w.cfg.log.Error("PostgreSQL has stopped and could not be restarted; giving up",
				"data_dir", w.cfg.dir, "err", err)
			close(w.failed)
			return
		}
	}
}

// childDone returns the channel closed when our postmaster exits, or nil
// (which never fires) when it has already exited or another was adopted.
func (w *watcher) childDone() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.child == nil || w.child.exited() {
		return nil
	}
	return w.child.done
}

// running reports whether a postmaster runs the cluster: our child, or the
// live postgres postmaster.pid names, which is adopted when our child is gone.
func (w *watcher) running() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.child != nil && !w.child.exited() {
		return true
	}
	pid, ok := livePostmaster(w.cfg.dir)
	if ok && w.child != nil {
		w.cfg.log.Warn("PostgreSQL was restarted by another process; supervising it through its pid file",
			"data_dir", w.cfg.dir, "pid", pid)
		w.child = nil
	}
	return ok
}

// firstDelay is how long to wait before the first restart: shutdownGrace
// when our postmaster exited cleanly, restartDelays[0] otherwise.
func (w *watcher) firstDelay() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.child != nil && w.child.exited() && w.child.err == nil {
		return shutdownGrace
	}
	return restartDelays[0]
}

// restart brings the cluster back on the same port, waiting first and then
// longer before each further try. A postmaster started meanwhile by someone
// else is adopted.
func (w *watcher) restart(first time.Duration) error {
	w.cfg.log.Warn("PostgreSQL has stopped; restarting it", "data_dir", w.cfg.dir, "port", w.cfg.port)
	start := time.Now()
	var err error
	for i, delay := range restartDelays {
		if i == 0 {
			delay = first
		}
		select {
		case <-w.ctx.Done():
			return w.ctx.Err()
		case <-time.After(delay):
		}
		if w.running() {
			return nil
		}
		var c *child
		if c, _, err = launchOnce(w.ctx, w.cfg, w.out); err == nil {
			w.mu.Lock()
			w.child = c
			w.mu.Unlock()
			w.cfg.log.Info("restarted PostgreSQL", "attempt", i+1, "took", time.Since(start))
			return nil
		}
		w.cfg.log.Warn("restart PostgreSQL", "attempt", i+1, "err", err)
	}
	return fmt.Errorf("postgres stopped and %d restarts failed: %w", len(restartDelays), err)
}

// stop ends supervision and shuts the cluster down: the postmaster that
// postmaster.pid names (ours, or one pg_ctl started), then our child should
// it still run without being named there (stopped during its start-up).
func (w *watcher) stop() error {
	w.cancel()
	<-w.done
	var errs []error
	if pid, ok := livePostmaster(w.cfg.dir); ok {
		errs = append(errs, stopPostmaster(pid))
	}
	w.mu.Lock()
	c := w.child
	w.mu.Unlock()
	if c != nil && !c.exited() {
		errs = append(errs, c.stop())
	}
	return errors.Join(errs...)
}

// stopPostmaster shuts down the postmaster pid and waits for it to exit.
func stopPostmaster(pid int) error {
	step, err := signalUntilGone(context.Background(), pid, stopSteps)
	switch {
	case err != nil:
		return fmt.Errorf("stop postgres %d: %w", pid, err)
	case step == 0:
		return nil
	case step == 1:
		return errors.New("postgres did not finish a fast shutdown in time; used immediate shutdown")
	case step == 2:
		return errors.New("postgres did not shut down in time; killed it")
	default:
		return fmt.Errorf("postgres %d does not exit, even when killed", pid)
	}
}
