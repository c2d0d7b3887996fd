package redistest

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal asks Linux to kill the server if the test process dies
// without running its cleanups (a timed-out or interrupted go test).
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
