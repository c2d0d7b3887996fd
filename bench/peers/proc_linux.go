package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// setDeathSignal makes the kernel kill redis-server if this program dies
// without stopping it.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// cpuSample is the machine's busy CPU time and this process's own (with
// its waited-for children: redis-server).
type cpuSample struct {
	wall      time.Time
	busy, own time.Duration
	ok        bool
}

func sampleCPU() cpuSample {
	s := cpuSample{wall: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 8 || f[0] != "cpu" {
		return s
	}
	var busy int64
	for i, x := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
			continue
		}
		v, _ := strconv.ParseInt(x, 10, 64)
		busy += v
	}
	const hz = 100 // USER_HZ
	s.busy = time.Duration(busy) * time.Second / hz
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	s.own = tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
	s.ok = true
	return s
}

// otherLoad is the share of the machine's CPU capacity (all cores) that
// other processes used between a and b, in percent, or -1.
func otherLoad(a, b cpuSample, cores int) float64 {
	if !a.ok || !b.ok {
		return -1
	}
	capacity := float64(b.wall.Sub(a.wall)) * float64(cores)
	other := float64((b.busy - a.busy) - (b.own - a.own))
	if other < 0 {
		other = 0
	}
	return 100 * other / capacity
}

// processCPU is this process's CPU time so far (all threads).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
