package lab

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// execTimeout bounds Exec, SrvExec and Busctl so a hung command fails the
// test instead of the whole run.
const execTimeout = 60 * time.Second

// Command returns a command that runs argv inside the lab (the holder's
// net, mount and UTS namespaces) with the test's environment plus
// DBUS_SYSTEM_BUS_ADDRESS=l.Bus and env ("KEY=value"; later wins). nsenter
// execs, so the started process's PID is argv[0]'s.
func (l *Lab) Command(env []string, argv ...string) *exec.Cmd {
	args := append([]string{"-t", strconv.Itoa(l.Holder), "-n", "-m", "-u", "--"}, argv...)
	cmd := exec.Command("nsenter", args...)
	cmd.Env = append(append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+l.Bus), env...)
	return cmd
}

// SrvCommand returns a command that runs argv in the server netns SrvNS
// (with a fresh sysfs; not in the lab's mount namespace).
func (l *Lab) SrvCommand(argv ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", l.SrvNS}, argv...)...)
}

// Start runs argv inside the lab (see Command) in the background, its
// stdout and stderr going to <Dir>/log/<name>.log. It is stopped (SIGTERM,
// then SIGKILL after 5 s) when the test ends, before the lab goes down.
func (l *Lab) Start(t testing.TB, name string, env []string, argv ...string) *Proc {
	t.Helper()
	return startProc(t, name, l.logPath(name), l.Command(env, argv...), true)
}

// SrvStart is Start in the server netns SrvNS.
func (l *Lab) SrvStart(t testing.TB, name string, argv ...string) *Proc {
	t.Helper()
	return startProc(t, name, l.logPath(name), l.SrvCommand(argv...), true)
}

// logPath returns a fresh log path for name (name, name.2, ...).
func (l *Lab) logPath(name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names[name]++
	if n := l.names[name]; n > 1 {
		name += "." + strconv.Itoa(n)
	}
	return filepath.Join(l.Dir, "log", filepath.Base(name)+".log")
}

// Exec runs argv inside the lab, waits, and returns its stdout; an error
// or non-zero exit fails the test with stderr.
func (l *Lab) Exec(t testing.TB, argv ...string) string {
	t.Helper()
	return mustOutput(t, l.Command(nil, argv...))
}

// TryExec is Exec returning the error (with stderr) instead of failing
// the test.
func (l *Lab) TryExec(argv ...string) (string, error) {
	return output(l.Command(nil, argv...))
}

// SrvExec runs argv in the server netns and returns its stdout, like Exec.
func (l *Lab) SrvExec(t testing.TB, argv ...string) string {
	t.Helper()
	return mustOutput(t, l.SrvCommand(argv...))
}

// Busctl runs busctl --address=l.Bus with args from the host and returns
// its stdout, failing the test on error (e.g. a D-Bus error reply).
func (l *Lab) Busctl(t testing.TB, args ...string) string {
	t.Helper()
	return mustOutput(t, l.busctlCmd(args...))
}

// TryBusctl is Busctl returning the error (with busctl's stderr, which
// names the D-Bus error) instead of failing the test.
func (l *Lab) TryBusctl(args ...string) (string, error) {
	return output(l.busctlCmd(args...))
}

func (l *Lab) busctlCmd(args ...string) *exec.Cmd {
	return exec.Command("busctl", append([]string{"--address=" + l.Bus}, args...)...)
}

// IfIndex returns the ifindex of ifname in the lab netns.
func (l *Lab) IfIndex(t testing.TB, ifname string) int {
	t.Helper()
	out := run(t, "ip", "-n", l.NS, "-o", "link", "show", "dev", ifname)
	i, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(out, ":", 2)[0]))
	if err != nil {
		t.Fatalf("lab: ifindex of %s: want 'N: name...', got %q", ifname, out)
	}
	return i
}

// Carrier switches the carrier of a lab link by setting its peer in SrvNS
// down or up (veth-st ↔ veth-stp, veth-dh ↔ srv-dh, veth-nd ↔ srv-nd).
func (l *Lab) Carrier(t testing.TB, link string, up bool) {
	t.Helper()
	peer := map[string]string{LinkStatic: PeerStatic, LinkDhcp: PeerDhcp, LinkNetworkd: PeerNetworkd}[link]
	if peer == "" {
		t.Fatalf("lab: Carrier: want %s, %s or %s, got %q", LinkStatic, LinkDhcp, LinkNetworkd, link)
	}
	state := "down"
	if up {
		state = "up"
	}
	run(t, "ip", "-n", l.SrvNS, "link", "set", peer, state)
}

// GoBuild builds the Go package pkg (an import path or a directory, as
// for go build) as a static binary in a fresh temporary directory and
// returns its path, ready to Start inside the lab (which has no network).
func GoBuild(t testing.TB, pkg string) string {
	t.Helper()
	name := filepath.Base(strings.TrimRight(pkg, "/."))
	if name == "." || name == "/" {
		name = "prog" // pkg was "." or ".."
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lab: go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func mustOutput(t testing.TB, cmd *exec.Cmd) string {
	t.Helper()
	out, err := output(cmd)
	if err != nil {
		t.Fatalf("lab: %s: %v", strings.Join(cmd.Args, " "), err)
	}
	return out
}

// output runs cmd with execTimeout and returns stdout; the error carries
// stderr.
func output(cmd *exec.Cmd) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	c.Env, c.Dir, c.Stdin = cmd.Env, cmd.Dir, cmd.Stdin
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return stdout.String(), &cmdError{err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.String(), nil
}

// cmdError is a failed command with its stderr.
type cmdError struct {
	err    error
	stderr string
}

// Error is the command's error and its stderr.
func (e *cmdError) Error() string { return e.err.Error() + ": " + e.stderr }

// Unwrap gives the *exec.ExitError (or start error) for errors.As.
func (e *cmdError) Unwrap() error { return e.err }
