package perf

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

func TestDaemonMarkerAndStop(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	cmd := exec.Command("/bin/sh", "-c", "echo starting; sleep 0.2; echo now ready; exec sleep 30")
	d, err := StartDaemon(cmd, "ready", log)
	if err != nil {
		t.Fatal(err)
	}
	took, err := d.WaitMarker(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if took < 200*time.Millisecond {
		t.Errorf("marker after %v, before the script printed it (>= 200ms)", took)
	}
	if err := d.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := d.Log(); got != "starting\nnow ready\n" {
		t.Errorf("log %q", got)
	}
}

func TestDaemonExitsWithoutMarker(t *testing.T) {
	d, err := StartDaemon(exec.Command("/bin/sh", "-c", "echo nothing"), "ready", filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitMarker(10 * time.Second); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("want an exit error, got %v", err)
	}
}

func TestDaemonIgnoringTERMIsKilled(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	d, err := StartDaemon(cmd, "ready", filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-d.PID(), syscall.SIGKILL) }) // the sleeps
	if _, err := d.WaitMarker(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(300 * time.Millisecond); err == nil {
		t.Fatal("a daemon ignoring SIGTERM stopped without an error")
	}
}

func TestRecorderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "runs.log")
	hookDir := filepath.Join(dir, "etc", "routable.d")
	if err := WriteRecorder(hookDir, "50-record", out); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	for _, st := range []string{"routable", "degraded"} {
		cmd := exec.Command(filepath.Join(hookDir, "50-record"))
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LINK=eth0", "LINKINDEX=2", "STATE=" + st, "OLD_STATE=carrier"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	f, _ := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("garbage line\n")
	f.Close()
	runs, err := ReadRuns(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("got %d runs, want 2: %+v", len(runs), runs)
	}
	r := runs[0]
	if r.Dir != "routable.d" || r.Link != "eth0" || r.Index != 2 || r.State != "routable" || r.Old != "carrier" ||
		r.At.Before(before.Add(-time.Second)) || runs[1].State != "degraded" {
		t.Errorf("runs: %+v", runs)
	}
}

func TestProcsAndZombies(t *testing.T) {
	// A child that exits and is not waited for yet is a zombie of ours.
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for !contains(Zombies(os.Getpid()), pid) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d never showed as a zombie of %d", pid, os.Getpid())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Wait()
	if contains(Zombies(os.Getpid()), pid) {
		t.Errorf("child %d still a zombie after Wait", pid)
	}
	self, _ := os.Executable()
	if p := Procs(filepath.Base(self)); len(p) == 0 {
		t.Errorf("Procs does not find the test binary %s", filepath.Base(self))
	}
}

func contains(l []string, pid int) bool {
	for _, s := range l {
		if s == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}
