package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"network-broker/internal/nstest"
)

// TestPrivilegeDropEveryThread starts the broker as root with User:
// nobody; hooks of many links run in parallel and must all report the same
// unprivileged uid, CAP_NET_ADMIN as their only capability (ambient), and
// every thread of the daemon must have dropped too.
func TestPrivilegeDropEveryThread(t *testing.T) {
	nstest.RequireRoot(t)
	if builtWithCgo {
		if os.Getenv("CI") == "true" {
			t.Fatal("built with cgo: the privilege drop needs CGO_ENABLED=0 (make test sets it)")
		}
		t.Skip("built with cgo: run with CGO_ENABLED=0 (make test does)")
	}
	h, p := nstest.New(t), nstest.New(t)
	const links = 12
	for i := 0; i < links; i++ {
		h.IP(t, "link", "add", fmt.Sprintf("v%d", i), "type", "veth", "peer", "name", fmt.Sprintf("p%d", i), "netns", p.Name)
		p.IP(t, "link", "set", fmt.Sprintf("p%d", i), "up")
		h.IP(t, "addr", "add", fmt.Sprintf("10.98.%d.2/24", i), "dev", fmt.Sprintf("v%d", i))
	}
	base := t.TempDir()
	os.Chmod(base, 0o755)
	os.Chmod(filepath.Dir(base), 0o755) // t.TempDir makes its parent 0700
	rec := newRecorder(t, base, "System:\n  Generator: kernel\n  User: nobody\n  HookParallel: 8\n", "routable.d")
	os.Chmod(rec.out, 0o777)
	rec.addRawScript(t, "routable.d", "10-ids", fmt.Sprintf(
		"{ echo uid=$(id -u) gid=$(id -g); grep ^Cap /proc/self/status; } > %s/tmp-$LINK; mv %s/tmp-$LINK %s/ids-$LINK; sleep 0.3", rec.out, rec.out, rec.out))
	b := startNSBroker(t, h, rec.dir)
	pid := b.cmd.Process.Pid
	for i := 0; i < links; i++ {
		h.IP(t, "link", "set", fmt.Sprintf("v%d", i), "up")
	}
	defer func() {
		if t.Failed() {
			t.Logf("broker log:\n%s", b.text())
		}
	}()
	waitFor(t, 15*time.Second, "every link's routable.d", func() (bool, string) {
		m, _ := filepath.Glob(filepath.Join(rec.out, "ids-*"))
		return len(m) == links, fmt.Sprint(len(m), " of ", links)
	})
	for i := 0; i < links; i++ {
		data, err := os.ReadFile(filepath.Join(rec.out, fmt.Sprintf("ids-v%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for _, want := range []string{"uid=65534 gid=65534", "CapInh:\t0000000000001000", "CapPrm:\t0000000000001000",
			"CapEff:\t0000000000001000", "CapBnd:\t0000000000001000", "CapAmb:\t0000000000001000"} {
			if !strings.Contains(s, want) {
				t.Errorf("hook of v%d: want %q in\n%s", i, want, s)
			}
		}
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if len(tasks) < 2 {
		t.Fatalf("broker has %d threads", len(tasks))
	}
	for _, task := range tasks {
		data, err := os.ReadFile(task)
		if err != nil {
			continue // thread ended
		}
		s := string(data)
		if !strings.Contains(s, "Uid:\t65534\t65534\t65534\t65534") || !strings.Contains(s, "CapEff:\t0000000000001000") {
			t.Errorf("thread %s not dropped:\n%s", task, s)
		}
	}
	t.Logf("%d hooks and %d daemon threads checked", links, len(tasks))
}
