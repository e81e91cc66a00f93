package localpg

import "syscall"

// childSysProcAttr runs a child in its own process group (so terminal
// signals do not reach it; we shut it down ourselves), as the given identity,
// and has the kernel send deathSig to it when the thread that started it
// exits. Credentials are applied before the parent-death signal is set, so
// the switch to the server user does not clear it.
func childSysProcAttr(id *identity, deathSig syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setpgid:    true,
		Pdeathsig:  deathSig,
		Credential: id.credential(),
	}
}
