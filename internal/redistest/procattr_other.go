//go:build !linux

package redistest

import "os/exec"

// setParentDeathSignal does nothing where Linux's parent-death signal is not
// available.
func setParentDeathSignal(cmd *exec.Cmd) {}
