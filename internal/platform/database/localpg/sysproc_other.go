//go:build unix && !linux

package localpg

import "syscall"

// childSysProcAttr runs a child in its own process group, as the given
// identity. This platform has no parent-death signal, so a server whose
// owner is killed keeps running until the next Start on its data directory
// stops it.
func childSysProcAttr(id *identity, _ syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setpgid:    true,
		Credential: id.credential(),
	}
}
