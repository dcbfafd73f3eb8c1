package rtnl

import (
	"testing"

	"network-broker/internal/nstest"
)

// The topology every kernel test builds in a fresh namespace, and from
// which testdata/ was recorded. Byte-level tests check these values.
//
//	lo (1)
//	cap1 (2) ── veth peer of cap0, enslaved to capbr, 02:00:00:00:00:02
//	cap0 (3) ── mtu 1400, 02:00:00:00:00:01
//	           192.0.2.1 peer 192.0.2.2/32
//	           198.51.100.1/24 brd 198.51.100.255 label cap0:one, lifetimes 300/200
//	           2001:db8::1/64, lifetimes 600/400, nodad
//	capbr (4) ─ bridge
var topology = [][]string{
	{"netns", "exec", "", "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0"},
	{"netns", "exec", "", "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0"},
	{"link", "add", "cap0", "address", "02:00:00:00:00:01", "mtu", "1400", "type", "veth", "peer", "name", "cap1", "address", "02:00:00:00:00:02"},
	{"link", "add", "capbr", "type", "bridge"},
	{"link", "set", "cap1", "master", "capbr"},
	{"link", "set", "cap0", "up"},
	{"link", "set", "cap1", "up"},
	{"link", "set", "capbr", "up"},
	{"addr", "add", "192.0.2.1", "peer", "192.0.2.2/32", "dev", "cap0"},
	{"addr", "add", "198.51.100.1/24", "broadcast", "198.51.100.255", "label", "cap0:one", "valid_lft", "300", "preferred_lft", "200", "dev", "cap0"},
	{"addr", "add", "2001:db8::1/64", "dev", "cap0", "valid_lft", "600", "preferred_lft", "400", "nodad"},
	{"route", "add", "10.10.0.0/16", "via", "198.51.100.254", "dev", "cap0", "proto", "static", "metric", "50", "table", "1000"},
	{"route", "add", "10.20.0.0/16", "table", "100", "nexthop", "via", "198.51.100.253", "dev", "cap0", "weight", "2", "nexthop", "via", "198.51.100.252", "dev", "cap0", "weight", "3"},
	{"route", "add", "blackhole", "10.30.0.0/16", "table", "5000"},
	{"route", "add", "default", "via", "198.51.100.254", "table", "1000"},
	{"-6", "route", "add", "unreachable", "2001:db8:dead::/48", "table", "5000"},
	{"-6", "route", "add", "2001:db8:1::/48", "via", "2001:db8::fe", "dev", "cap0", "table", "1000", "metric", "7"},
	{"rule", "add", "from", "192.0.2.1", "lookup", "1000", "prio", "100"},
	{"rule", "add", "to", "10.0.0.0/8", "iif", "cap0", "fwmark", "0x10/0xff", "lookup", "5000", "prio", "200", "protocol", "static"},
	{"rule", "add", "not", "from", "198.51.100.0/24", "table", "main", "prio", "300"},
	{"rule", "add", "prio", "400", "blackhole"},
	{"rule", "add", "prio", "401", "goto", "500"},
	{"rule", "add", "prio", "500", "from", "203.0.113.0/24", "table", "7"},
	{"-6", "rule", "add", "from", "2001:db8::1", "lookup", "1000", "prio", "100", "oif", "cap0"},
	{"-6", "rule", "add", "to", "2001:db8:1::/48", "lookup", "5000", "prio", "150"},
}

// buildTopology creates the topology inside ns with `ip -n`.
func buildTopology(t *testing.T, ns *nstest.NS) {
	t.Helper()
	for _, args := range topology {
		if args[0] == "netns" {
			ns.Run(t, args[3:]...)
			continue
		}
		ns.IP(t, args...)
	}
}

// dialIn opens a Conn inside ns, closed at the end of the test.
func dialIn(t *testing.T, ns *nstest.NS) *Conn {
	t.Helper()
	var c *Conn
	if err := ns.Do(func() (err error) { c, err = Dial(); return err }); err != nil {
		t.Fatalf("Dial in %s: %v", ns.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// subscribeIn opens a Monitor inside ns, closed at the end of the test.
func subscribeIn(t *testing.T, ns *nstest.NS, groups ...uint32) *Monitor {
	t.Helper()
	var m *Monitor
	if err := ns.Do(func() (err error) { m, err = Subscribe(groups...); return err }); err != nil {
		t.Fatalf("Subscribe in %s: %v", ns.Name, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
