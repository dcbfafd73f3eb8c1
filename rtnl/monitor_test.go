package rtnl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"network-broker/internal/nstest"
)

// waitTimeout bounds how long a test waits for a notification that must
// come; it is a hang guard, not a performance assertion.
const waitTimeout = 10 * time.Second

// await receives until an event matches, failing after waitTimeout.
// Other events are handed to seen, when set.
func await(t *testing.T, m *Monitor, what string, match func(Event) bool, seen func(Event)) {
	t.Helper()
	m.s.f.SetReadDeadline(time.Now().Add(waitTimeout))
	defer m.s.f.SetReadDeadline(time.Time{})
	for {
		evs, err := m.Receive()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("%s: no notification within %v", what, waitTimeout)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, e := range evs {
			if match(e) {
				return
			}
			if seen != nil {
				seen(e)
			}
		}
	}
}

// TestMonitorSeesChanges makes one change per kind and family and waits
// for its notification, IPv6 rules (group 19) included.
func TestMonitorSeesChanges(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	m := subscribeIn(t, ns)
	steps := []struct {
		args  []string
		match func(Event) bool
	}{
		{[]string{"link", "add", "mon0", "mtu", "1280", "type", "veth", "peer", "name", "mon1"},
			func(e Event) bool { return e.Type == unix.RTM_NEWLINK && e.Link.Name == "mon0" && e.Link.MTU == 1280 }},
		{[]string{"link", "set", "mon0", "up"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWLINK && e.Link.Name == "mon0" && e.Link.Flags&unix.IFF_UP != 0
			}},
		{[]string{"link", "set", "mon1", "up"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWLINK && e.Link.Name == "mon0" && e.Link.OperState == OperUp
			}},
		{[]string{"addr", "add", "192.0.2.10/24", "dev", "mon0", "label", "mon0:a"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWADDR && e.Addr.Prefix() == pfx("192.0.2.10/24") && e.Addr.Label == "mon0:a"
			}},
		{[]string{"addr", "add", "2001:db8:77::1/64", "dev", "mon0", "nodad"},
			func(e Event) bool { return e.Type == unix.RTM_NEWADDR && e.Addr.Prefix() == pfx("2001:db8:77::1/64") }},
		{[]string{"route", "add", "10.77.0.0/16", "via", "192.0.2.1", "table", "777"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWROUTE && e.Route.Dst == pfx("10.77.0.0/16") && e.Route.Table == 777 && e.Route.Gateway == ip("192.0.2.1")
			}},
		{[]string{"-6", "route", "add", "2001:db8:78::/48", "via", "2001:db8:77::2", "table", "777"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWROUTE && e.Route.Dst == pfx("2001:db8:78::/48") && e.Route.Table == 777
			}},
		{[]string{"rule", "add", "from", "192.0.2.10", "lookup", "777", "prio", "1777"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWRULE && e.Rule.Family == afInet && e.Rule.Priority == 1777
			}},
		{[]string{"-6", "rule", "add", "from", "2001:db8:77::1", "lookup", "777", "prio", "1777"},
			func(e Event) bool {
				return e.Type == unix.RTM_NEWRULE && e.Rule.Family == afInet6 && e.Rule.Src == pfx("2001:db8:77::1/128")
			}},
		{[]string{"-6", "rule", "del", "prio", "1777"},
			func(e Event) bool {
				return e.Type == unix.RTM_DELRULE && e.Rule.Family == afInet6 && e.Rule.Priority == 1777
			}},
		{[]string{"rule", "del", "prio", "1777"},
			func(e Event) bool {
				return e.Type == unix.RTM_DELRULE && e.Rule.Family == afInet && e.Rule.Table == 777
			}},
		{[]string{"-6", "route", "del", "2001:db8:78::/48", "table", "777"},
			func(e Event) bool { return e.Type == unix.RTM_DELROUTE && e.Route.Dst == pfx("2001:db8:78::/48") }},
		{[]string{"route", "del", "10.77.0.0/16", "table", "777"},
			func(e Event) bool { return e.Type == unix.RTM_DELROUTE && e.Route.Dst == pfx("10.77.0.0/16") }},
		{[]string{"addr", "del", "2001:db8:77::1/64", "dev", "mon0"},
			func(e Event) bool { return e.Type == unix.RTM_DELADDR && e.Addr.Addr == ip("2001:db8:77::1") }},
		{[]string{"addr", "del", "192.0.2.10/24", "dev", "mon0"},
			func(e Event) bool { return e.Type == unix.RTM_DELADDR && e.Addr.Addr == ip("192.0.2.10") }},
		{[]string{"link", "del", "mon0"},
			func(e Event) bool { return e.Type == unix.RTM_DELLINK && e.Link.Name == "mon0" }},
	}
	for _, st := range steps {
		ns.IP(t, st.args...)
		await(t, m, "ip "+strings.Join(st.args, " "), st.match, nil)
	}

	// Close unblocks a Receive in progress with ErrClosed.
	errc := make(chan error, 1)
	go func() {
		for {
			if _, err := m.Receive(); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond) // let Receive block; the check holds either way
	m.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Receive after Close: %v, want ErrClosed", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Close did not unblock Receive")
	}
}

