package perf

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Run is one hook run as a recording script logged it.
type Run struct {
	At    time.Time // when the script's shell got to run date(1)
	Dir   string    // the hook directory, e.g. "routable.d"
	Link  string    // $LINK
	Index int       // $LINKINDEX
	State string    // $STATE
	Old   string    // $OLD_STATE
}

// WriteRecorder puts an executable /bin/sh script named name into
// hookDir that appends one line per run to out: "NANOS DIR LINK INDEX
// STATE OLD". The time is taken by date(1) once the shell runs, so it
// includes the shell's start-up, as a real hook's first action would.
// One short write(2) to an O_APPEND file keeps lines of parallel runs
// whole. out must be writable by the user the hooks run as.
func WriteRecorder(hookDir, name, out string) error {
	if err := os.MkdirAll(hookDir, 0o755); err != nil {
		return err
	}
	script := fmt.Sprintf("#!/bin/sh\nt=$(date +%%s%%N)\necho \"$t %s $LINK $LINKINDEX $STATE $OLD_STATE\" >> %s\n",
		filepath.Base(hookDir), out)
	return os.WriteFile(filepath.Join(hookDir, name), []byte(script), 0o755)
}

// ReadRuns reads the lines WriteRecorder's scripts appended, ordered by
// start time. Lines of another shape (a run cut short) are skipped.
func ReadRuns(path string) ([]Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Run
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, " ")
		if len(f) != 6 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		idx, _ := strconv.Atoi(f[3])
		out = append(out, Run{At: time.Unix(0, ns), Dir: f[1], Link: f[2], Index: idx, State: f[4], Old: f[5]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// Procs lists the processes whose command line contains any of words,
// as "PID command line".
func Procs(words ...string) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		for _, w := range words {
			if strings.Contains(string(cmd), w) {
				out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
				break
			}
		}
	}
	return out
}

// Zombies lists the PIDs of children of pid that exited and were not
// reaped.
func Zombies(pid int) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(pid) {
			out = append(out, e.Name())
		}
	}
	return out
}
