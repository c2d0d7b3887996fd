package main

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill redis-server if this program dies
// without stopping it.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
