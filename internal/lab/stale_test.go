package lab

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStaleCleanup kills a test process that has a lab up (as a -timeout
// panic or a crash would) and checks that the next lab's cleanStale ends
// what survived it and removes its namespaces.
func TestStaleCleanup(t *testing.T) {
	if os.Getenv("NB_LAB_CRASH_CHILD") == "1" {
		crashChild(t)
		return
	}
	Require(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestStaleCleanup$", "-test.v")
	cmd.Env = append(os.Environ(), "NB_LAB_CRASH_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var ns, srv, dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "LAB" {
			ns, srv, dir = f[1], f[2], f[3]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	_ = cmd.Wait()
	if ns == "" {
		t.Fatal("child printed no lab names")
	}
	t.Cleanup(func() { // the crashed run's logs, and more in case cleanStale fails
		_ = os.RemoveAll(dir)
		for _, n := range []string{ns, srv} {
			killNetns(t, n)
			_ = exec.Command("ip", "netns", "del", n).Run()
		}
	})
	survivors := netnsPIDs(t, ns)
	if len(survivors) == 0 {
		t.Log("no survivors in the crashed lab's netns (parent-death signal got them all)")
	}
	cleanStale(t)
	for _, n := range []string{ns, srv} {
		if _, err := os.Stat("/run/netns/" + n); err == nil {
			t.Errorf("netns %s of the crashed lab still exists", n)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range survivors {
		for !gone(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !gone(pid) {
			t.Errorf("pid %d (%s) of the crashed lab still running", pid, comm(pid))
		}
	}
}

// crashChild brings a lab up, reports its names, and dies by SIGKILL.
func crashChild(t *testing.T) {
	l := Up(t, Options{Networkd: true, Resolved: true, Polkit: true})
	os.Stdout.WriteString("LAB " + l.NS + " " + l.SrvNS + " " + l.Dir + "\n")
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func netnsPIDs(t *testing.T, ns string) []int {
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		t.Fatalf("ip netns pids %s: %v", ns, err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("ip netns pids %s: want numbers, got %q", ns, out)
		}
		pids = append(pids, pid)
	}
	return pids
}
