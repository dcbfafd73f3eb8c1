package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTeardown checks that a lab leaves nothing behind: every process it
// started (directly, through the bus, or as a stray child inside the
// netns) is gone, both netns are deleted and the lab dir is removed.
func TestTeardown(t *testing.T) {
	Require(t)
	var (
		dir, ns, srv string
		pids         = map[string]int{}
	)
	t.Run("lab", func(t *testing.T) {
		l := Up(t, Options{Networkd: true, DHCP: true, Dhclient: true, Hostnamed: true})
		dir, ns, srv = l.Dir, l.NS, l.SrvNS
		pids["holder"] = l.Holder
		pids["networkd"] = l.Networkd().PID
		pids["started"] = l.Start(t, "sleeper", nil, "sleep", "1000").PID
		pids["srv-started"] = l.SrvStart(t, "srv-sleeper", "sleep", "1000").PID
		// A stray: a daemonised child nobody records.
		out := l.Exec(t, "sh", "-c", "setsid sleep 1001 </dev/null >/dev/null 2>&1 & echo $!")
		pid, err := strconv.Atoi(strings.TrimSpace(out))
		if err != nil {
			t.Fatalf("stray pid: %q", out)
		}
		pids["stray"] = pid
		b, err := os.ReadFile(l.Dir + "/run/hostnamed.pids")
		if err != nil {
			t.Fatalf("hostnamed pid: %v", err)
		}
		pids["hostnamed"], _ = strconv.Atoi(strings.TrimSpace(string(b)))
		for name, pid := range pids {
			if gone(pid) {
				t.Fatalf("%s (pid %d) not running while the lab is up", name, pid)
			}
		}
	})
	if dir == "" {
		t.Fatal("the lab subtest ended before its lab was up")
	}
	// The stray was reparented to PID 1, which may reap it late (§5):
	// gone() counts a zombie as gone, but give the reaper a moment.
	deadline := time.Now().Add(2 * time.Second)
	for name, pid := range pids {
		for !gone(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !gone(pid) {
			t.Errorf("%s (pid %d, %s) still running after teardown", name, pid, comm(pid))
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, n := range []string{ns, srv} {
		if _, err := os.Stat(filepath.Join("/run/netns", n)); err == nil {
			t.Errorf("netns %s still exists", n)
			_ = exec.Command("ip", "netns", "del", n).Run()
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("lab dir %s still exists", dir)
	}
}

// TestParallelLabs runs two labs at once: names do not collide and each
// lab sees only its own hostname.
func TestParallelLabs(t *testing.T) {
	Require(t)
	labs := make(chan *Lab, 2)
	for i := range 2 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			l := Up(t, Options{Hostnamed: true})
			name := "par-" + strconv.Itoa(i)
			l.Busctl(t, "call", "org.freedesktop.hostname1", "/org/freedesktop/hostname1",
				"org.freedesktop.hostname1", "SetHostname", "sb", name, "false")
			labs <- l
			// Both labs are up at this point of the other's run too.
			time.Sleep(100 * time.Millisecond)
			if got := strings.TrimSpace(l.Exec(t, "hostname")); got != name {
				t.Errorf("lab %d hostname = %q, want %q", i, got, name)
			}
		})
	}
	t.Cleanup(func() {
		close(labs)
		a, b := <-labs, <-labs
		if a == nil || b == nil {
			return
		}
		if a.NS == b.NS || a.SrvNS == b.SrvNS || a.Dir == b.Dir || a.Bus == b.Bus {
			t.Errorf("labs share names: %s %s %s / %s %s %s", a.NS, a.SrvNS, a.Dir, b.NS, b.SrvNS, b.Dir)
		}
	})
}

// TestHolderRefusesHostNamespaces runs ns-init in a private mount and UTS
// namespace but the test's netns: it must refuse before mounting anything.
// (Should it not refuse, the private namespaces and the /run/dbus bind
// still keep the host safe.)
func TestHolderRefusesHostNamespaces(t *testing.T) {
	Require(t)
	dir := t.TempDir()
	for _, sub := range []string{"run", "run-dbus"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "ns-init")
	text := nsInit(dir, "must-not-happen", []bind{{dir + "/run-dbus", "/run/dbus"}}, namespaces("self"))
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--mount", "--uts", "--propagation", "private", "/bin/sh", script)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("ns-init did not refuse: it kept running")
	}
	if err == nil || !strings.Contains(string(out), "ns-init: refusing to run: net namespace is") {
		t.Errorf("ns-init in the test's netns: err = %v, output %q; want a refusal", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "run/holder.ready")); err == nil {
		t.Error("ns-init signalled readiness in the test's netns")
	}
}
