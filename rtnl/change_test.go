package rtnl

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"network-broker/internal/nstest"
)

// TestChanges adds, replaces and deletes rules and routes through the
// library and checks the kernel's view with ip, and the kernel's errors.
func TestChanges(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	buildTopology(t, ns)
	c := dialIn(t, ns)

	rules := []Rule{
		{Family: afInet, Priority: 1100, Src: pfx("198.51.100.1/32"), Table: 1003, Protocol: unix.RTPROT_STATIC},
		{Family: afInet, Priority: 1101, Dst: pfx("198.51.100.1/32"), Table: 1003},
		{Family: afInet6, Priority: 1100, Src: pfx("2001:db8::1/128"), Table: 1003, OIFName: "cap0"},
		{Family: afInet, Priority: 1200, IIFName: "cap1", Mark: 0x20, Mask: 0xf0, Invert: true, Table: 70001},
	}
	for _, r := range rules {
		if err := c.AddRule(r); err != nil {
			t.Fatalf("AddRule %+v: %v", r, err)
		}
	}
	if err := c.AddRule(rules[0]); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("adding a rule twice: %v, want EEXIST", err)
	}
	routes := []Route{
		{Dst: pfx("198.51.100.0/24"), OutIndex: 3, PrefSrc: ip("198.51.100.1"), Table: 1003, Protocol: unix.RTPROT_STATIC},
		{Dst: pfx("0.0.0.0/0"), Gateway: ip("198.51.100.254"), OutIndex: 3, Table: 1003, Priority: 20},
		{Dst: pfx("2001:db8::/64"), OutIndex: 3, Table: 1003},
		{Dst: pfx("::/0"), Gateway: ip("2001:db8::fe"), OutIndex: 3, Table: 1003},
		{Dst: pfx("10.70.0.0/16"), Table: 70001, Multipath: []NextHop{
			{Gateway: ip("198.51.100.2"), OutIndex: 3, Weight: 3}, {Gateway: ip("198.51.100.3"), OutIndex: 3}}},
		{Dst: pfx("10.71.0.0/16"), Table: 70001, Type: unix.RTN_BLACKHOLE},
	}
	for _, r := range routes {
		if err := c.AddRoute(r); err != nil {
			t.Fatalf("AddRoute %+v: %v", r, err)
		}
	}
	if err := c.AddRoute(routes[1]); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("adding a route twice: %v, want EEXIST", err)
	}
	replaced := routes[1]
	replaced.Gateway = ip("198.51.100.253")
	if err := c.ReplaceRoute(replaced); err != nil {
		t.Fatalf("ReplaceRoute: %v", err)
	}
	want := map[string]string{
		"-4 rule":                   "1100:\tfrom 198.51.100.1 lookup 1003 proto static\n1101:\tfrom all to 198.51.100.1 lookup 1003\n1200:\tnot from all fwmark 0x20/0xf0 iif cap1 lookup 70001",
		"-6 rule":                   "1100:\tfrom 2001:db8::1 oif cap0 lookup 1003",
		"-4 route show table 1003":  "default via 198.51.100.253 dev cap0 metric 20\n198.51.100.0/24 dev cap0 proto static scope link src 198.51.100.1",
		"-6 route show table 1003":  "2001:db8::/64 dev cap0 metric 1024 pref medium\ndefault via 2001:db8::fe dev cap0 metric 1024 pref medium",
		"-4 route show table 70001": "10.70.0.0/16\n\tnexthop via 198.51.100.2 dev cap0 weight 3\n\tnexthop via 198.51.100.3 dev cap0 weight 1\nblackhole 10.71.0.0/16",
	}
	checkIP(t, ns, want)
	compareWithIP(t, ns, c) // and the library's dumps agree with ip

	for _, r := range rules {
		if err := c.DeleteRule(r); err != nil {
			t.Fatalf("DeleteRule %+v: %v", r, err)
		}
	}
	if err := c.DeleteRule(rules[0]); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("deleting a missing rule: %v, want ENOENT", err)
	}
	for _, r := range append(routes[:1], routes[2:]...) {
		if err := c.DeleteRoute(r); err != nil {
			t.Fatalf("DeleteRoute %+v: %v", r, err)
		}
	}
	if err := c.DeleteRoute(Route{Dst: pfx("0.0.0.0/0"), Table: 1003}); err != nil {
		t.Fatalf("DeleteRoute of the replaced default by key: %v", err)
	}
	if err := c.DeleteRoute(routes[0]); !errors.Is(err, unix.ESRCH) {
		t.Fatalf("deleting a missing route: %v, want ESRCH", err)
	}
	for k := range want {
		want[k] = ""
	}
	checkIP(t, ns, want)
}

// checkIP compares the text of `ip ARGS` with want; of rules it keeps
// only priorities 1000..9999, the ones this test makes.
func checkIP(t *testing.T, ns *nstest.NS, want map[string]string) {
	t.Helper()
	for args, w := range want {
		var lines []string
		for _, l := range strings.Split(strings.TrimRight(ns.IP(t, strings.Fields(args)...), "\n"), "\n") {
			prio, _, _ := strings.Cut(l, ":")
			if l == "" || strings.HasSuffix(args, "rule") && len(prio) != 4 {
				continue
			}
			lines = append(lines, strings.TrimRight(l, " "))
		}
		if got := strings.Join(lines, "\n"); got != w {
			t.Errorf("ip %s:\n got %q\nwant %q", args, got, w)
		}
	}
}

// TestKernelErrorMessage: a request the kernel refuses comes back as an
// *Error with the errno and the extended-ack text.
func TestKernelErrorMessage(t *testing.T) {
	t.Parallel()
	ns := nstest.New(t)
	buildTopology(t, ns)
	c := dialIn(t, ns)
	err := c.AddRoute(Route{Dst: pfx("10.80.0.0/16"), Gateway: ip("203.0.113.1"), Table: 1003})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, unix.EINVAL) || !strings.Contains(e.Msg, "gateway") || e.Op != "add route" {
		t.Fatalf("unreachable gateway: %#v (%v), want EINVAL with an extack message about the gateway", e, err)
	}
	t.Logf("kernel said: %v", err)
	if err := c.AddRule(Rule{Family: afInet, Priority: 5, Action: unix.FR_ACT_GOTO, Goto: 1}); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("goto backwards: %v, want EINVAL", err)
	}
	c.Close()
	if _, err := c.Links(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Links after Close: %v, want ErrClosed", err)
	}
}
