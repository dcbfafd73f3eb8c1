package lab

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is a process started by the lab: a daemon, a monitor or the program
// under test. The lab is its parent, so it is reaped here (no zombies) and
// signalled through a pidfd (never a recycled PID).
type Proc struct {
	// Name is the name given to Start; Log is the host path of the file
	// that collects its stdout and stderr.
	Name string
	Log  string
	// PID is the process ID of the command itself: nsenter, ip netns exec,
	// env and setpriv all exec, so it is also the daemon's PID.
	PID int

	cmd  *exec.Cmd
	done chan struct{}

	mu    sync.Mutex
	state *os.ProcessState
	err   error
}

// spawnReq asks the spawner thread to start one command.
type spawnReq struct {
	cmd   *exec.Cmd
	reply chan error
}

var (
	spawnOnce sync.Once
	spawnCh   chan spawnReq
)

// spawn starts cmd with Pdeathsig=SIGKILL, so lab processes die with the
// test binary (a -timeout panic, a crash). The kernel sends that signal when
// the forking *thread* exits, and Go ends threads that exit while locked
// (tests that setns often do), so every fork happens on one locked thread
// that never exits.
func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan spawnReq)
		go func() {
			runtime.LockOSThread()
			for r := range spawnCh {
				r.reply <- r.cmd.Start()
			}
		}()
	})
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	// Own process group: a ^C on the terminal reaches the test binary
	// only, which then tears the lab down in order.
	cmd.SysProcAttr.Setpgid = true
	r := spawnReq{cmd: cmd, reply: make(chan error, 1)}
	spawnCh <- r
	return <-r.reply
}

// startProc starts cmd with its output appended to logPath. With cleanup
// it registers its own Stop with t; the lab's components are stopped by
// the lab's teardown instead, in the recipe's order.
func startProc(t testing.TB, name, logPath string, cmd *exec.Cmd, cleanup bool) *Proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("lab: %s: open log: %v", name, err)
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	if err := spawn(cmd); err != nil {
		t.Fatalf("lab: start %s (%s): %v", name, strings.Join(cmd.Args, " "), err)
	}
	p := &Proc{Name: name, Log: logPath, PID: cmd.Process.Pid, cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.state, p.err = cmd.ProcessState, err
		p.mu.Unlock()
		close(p.done)
	}()
	if cleanup {
		t.Cleanup(func() { p.Stop(t) })
	}
	return p
}

// Signal sends sig to the process; it returns os.ErrProcessDone once the
// process has exited.
func (p *Proc) Signal(sig os.Signal) error {
	if p.Exited() {
		return os.ErrProcessDone
	}
	return p.cmd.Process.Signal(sig)
}

// Exited reports whether the process has exited (and been reaped).
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to timeout for the process to exit and returns its exit
// code (-1 when a signal ended it). A process still running at the timeout
// fails the test.
func (p *Proc) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	code, ok := p.waitCode(timeout)
	if !ok {
		t.Fatalf("lab: %s (pid %d) still running after %v; log %s:\n%s", p.Name, p.PID, timeout, p.Log, tail(p.LogText(), 2000))
	}
	return code
}

// waitCode waits up to timeout; ok is false if the process still runs.
func (p *Proc) waitCode(timeout time.Duration) (int, bool) {
	select {
	case <-p.done:
	case <-time.After(timeout):
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ee *exec.ExitError
	if p.err != nil && !errors.As(p.err, &ee) {
		return -1, true
	}
	return p.state.ExitCode(), true
}

// Stop ends the process: SIGTERM, up to 5 s to exit, then SIGKILL; then
// SIGKILL to what is left of its process group (children a script left
// behind). It is called by the cleanup too; stopping an exited process
// only does the last step.
func (p *Proc) Stop(t testing.TB) {
	t.Helper()
	defer p.killGroup()
	if p.Exited() {
		return
	}
	_ = p.Signal(syscall.SIGTERM)
	if _, ok := p.waitCode(5 * time.Second); ok {
		return
	}
	t.Logf("lab: %s (pid %d) ignored SIGTERM for 5 s: SIGKILL", p.Name, p.PID)
	_ = p.Signal(syscall.SIGKILL)
	if _, ok := p.waitCode(5 * time.Second); !ok {
		t.Errorf("lab: %s (pid %d) survived SIGKILL", p.Name, p.PID)
	}
}

// killGroup sends SIGKILL to the process group the process led (spawn
// sets Setpgid). While any member lives the kernel keeps that ID from
// being reused, so only leftovers of this process are hit.
func (p *Proc) killGroup() {
	_ = syscall.Kill(-p.PID, syscall.SIGKILL)
}

// LogText returns what the process has written so far.
func (p *Proc) LogText() string {
	b, err := os.ReadFile(p.Log)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(b)
}

// tail returns the last n bytes of s, for error messages.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
