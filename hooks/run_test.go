package hooks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestRunEnvironmentExact: the script's initial environment, as the kernel
// recorded it in /proc/PID/environ, is exactly what the caller passed, in
// order, with nothing of the test process's own environment.
func TestRunEnvironmentExact(t *testing.T) {
	t.Setenv("HOOKS_TEST_LEAK", "must-not-appear")
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "environ")
	writeScript(t, dir, "env", "cat /proc/$$/environ > "+out)
	for _, env := range [][]string{
		nil,
		{},
		{"PATH=/usr/bin:/bin", "LINK=eth0", "JSON={\"a\": \"b c\"}", "EMPTY=", "Z=1=2", "MULTI=line1\nline2"},
	} {
		res := (&Runner{}).Run(context.Background(), script(t, dir, "env"), env)
		if res.Err != nil || res.ExitCode != 0 {
			t.Fatalf("env %q: %+v", env, res)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, kv := range strings.Split(string(b), "\x00") {
			if kv != "" {
				got = append(got, kv)
			}
		}
		if !slices.Equal(got, env) && !(len(got) == 0 && len(env) == 0) {
			t.Errorf("environment %q, want exactly %q", got, env)
		}
	}
}

func TestRunEnvironmentRefused(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "s", "exit 0")
	s := script(t, dir, "s")
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{[]string{"NOEQUALS"}, "want KEY=value"},
		{[]string{"=value"}, "want KEY=value"},
		{[]string{"A=1", "B=2", "A=3"}, `env[2] "A": set twice`},
		{[]string{"A=x\x00y"}, "NUL"},
		{[]string{"JSON=" + strings.Repeat("x", maxArgStrlen)}, "MAX_ARG_STRLEN"},
	} {
		res := (&Runner{}).Run(context.Background(), s, tt.env)
		if res.Err == nil || !strings.Contains(res.Err.Error(), tt.want) || res.ExitCode != -1 {
			t.Errorf("env %.30q: %+v, want an error containing %q", tt.env, res, tt.want)
		}
	}
	// The longest string the kernel takes is accepted and arrives whole.
	long := "JSON=" + strings.Repeat("x", maxArgStrlen-len("JSON=")-1)
	writeScript(t, dir, "len", `printf '%s\n' "${#JSON}"`)
	var c collector
	res := (&Runner{Output: c.add}).Run(context.Background(), script(t, dir, "len"), []string{long})
	if res.Err != nil || !slices.Equal(c.texts("stdout"), []string{strconv.Itoa(len(long) - 5)}) {
		t.Errorf("longest env string: %+v, output %q", res, c.texts("stdout"))
	}
}

// TestRunProcessSetup: cwd "/", stdin /dev/null, own process group, and
// the script's status, signal and output reported.
func TestRunProcessSetup(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "setup", `pwd -P
readlink /proc/$$/fd/0
cut -d' ' -f1 /proc/$$/stat
cut -d')' -f2 /proc/$$/stat | cut -d' ' -f4
echo to-stderr >&2
printf 'no newline at end'
exit 7`)
	var c collector
	res := (&Runner{Output: c.add}).Run(context.Background(), script(t, dir, "setup"), nil)
	if res.Err != nil || res.ExitCode != 7 || res.Signal != "" || res.TimedOut || res.Script != "setup" {
		t.Fatalf("result %+v, want exit 7", res)
	}
	out := c.texts("stdout")
	if len(out) != 5 {
		t.Fatalf("stdout %q, want 5 lines", out)
	}
	if out[0] != "/" || out[1] != "/dev/null" || out[4] != "no newline at end" {
		t.Errorf("cwd %q, stdin %q, last %q", out[0], out[1], out[4])
	}
	if out[2] != out[3] {
		t.Errorf("pid %s, process group %s: want its own group", out[2], out[3])
	}
	if pgid := atoi(t, out[3]); pgid == os.Getpid() {
		t.Errorf("script in the test's process group %d", pgid)
	}
	if errs := c.texts("stderr"); !slices.Equal(errs, []string{"to-stderr"}) {
		t.Errorf("stderr %q", errs)
	}
	for _, l := range c.lines {
		if l.Script != "setup" {
			t.Errorf("line %+v not tagged with the script", l)
		}
	}
}

