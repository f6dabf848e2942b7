package main

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the run ran.
type machine struct {
	cpu, cpus, kernel, goVersion, memory, loadAvg string
}

// machineFacts reads /proc/cpuinfo, /proc/meminfo, uname and the Go
// toolchain's version.
func machineFacts(ctx context.Context) machine {
	m := machine{cpu: "?", kernel: "?", goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		memory: "?", loadAvg: loadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		n := 0
		var model, mhz, cache string
		for line := range strings.SplitSeq(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case !ok:
			case k == "processor":
				n++
			case k == "model name" && model == "":
				model = v
			case k == "cpu MHz" && mhz == "":
				mhz = v
			case k == "cache size" && cache == "":
				cache = v
			}
		}
		m.cpu = model
		if mhz != "" {
			m.cpu += ", " + mhz + " MHz"
		}
		if cache != "" {
			m.cpu += ", cache " + cache
		}
		m.cpus = strconv.Itoa(n) + " logical CPUs (runtime.NumCPU " + strconv.Itoa(runtime.NumCPU()) + ")"
	}
	if out, err := exec.CommandContext(ctx, "uname", "-srvm").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				m.memory = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// loadAvg returns the 1, 5 and 15-minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
