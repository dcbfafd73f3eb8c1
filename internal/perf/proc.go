// Package perf reads a process's resource figures from /proc for the
// broker's end-to-end benchmarks and fault tests: resident memory, CPU
// time (its own and its reaped children's), threads and open descriptors.
// It is test support only and is never linked into the broker.
package perf

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat. The kernel
// exports them in USER_HZ, which is 100 on every Linux architecture Go
// supports (sysconf(_SC_CLK_TCK) would need cgo).
const userHZ = 100

// Stat is one reading of a process.
type Stat struct {
	RSS     int64 // resident set now, bytes (VmRSS)
	HWM     int64 // peak resident set, bytes (VmHWM)
	Threads int
	FDs     int           // open file descriptors
	UTime   time.Duration // user CPU of the process itself
	STime   time.Duration // system CPU of the process itself
	// CUTime and CSTime are the CPU of children it waited for (hook
	// scripts): kept apart so the daemon's own figure excludes them.
	CUTime, CSTime time.Duration
}

// CPU is the process's own CPU time, children excluded.
func (s Stat) CPU() time.Duration { return s.UTime + s.STime }

// ChildCPU is the CPU time of the reaped children.
func (s Stat) ChildCPU() time.Duration { return s.CUTime + s.CSTime }

// Read reads pid's figures from /proc.
func Read(pid int) (Stat, error) {
	var s Stat
	dir := "/proc/" + strconv.Itoa(pid)
	if err := readStatus(dir, &s); err != nil {
		return s, err
	}
	if err := readStat(dir, &s); err != nil {
		return s, err
	}
	fds, err := os.ReadDir(dir + "/fd")
	if err != nil {
		return s, fmt.Errorf("perf: %w", err)
	}
	s.FDs = len(fds)
	return s, nil
}

// readStatus takes VmRSS, VmHWM and Threads from /proc/PID/status.
func readStatus(dir string, s *Stat) error {
	data, err := os.ReadFile(dir + "/status")
	if err != nil {
		return fmt.Errorf("perf: %w", err)
	}
	found := 0
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			s.RSS, found = n<<10, found+1
		case "VmHWM":
			s.HWM = n << 10
		case "Threads":
			s.Threads = int(n)
		}
	}
	if found == 0 {
		return fmt.Errorf("perf: %s/status: no VmRSS line (a zombie?)", dir)
	}
	return nil
}

// readStat takes utime, stime, cutime and cstime (fields 14-17) from
// /proc/PID/stat. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from its last ')'.
func readStat(dir string, s *Stat) error {
	data, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return fmt.Errorf("perf: %w", err)
	}
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return fmt.Errorf("perf: %s/stat: want \"pid (comm) ...\", got %.40q", dir, data)
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 15 {
		return fmt.Errorf("perf: %s/stat: want at least 17 fields, got %d", dir, len(f)+2)
	}
	var ticks [4]int64
	for j := range ticks {
		v, err := strconv.ParseInt(f[11+j], 10, 64)
		if err != nil {
			return fmt.Errorf("perf: %s/stat: field %d: want a number, got %q", dir, 14+j, f[11+j])
		}
		ticks[j] = v
	}
	tick := time.Second / userHZ
	s.UTime, s.STime = time.Duration(ticks[0])*tick, time.Duration(ticks[1])*tick
	s.CUTime, s.CSTime = time.Duration(ticks[2])*tick, time.Duration(ticks[3])*tick
	return nil
}

// Percentile returns the p-th percentile (0-100) of d by the
// nearest-rank method; 0 when d is empty. d is not modified.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(p/100*float64(len(s)) + 0.999999)
	rank = max(1, min(rank, len(s)))
	return s[rank-1]
}

// MiB formats bytes as mebibytes with two decimals.
func MiB(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 2, 64) }