func TestRunBadArguments(t *testing.T) {
	if res := (&Runner{}).Run(context.Background(), nil, nil); res.Err == nil || res.ExitCode != -1 {
		t.Errorf("nil script: %+v, want an error", res)
	}
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	writeScript(t, dir, "s", "touch "+ran)
	s := script(t, dir, "s")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res := (&Runner{}).Run(ctx, s, nil); !errors.Is(res.Err, context.Canceled) {
		t.Errorf("cancelled context: %+v, want context.Canceled", res)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("the script ran with a cancelled context")
	}
	s.Name = ".hidden"
	var refused *SkipError
	if res := (&Runner{}).Run(context.Background(), s, nil); !errors.As(res.Err, &refused) {
		t.Errorf("hidden name: %+v, want refused", res)
	}
}

func TestRunSignalled(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "self-kill", "kill -USR1 $$")
	res := (&Runner{}).Run(context.Background(), script(t, dir, "self-kill"), nil)
	if res.ExitCode != -1 || res.Signal != "SIGUSR1" || res.Err != nil {
		t.Errorf("result %+v, want killed by SIGUSR1", res)
	}
}

func TestRunStartErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "no-interpreter", "#!/no/such/interpreter\n", 0o755)
	writeFile(t, dir, "no-shebang", "echo hi\n", 0o755)
	for name, want := range map[string]string{
		"no-interpreter": "interpreter",
		"no-shebang":     "exec format error",
	} {
		res := (&Runner{}).Run(context.Background(), script(t, dir, name), nil)
		if res.Err == nil || !strings.Contains(res.Err.Error(), want) || !strings.Contains(res.Err.Error(), name) {
			t.Errorf("%s: %+v, want an error naming it and saying %q", name, res, want)
		}
	}
}

// TestRunSwapAfterCheck swaps the file between the check and the start:
// the checked file runs, not the one now at the path (CVE-2022-29800).
func TestRunSwapAfterCheck(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "hook", "echo checked")
	s := script(t, dir, "hook")
	var c collector
	r := &Runner{Output: c.add}
	r.afterCheck = func(s *Script) {
		evil := writeFile(t, t.TempDir(), "evil", "#!/bin/sh\necho swapped\n", 0o777)
		if err := os.Rename(evil, s.Path); err != nil {
			t.Fatal(err)
		}
	}
	res := r.Run(context.Background(), s, nil)
	if res.Err != nil || !slices.Equal(c.texts("stdout"), []string{"checked"}) {
		t.Errorf("result %+v, output %q: want the checked file's output", res, c.texts("stdout"))
	}
	// The next run checks the file now there, and refuses it.
	r.afterCheck = nil
	res = r.Run(context.Background(), s, nil)
	var refused *SkipError
	if !errors.As(res.Err, &refused) || !strings.HasPrefix(refused.Skip.Reason, reasonWritable) {
		t.Errorf("swapped file: %+v, want refused as %q", res, reasonWritable)
	}
}

// TestRunTimeoutKillsGroup: on timeout the whole group goes, including a
// grandchild; a script ignoring SIGTERM is killed after the grace.
func TestRunTimeoutKillsGroup(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "polite", `sh -c 'sleep 1000 & echo $!; wait' &
sleep 1000`)
	writeScript(t, dir, "stubborn", `trap '' TERM
sh -c 'sleep 1000 & echo $!; wait' &
sleep 1000`)
	for _, tt := range []struct {
		name, signal string
	}{
		{"polite", "SIGTERM"},
		{"stubborn", "SIGKILL"},
	} {
		var c collector
		r := &Runner{Timeout: 300 * time.Millisecond, KillGrace: 300 * time.Millisecond, Output: c.add}
		res := r.Run(context.Background(), script(t, dir, tt.name), nil)
		if !res.TimedOut || res.Signal != tt.signal || res.ExitCode != -1 || res.Err != nil {
			t.Errorf("%s: %+v, want timed out and ended by %s", tt.name, res, tt.signal)
		}
		if min := r.Timeout; res.Duration < min {
			t.Errorf("%s: ended after %v, before the timeout %v", tt.name, res.Duration, min)
		}
		out := c.texts("stdout")
		if len(out) != 1 {
			t.Fatalf("%s: output %q, want the grandchild's PID", tt.name, out)
		}
		if pid := atoi(t, out[0]); !pidGone(pid) {
			t.Errorf("%s: grandchild %d still alive", tt.name, pid)
		}
	}
}

