package dbus

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needTool skips when a program the test drives is missing, except under
// CI=true, where a missing tool is a failure (CI must install it).
func needTool(t testing.TB, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (CI=true, so not skipping): %v", path, err)
		}
		t.Skipf("%s not found: %v", path, err)
	}
	return p
}

// testBus is a private dbus-daemon the test started, on a socket in a
// short temp dir (a unix socket path holds at most 107 bytes).
type testBus struct {
	addr string
	cmd  *exec.Cmd
}

const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
  <limit name="reply_timeout">60000</limit>
</busconfig>
`

// startBus runs dbus-daemon --nofork with a config in a temp dir and waits
// for it to print its address. It is killed (by PID) at cleanup.
func startBus(t testing.TB) *testBus {
	t.Helper()
	daemon := needTool(t, "dbus-daemon")
	dir, err := os.MkdirTemp("", "dbt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "bus.sock")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, sock)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &testBus{cmd: cmd}
	t.Cleanup(func() {
		b.kill()
		if t.Failed() {
			t.Logf("dbus-daemon stderr:\n%s", stderr.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case b.addr = <-line:
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon printed no address within 10 s")
	}
	if !strings.HasPrefix(b.addr, "unix:path=") {
		t.Fatalf("dbus-daemon printed %q, want a unix:path address", b.addr)
	}
	return b
}

// kill ends the daemon this test started, by its PID.
func (b *testBus) kill() {
	if b.cmd.ProcessState == nil {
		b.cmd.Process.Kill()
		b.cmd.Wait()
	}
}

func dialBus(t testing.TB, b *testBus) *Conn {
	t.Helper()
	c, err := Dial(b.addr)
	if err != nil {
		t.Fatalf("Dial %s: %v", b.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitSignal returns the first signal accepted by match, or fails.
func waitSignal(t testing.TB, c *Conn, d time.Duration, match func(*Message) bool) *Message {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case m, ok := <-c.Signals():
			if !ok {
				t.Fatalf("signals closed: %v", c.Err())
			}
			if match(m) {
				return m
			}
		case <-timeout:
			t.Fatalf("no matching signal within %v", d)
		}
	}
}