// TestMonitorDropsForeignSender: any local process can unicast to a
// monitor's port id; such datagrams are dropped by the sender check.
func TestMonitorDropsForeignSender(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	m := subscribeIn(t, ns, unix.RTNLGRP_LINK)
	var forger, probe *socket
	if err := ns.Do(func() (err error) {
		if forger, err = openSocket(); err != nil {
			return err
		}
		probe, err = openSocket()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer forger.close()
	defer probe.close()
	forged := nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(unix.IFLA_IFNAME, []byte("forged\x00"))))
	sendTo := func(pid uint32) {
		if err := forger.rc.Write(func(fd uintptr) bool {
			err := unix.Sendto(int(fd), forged, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: pid})
			if err != nil {
				t.Fatalf("sendto port %d: %v", pid, err)
			}
			return true
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The kernel does deliver it: a raw read on the probe sees it, from
	// the forger's port id.
	sendTo(probe.pid)
	buf := make([]byte, 4096)
	var from unix.Sockaddr
	probe.f.SetReadDeadline(time.Now().Add(waitTimeout))
	probe.rc.Read(func(fd uintptr) bool {
		var err error
		_, _, _, from, err = unix.Recvmsg(int(fd), buf, nil, 0)
		return err != unix.EAGAIN
	})
	if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != forger.pid {
		t.Fatalf("forged datagram not delivered to the probe (from %+v)", from)
	}

	sendTo(m.s.pid)
	ns.IP(t, "link", "add", "real0", "type", "veth", "peer", "name", "real1")
	await(t, m, "real link", func(e Event) bool { return e.Link != nil && e.Link.Name == "real0" }, func(e Event) {
		if e.Link != nil && e.Link.Name == "forged" {
			t.Fatal("monitor accepted a datagram from a user-space port")
		}
	})
}

// TestMonitorTruncatedDatagram: a notification larger than the receive
// buffer (MSG_TRUNC) is an overrun, and the Monitor keeps working.
func TestMonitorTruncatedDatagram(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	m := subscribeIn(t, ns, unix.RTNLGRP_LINK)
	full := m.s.buf
	m.s.buf = make([]byte, 64) // link messages are over a kilobyte
	ns.IP(t, "link", "add", "tr0", "type", "veth", "peer", "name", "tr1")
	m.s.f.SetReadDeadline(time.Now().Add(waitTimeout))
	_, err := m.Receive()
	if !errors.Is(err, ErrOverrun) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Receive of a truncated datagram: %v, want ErrOverrun (truncated)", err)
	}
	m.s.buf = full
	ns.IP(t, "link", "set", "tr0", "mtu", "1234")
	await(t, m, "link change after the overrun", func(e Event) bool { return e.Link != nil && e.Link.MTU == 1234 }, nil)
}

// routeKey identifies a route in a cache, as the kernel does.
func routeKey(r *Route) string {
	return fmt.Sprintf("%d %v %d %d", r.Table, r.Dst, r.Priority, r.TOS)
}

// TestOverrunResync forces ENOBUFS (tiny buffer, a burst of 400 route
// changes, reader paused), then shows the recovery a caller does: on
// ErrOverrun, dump; keep receiving on the same Monitor; the cache ends
// equal to the kernel's state.
func TestOverrunResync(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	ns.IP(t, "link", "add", "ov0", "type", "veth", "peer", "name", "ov1")
	ns.IP(t, "link", "set", "ov0", "up")
	c := dialIn(t, ns)
	m := subscribeIn(t, ns, unix.RTNLGRP_IPV4_ROUTE)
	if err := m.SetReadBuffer(1); err != nil { // the kernel rounds up to its minimum
		t.Fatal(err)
	}
	cache := map[string]Route{}
	resync := func() {
		routes, err := c.Routes(afInet)
		if err != nil {
			t.Fatal(err)
		}
		clear(cache)
		for _, r := range routes {
			cache[routeKey(&r)] = r
		}
	}
	apply := func(e Event) {
		switch e.Type {
		case unix.RTM_NEWROUTE:
			cache[routeKey(e.Route)] = *e.Route
		case unix.RTM_DELROUTE:
			delete(cache, routeKey(e.Route))
		}
	}
	resync()

	var batch strings.Builder
	for i := range 400 {
		fmt.Fprintf(&batch, "route add 10.99.%d.%d/32 dev ov0 table 2000\n", i/250, i%250+1)
	}
	file := filepath.Join(t.TempDir(), "burst")
	if err := os.WriteFile(file, []byte(batch.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ns.IP(t, "-batch", file)

	// The queue holds a few datagrams, then the error: read until it.
	m.s.f.SetReadDeadline(time.Now().Add(waitTimeout))
	overruns, events := 0, 0
	for overruns == 0 {
		evs, err := m.Receive()
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			t.Fatalf("no overrun after %d events with a tiny buffer", events)
		case errors.Is(err, ErrOverrun):
			overruns++
			if !errors.Is(err, unix.ENOBUFS) {
				t.Fatalf("overrun %v, want ENOBUFS inside", err)
			}
		case err != nil:
			t.Fatal(err)
		}
		for _, e := range evs {
			apply(e)
			events++
		}
	}
	m.s.f.SetReadDeadline(time.Time{})
	if len(cache) >= 400 {
		t.Fatalf("cache has %d routes before resync: nothing was lost?", len(cache))
	}
	t.Logf("overrun after %d events; resyncing", events)
	resync()
	if err := m.SetReadBuffer(1 << 20); err != nil {
		t.Fatal(err)
	}

	// The same Monitor keeps working: more changes, applied as they come.
	for i := 1; i <= 20; i++ {
		ns.IP(t, "route", "del", fmt.Sprintf("10.99.0.%d/32", i), "table", "2000")
	}
	ns.IP(t, "route", "add", "10.98.0.1/32", "dev", "ov0", "table", "2000")
	await(t, m, "sentinel route", func(e Event) bool {
		apply(e)
		return e.Type == unix.RTM_NEWROUTE && e.Route.Dst == pfx("10.98.0.1/32")
	}, apply)

	var want []string
	for _, l := range ipJSON(t, ns, "-j", "-4", "route", "show", "table", "2000") {
		want = append(want, fullPrefix(str(l, "dst"), afInet))
	}
	var got []string
	for _, r := range cache {
		if r.Table == 2000 {
			got = append(got, r.Dst.String())
		}
	}
	if len(want) != 381 {
		t.Fatalf("ip shows %d routes in table 2000, want 381", len(want))
	}
	compareSets(t, "table 2000 after resync", got, want)
}
