package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"network-broker/dbus"
	"network-broker/internal/lab"
)

// startFakeGetAll runs testdata/fake-networkd-getall.py on the lab's bus
// and returns it with a connection and networkd's unique name.
func startFakeGetAll(t *testing.T, l *lab.Lab, args ...string) (*lab.Proc, *dbus.Conn, string) {
	t.Helper()
	script, err := filepath.Abs("testdata/fake-networkd-getall.py")
	if err != nil {
		t.Fatal(err)
	}
	fake := l.Start(t, "fake-networkd", nil, append([]string{"/usr/bin/python3", script, l.Bus}, args...)...)
	waitLog(t, fake, "owned", 10*time.Second)
	c, err := dbus.Dial(l.Bus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	owner, err := c.GetNameOwner(context.Background(), ndName)
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, owner
}

// TestReadNetworkdParallelGetAll has a fake networkd hold every GetAll for
// 100 ms: readNetworkd keeps getAllParallel calls in flight (no more, or
// a large host would exhaust the bus's pending-reply limit), leaves out
// the link that went away and reads every other one.
func TestReadNetworkdParallelGetAll(t *testing.T) {
	l := lab.Up(t, lab.Options{})
	const n, gone = 40, 7
	fake, c, owner := startFakeGetAll(t, l, strconv.Itoa(n), "100", strconv.Itoa(gone), "0")
	s, err := readNetworkd(context.Background(), 5*time.Second, c, owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.links) != n-1 {
		t.Errorf("read %d links, want %d (all but the gone one)", len(s.links), n-1)
	}
	for i := int32(1); i <= n; i++ {
		got, ok := s.links[i]
		if i == gone {
			if ok {
				t.Errorf("link %d answered UnknownObject but was read: %v", i, got)
			}
			continue
		}
		if got["Description"] != "fk"+strconv.Itoa(int(i)) || got["OperationalState"] != "routable" {
			t.Errorf("link %d: %v", i, got)
		}
	}
	if s.manager["OperationalState"] != "routable" {
		t.Errorf("manager: %v", s.manager)
	}
	log := fake.LogText()
	last := log[strings.LastIndex(log, "inflight ")+len("inflight "):]
	if most, _ := strconv.Atoi(strings.TrimSpace(last)); most != getAllParallel {
		t.Errorf("the fake held at most %d GetAll calls at once, want %d", most, getAllParallel)
	}
}

// TestReadNetworkdGetAllTimeout has one link never answer while the
// others do: the read fails with that call's timeout, naming the link,
// instead of returning the state without it.
func TestReadNetworkdGetAllTimeout(t *testing.T) {
	l := lab.Up(t, lab.Options{})
	_, c, owner := startFakeGetAll(t, l, "40", "10", "0", "3")
	_, err := readNetworkd(context.Background(), 500*time.Millisecond, c, owner)
	if err == nil || !strings.Contains(err.Error(), "GetAll /org/freedesktop/network1/link/_33") ||
		!strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("err = %v, want link 3's GetAll timing out", err)
	}
}
