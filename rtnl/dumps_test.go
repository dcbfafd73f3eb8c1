package rtnl

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"network-broker/internal/nstest"
)

// compareWithIP dumps everything with c and with ip in ns and compares.
func compareWithIP(t *testing.T, ns *nstest.NS, c *Conn) {
	t.Helper()
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := c.Addresses(afUnspec)
	if err != nil {
		t.Fatal(err)
	}
	ipLinks := ipJSON(t, ns, "-d", "-j", "addr")
	names := map[int32]string{}
	var ours, theirs []string
	for _, l := range links {
		names[l.Index] = l.Name
	}
	for _, l := range links {
		ours = append(ours, linkLine(l, names))
	}
	var ourAddrs, ipAddrs []string
	ipLifetimes := map[string][2]uint64{}
	for _, m := range ipLinks {
		theirs = append(theirs, ipLinkLine(m))
		infos, _ := m["addr_info"].([]any)
		for _, v := range infos {
			a := v.(map[string]any)
			line := ipAddrLine(num(m, "ifindex"), a)
			ipAddrs = append(ipAddrs, line)
			ipLifetimes[line] = [2]uint64{num(a, "valid_life_time"), num(a, "preferred_life_time")}
		}
	}
	compareSets(t, "links", ours, theirs)
	for _, a := range addrs {
		line := addrLine(a)
		ourAddrs = append(ourAddrs, line)
		// Lifetimes count down between the two dumps: allow a few seconds.
		if lt, ok := ipLifetimes[line]; ok && (lt[0] > uint64(a.ValidLft) || uint64(a.ValidLft)-lt[0] > 5 ||
			lt[1] > uint64(a.PreferredLft) || uint64(a.PreferredLft)-lt[1] > 5) {
			t.Errorf("%s: lifetimes valid %d preferred %d, ip says %d %d", line, a.ValidLft, a.PreferredLft, lt[0], lt[1])
		}
	}
	compareSets(t, "addresses", ourAddrs, ipAddrs)

	for _, fam := range []uint8{afInet, afInet6} {
		flag := map[uint8]string{afInet: "-4", afInet6: "-6"}[fam]
		routes, err := c.Routes(fam)
		if err != nil {
			t.Fatal(err)
		}
		ours, theirs = nil, nil
		for _, r := range routes {
			ours = append(ours, routeLine(r, names))
		}
		for _, m := range ipJSON(t, ns, "-d", "-j", flag, "route", "show", "table", "all") {
			theirs = append(theirs, ipRouteLine(m, fam))
		}
		compareSets(t, "routes "+flag, ours, theirs)

		rules, err := c.Rules(fam)
		if err != nil {
			t.Fatal(err)
		}
		ours, theirs = nil, nil
		for _, r := range rules {
			ours = append(ours, ruleLine(r))
		}
		for _, m := range ipJSON(t, ns, "-d", "-j", flag, "rule") {
			theirs = append(theirs, ipRuleLine(m, fam))
		}
		compareSets(t, "rules "+flag, ours, theirs)
	}
}

// TestDumpsMatchIP builds links (veth, bridge, a veth with its peer in
// another namespace), addresses (v4/v6, peer, broadcast, label, lifetimes,
// secondary), routes in several tables (multipath, blackhole,
// unreachable, ids > 255) and rules, then compares field by field.
func TestDumpsMatchIP(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	buildTopology(t, ns)
	ns.IP(t, "-6", "route", "add", "2001:db8:2::/48", "table", "1000", "nexthop", "via", "2001:db8::fa", "dev", "cap0",
		"nexthop", "via", "2001:db8::fb", "dev", "cap0", "weight", "5")
	ns.IP(t, "route", "add", "prohibit", "10.50.0.0/16", "table", "70000", "metric", "9")
	ns.IP(t, "route", "add", "10.60.0.0/16", "dev", "cap0", "src", "198.51.100.1", "proto", "dhcp", "table", "254")
	ns.IP(t, "addr", "add", "198.51.100.7/24", "dev", "cap0") // becomes secondary
	ns.IP(t, "rule", "add", "prio", "600", "fwmark", "7", "unreachable")
	ns.IP(t, "-6", "rule", "add", "prio", "700", "not", "to", "2001:db8:5::/64", "iif", "cap1", "table", "70000")
	other := nstest.New(t) // a veth whose peer lives in another namespace
	ns.IP(t, "link", "add", "xns0", "mtu", "9000", "type", "veth", "peer", "name", "xns1", "netns", other.Name)
	ns.IP(t, "link", "set", "xns0", "up")
	c := dialIn(t, ns)
	compareWithIP(t, ns, c)

	// Carrier is not in `ip -j`; sysfs inside the namespace has it.
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.Flags&unix.IFF_UP == 0 || l.Carrier == nil {
			continue
		}
		want := strings.TrimSpace(ns.Run(t, "cat", "/sys/class/net/"+l.Name+"/carrier")) == "1"
		if *l.Carrier != want {
			t.Errorf("%s: carrier %v, sysfs says %v", l.Name, *l.Carrier, want)
		}
	}
}
