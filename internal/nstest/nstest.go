// Package nstest gives tests throw-away network namespaces: created with
// `ip netns add`, loopback up, removed (after killing what runs inside) in
// t.Cleanup. The root network namespace is never changed.
//
// Tests that need root call RequireRoot first: it skips with the reason
// when not root, and fails instead when CI=true, so CI never passes by
// skipping.
package nstest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// RequireRoot skips the test when not running as root with the `ip`
// tool, or fails it when the environment says CI=true.
func RequireRoot(t testing.TB) {
	t.Helper()
	requireRoot(t, os.Geteuid())
}

func requireRoot(t testing.TB, euid int) {
	t.Helper()
	reason := ""
	if euid != 0 {
		reason = "needs root to create network namespaces (run as root, e.g. sudo go test)"
	} else if _, err := exec.LookPath("ip"); err != nil {
		reason = "needs the ip tool (Debian package iproute2)"
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", reason)
	}
	t.Skip(reason)
}

// NS is one test network namespace, /run/netns/<Name>.
type NS struct {
	Name string // nbt-<pid>-<n>, unique per process and call
}

var counter atomic.Int64

// New creates a namespace named nbt-<pid>-<n> with lo up and removes it
// in t.Cleanup, killing the processes still inside first.
func New(t testing.TB) *NS {
	t.Helper()
	RequireRoot(t)
	n := &NS{Name: fmt.Sprintf("nbt-%d-%d", os.Getpid(), counter.Add(1))}
	if out, err := exec.Command("ip", "netns", "add", n.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", n.Name, err, out)
	}
	t.Cleanup(func() { n.remove(t) })
	n.IP(t, "link", "set", "lo", "up")
	return n
}

// remove kills the namespace's processes by PID, then deletes it.
func (n *NS) remove(t testing.TB) {
	out, _ := exec.Command("ip", "netns", "pids", n.Name).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if out, err := exec.Command("ip", "netns", "del", n.Name).CombinedOutput(); err != nil {
		t.Errorf("ip netns del %s: %v: %s", n.Name, err, out)
	}
}

// Run runs argv inside the namespace (`ip netns exec NAME argv...`) and
// returns its stdout; a failure is fatal and shows stderr.
func (n *NS) Run(t testing.TB, argv ...string) string {
	t.Helper()
	return run(t, append([]string{"ip", "netns", "exec", n.Name}, argv...))
}

// IP runs `ip -n NAME args...` and returns its stdout; a failure is fatal.
func (n *NS) IP(t testing.TB, args ...string) string {
	t.Helper()
	return run(t, append([]string{"ip", "-n", n.Name}, args...))
}

func run(t testing.TB, argv []string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String()
}

// Do runs f on a locked OS thread switched into the namespace (setns),
// then switches that thread back. Sockets f opens stay in the namespace
// for their whole life, so f is the place to open them. If switching
// back fails, the thread is left locked so the runtime discards it.
func (n *NS) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- n.do(f)
	}()
	return <-errc
}

// do runs on the locked thread; it unlocks only after a successful return
// to the original namespace.
func (n *NS) do(f func() error) error {
	orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		return fmt.Errorf("nstest: open current netns: %w", err)
	}
	defer orig.Close()
	target, err := os.Open("/run/netns/" + n.Name)
	if err != nil {
		return fmt.Errorf("nstest: open netns %s: %w", n.Name, err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("nstest: setns %s: %w", n.Name, err)
	}
	ferr := f()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("nstest: switch back from %s: %w (thread discarded)", n.Name, err)
	}
	runtime.UnlockOSThread()
	return ferr
}
