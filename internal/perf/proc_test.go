package perf

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestReadSelf(t *testing.T) {
	before, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if before.RSS <= 0 || before.HWM < before.RSS || before.Threads < 1 || before.FDs < 3 {
		t.Fatalf("implausible reading of ourselves: %+v", before)
	}
	// Burn CPU until the tick counter moves, so the reading must follow.
	deadline := time.Now().Add(5 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			x += i
		}
		if s, _ := Read(os.Getpid()); s.CPU() > before.CPU()+20*time.Millisecond {
			return
		}
	}
	t.Fatalf("CPU time did not grow after 5 s of work (%d)", x)
}

func TestChildCPU(t *testing.T) {
	before, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// A child that burns CPU, then is reaped: its time lands in cutime/cstime.
	if err := exec.Command("/bin/sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").Run(); err != nil {
		t.Fatal(err)
	}
	after, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after.ChildCPU() <= before.ChildCPU() {
		t.Fatalf("a reaped child's CPU did not show in cutime+cstime: %v -> %v", before.ChildCPU(), after.ChildCPU())
	}
}

func TestReadMissing(t *testing.T) {
	if _, err := Read(1 << 30); err == nil {
		t.Fatal("reading a process that cannot exist succeeded")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if d[0] != 100*time.Millisecond {
		t.Error("Percentile sorted its input in place")
	}
	if Percentile(nil, 50) != 0 {
		t.Error("Percentile of nothing is not 0")
	}
}

func TestMiB(t *testing.T) {
	if got := MiB(3 << 19); got != "1.50" {
		t.Errorf("MiB(1.5 MiB) = %q", got)
	}
}