// TestRunContextCancel stops a script like a timeout, but reports the
// context's error instead of TimedOut.
func TestRunContextCancel(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "sleeper", "echo started; exec sleep 1000")
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{Output: func(l Line) { cancel() }}
	res := r.Run(ctx, script(t, dir, "sleeper"), nil)
	if !errors.Is(res.Err, context.Canceled) || res.TimedOut || res.Signal != "SIGTERM" {
		t.Errorf("result %+v, want stopped by SIGTERM with context.Canceled", res)
	}
}

// TestRunBackgroundChild: a child left running with the script's stdout
// open does not hold the run (ifupdown2#274).
func TestRunBackgroundChild(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "daemonize", `sleep 1000 &
echo $!
echo bye >&2`)
	var c collector
	done := make(chan Result, 1)
	go func() {
		r := &Runner{Timeout: time.Hour, Output: c.add}
		done <- r.Run(context.Background(), script(t, dir, "daemonize"), nil)
	}()
	var res Result
	select {
	case res = <-done:
	case <-time.After(60 * time.Second): // a hang detector, far above any normal run
		t.Fatal("Run still waiting for a background child's output")
	}
	out := c.texts("stdout")
	if len(out) != 1 {
		t.Fatalf("stdout %q, want the child's PID", out)
	}
	pid := atoi(t, out[0])
	t.Cleanup(func() { unix.Kill(pid, unix.SIGKILL) })
	if res.Err != nil || res.ExitCode != 0 || res.TimedOut {
		t.Errorf("result %+v, want a clean exit", res)
	}
	if errs := c.texts("stderr"); !slices.Equal(errs, []string{"bye"}) {
		t.Errorf("stderr %q, want the line written before exit", errs)
	}
	// A finished script's children are left alone (only a timeout kills
	// the group): the hook may have started a service on purpose.
	if err := unix.Kill(pid, 0); err != nil {
		t.Errorf("background child %d: %v, want it still running", pid, err)
	}
}

// TestRunOutputBounded: a script writing megabytes gets MaxOutput bytes
// delivered, and every other line counted as dropped.
func TestRunOutputBounded(t *testing.T) {
	dir := t.TempDir()
	const lines = 1000000 // 11 MB
	writeScript(t, dir, "flood", "yes 0123456789 | head -n "+strconv.Itoa(lines))
	var c collector
	r := &Runner{MaxOutput: 1 << 16, Output: c.add}
	res := r.Run(context.Background(), script(t, dir, "flood"), nil)
	if res.Err != nil || res.ExitCode != 0 {
		t.Fatalf("result %+v", res)
	}
	got := c.texts("stdout")
	if want := (1 << 16) / 11; len(got) != want {
		t.Errorf("%d lines delivered, want %d (64 KiB of 11-byte lines)", len(got), want)
	}
	if len(got)+res.Dropped != lines {
		t.Errorf("%d delivered + %d dropped, want %d lines in all", len(got), res.Dropped, lines)
	}
	for _, l := range got {
		if l != "0123456789" {
			t.Fatalf("delivered %q", l)
		}
	}
}

