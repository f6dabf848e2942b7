package sdk

import (
	"os/exec"
	"syscall"
)

// killWithHost has the kernel kill the plugin when the host dies, even a
// plugin not built on [Serve].
func killWithHost(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
