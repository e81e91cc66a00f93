package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// Shutdown escalation: fast shutdown first, then immediate, then kill.
const (
	fastShutdownWait      = 30 * time.Second
	immediateShutdownWait = 10 * time.Second
)

// child is a postmaster started from a dedicated OS thread.
//
// The kernel delivers the parent-death signal when the thread that forked
// the child exits, not the process. The goroutine that starts the child
// therefore locks its thread and stays blocked in Wait for the server's whole
// life, so Go never retires that thread while the server runs.
type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // result of Wait; read only after done is closed
}

// startChild starts cmd from a locked OS thread and returns once it runs.
func startChild(cmd *exec.Cmd) (*child, error) {
	c := &child{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go c.run(started)
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s: %w", filepath.Base(cmd.Path), err)
	}
	return c, nil
}

// run starts and waits for the process on a thread that is never unlocked;
// the thread ends with this goroutine, after the process has exited.
func (c *child) run(started chan<- error) {
	runtime.LockOSThread()
	if err := c.cmd.Start(); err != nil {
		started <- err
		return
	}
	started <- nil
	c.err = c.cmd.Wait()
	close(c.done)
}

// pid returns the process id of the child.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the process has already exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop shuts the server down: SIGINT (fast shutdown), then SIGQUIT
// (immediate shutdown), then SIGKILL, waiting for exit after each.
func (c *child) stop() error {
	if c.exited() {
		if c.err != nil {
			return fmt.Errorf("postgres had already exited: %w", c.err)
		}
		return nil
	}
	if c.signalAndWait(syscall.SIGINT, fastShutdownWait) {
		return nil
	}
	if c.signalAndWait(syscall.SIGQUIT, immediateShutdownWait) {
		return errors.New("postgres did not finish a fast shutdown in time; used immediate shutdown")
	}
	c.signalAndWait(syscall.SIGKILL, immediateShutdownWait)
	return errors.New("postgres did not shut down in time; killed it")
}

// signalAndWait sends sig and reports whether the process exited within wait.
func (c *child) signalAndWait(sig syscall.Signal, wait time.Duration) bool {
	_ = c.cmd.Process.Signal(sig) // fails only when the process is already gone
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-c.done:
		return true
	case <-timer.C:
		return false
	}
}

// serverCommand builds the postmaster command line for dir on port.
func serverCommand(bin, dir string, port int, ephemeral bool, id *identity, logFile *os.File) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, "postgres"), serverArgs(dir, port, ephemeral)...)
	cmd.Dir = "/"
	cmd.Env = childEnv()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// SIGINT asks for a fast shutdown when the starting thread, and so this
	// process, dies.
	cmd.SysProcAttr = childSysProcAttr(id, syscall.SIGINT)
	return cmd
}

// serverArgs returns the postgres arguments: loopback TCP only, no Unix
// socket, output on stderr, and the speed settings when ephemeral.
func serverArgs(dir string, port int, ephemeral bool) []string {
	args := []string{
		"-D", dir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "max_connections=200",
		"-c", "logging_collector=off",
		"-c", "log_destination=stderr",
	}
	if ephemeral {
		args = append(args,
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off",
		)
	}
	return args
}