// TestRunLongLine: a line longer than MaxLine arrives in MaxLine pieces.
func TestRunLongLine(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "long", "head -c 10000 /dev/zero | tr '\\0' x; echo; echo end")
	var c collector
	r := &Runner{MaxLine: 4096, Output: c.add}
	res := r.Run(context.Background(), script(t, dir, "long"), nil)
	got := c.texts("stdout")
	want := []string{strings.Repeat("x", 4096), strings.Repeat("x", 4096), strings.Repeat("x", 10000-8192), "end"}
	if res.Err != nil || !slices.Equal(got, want) {
		t.Errorf("result %+v, %d lines of lengths %v", res, len(got), lengths(got))
	}
}

// TestRunOutputLimitsOdd: a negative MaxLine means the default, a
// negative MaxOutput delivers nothing and counts every line.
func TestRunOutputLimitsOdd(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "s", "echo one; echo two >&2")
	var c collector
	r := &Runner{MaxLine: -1, MaxOutput: -1, Output: c.add}
	res := r.Run(context.Background(), script(t, dir, "s"), nil)
	if res.Err != nil || len(c.lines) != 0 || res.Dropped != 2 {
		t.Errorf("result %+v, lines %q: want none delivered, 2 dropped", res, c.lines)
	}
}

// lengths returns the length of each string.
func lengths(ss []string) []int {
	var n []int
	for _, s := range ss {
		n = append(n, len(s))
	}
	return n
}

// TestRunAmbientCaps: the requested capabilities are raised as ambient in
// the script, and none are without a request.
func TestRunAmbientCaps(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	writeScript(t, dir, "caps", "grep CapAmb /proc/$$/status")
	for _, tt := range []struct {
		caps []uintptr
		want string
	}{
		{nil, "CapAmb:\t0000000000000000"},
		{[]uintptr{unix.CAP_NET_ADMIN}, "CapAmb:\t0000000000001000"},
		{[]uintptr{unix.CAP_NET_ADMIN, unix.CAP_NET_RAW}, "CapAmb:\t0000000000003000"},
	} {
		var c collector
		r := &Runner{Ambient: tt.caps, Output: c.add}
		res := r.Run(context.Background(), script(t, dir, "caps"), nil)
		if got := c.texts("stdout"); res.Err != nil || !slices.Equal(got, []string{tt.want}) {
			t.Errorf("caps %v: %+v, output %q, want %q", tt.caps, res, got, tt.want)
		}
	}
}

// TestRunDir runs a directory: order, env, skips reported, a failing
// script does not stop the rest, a cancelled context stops what is left.
func TestRunDir(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(t.TempDir(), "log")
	for _, n := range []string{"30-c", "10-a", "20-b"} {
		writeScript(t, dir, n, "echo "+n+" $STATE >> "+log+"")
	}
	writeScript(t, dir, "20-b", "echo 20-b $STATE >> "+log+"; exit 3")
	writeFile(t, dir, "15-noexec", "#!/bin/sh\n", 0o644)
	writeScript(t, dir, "old~", "exit 0")
	var skips []Skip
	r := &Runner{}
	results := r.RunDir(context.Background(), dir, []string{"STATE=routable"}, func(s Skip) { skips = append(skips, s) })
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "10-a routable\n20-b routable\n30-c routable\n"; got != want {
		t.Errorf("ran %q, want %q", got, want)
	}
	var names []string
	var codes []int
	for _, res := range results {
		names = append(names, res.Script)
		codes = append(codes, res.ExitCode)
	}
	if !slices.Equal(names, []string{"10-a", "20-b", "30-c"}) || codes[1] != 3 {
		t.Errorf("results %q exit codes %v", names, codes)
	}
	if len(skips) != 2 || skips[0].Name != "15-noexec" || skips[1].Name != "old~" {
		t.Errorf("skips %q", skips)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results = r.RunDir(ctx, dir, nil, nil)
	if len(results) != 3 || !errors.Is(results[0].Err, context.Canceled) || !errors.Is(results[2].Err, context.Canceled) {
		t.Errorf("cancelled: %+v, want 3 results with context.Canceled", results)
	}
	if results := r.RunDir(context.Background(), filepath.Join(dir, "10-a"), nil, nil); len(results) != 1 || results[0].Err == nil {
		t.Errorf("RunDir(a file) = %+v, want one error", results)
	}
}
