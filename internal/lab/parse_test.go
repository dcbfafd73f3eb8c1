package lab

import (
	"os"
	"strings"
	"testing"
)

func TestParseDhclientEvents(t *testing.T) {
	b, err := os.ReadFile("testdata/dhclient-events.log")
	if err != nil {
		t.Fatal(err)
	}
	evs := parseDhclientEvents(string(b))
	var reasons []string
	for i, ev := range evs {
		if ev.Line != i || ev.Iface != "veth-dh" {
			t.Errorf("event %d: Line %d Iface %q", i, ev.Line, ev.Iface)
		}
		reasons = append(reasons, ev.Reason)
	}
	if got, want := strings.Join(reasons, " "), "PREINIT BOUND PREINIT REBOOT"; got != want {
		t.Errorf("reasons = %q, want %q", got, want)
	}
	bound := evs[1].Vars
	for k, want := range map[string]string{
		"new_ip_address": "192.168.51.10", "new_routers": "192.168.51.1",
		"new_domain_name_servers": "192.168.51.1 192.168.51.53", "new_domain_search": "dh.lab.example. lab.example.",
		"new_host_name": "client-dh", "old_ip_address": "",
	} {
		if got, ok := bound[k]; !ok || got != want {
			t.Errorf("BOUND %s = %q (present %v), want %q", k, got, ok, want)
		}
	}
	// A line still being written is not an event yet.
	cut := string(b[:len(b)-10])
	if n := len(parseDhclientEvents(cut)); n != len(evs)-1 {
		t.Errorf("with a partial last line: %d events, want %d", n, len(evs)-1)
	}
}

func TestParseLinks(t *testing.T) {
	b, err := os.ReadFile("testdata/ip-o-link-show.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := parseLinks(string(b))
	want := map[string]int{"lo": 1, "veth-st": 2, "veth-dh": 3, "veth-nd": 4}
	if len(got) != len(want) {
		t.Errorf("parseLinks = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("parseLinks[%s] = %d, want %d", k, got[k], v)
		}
	}
}

func TestBusValue(t *testing.T) {
	b, err := os.ReadFile("testdata/busctl-values.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	want := []string{"configured", "routable", "nb-lab", "0", "0", "routable",
		"b42e02d70f41e7067834c3e66b11a50c", ":1.2", "18446744073709551615 18446744073709551615"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(lines), len(want))
	}
	for i, l := range lines {
		if got := busValue(l); got != want[i] {
			t.Errorf("busValue(%q) = %q, want %q", l, got, want[i])
		}
	}
	if got := busValue(`s "a \"quoted\" word"`); got != `a "quoted" word` {
		t.Errorf("escaped string: %q", got)
	}
}

func TestLinkPath(t *testing.T) {
	for idx, want := range map[int]string{1: "_31", 2: "_32", 12: "_312", 123: "_3123"} {
		if got := LinkPath(idx); got != "/org/freedesktop/network1/link/"+want {
			t.Errorf("LinkPath(%d) = %q, want .../%s", idx, got, want)
		}
	}
}

func TestStalePID(t *testing.T) {
	for _, c := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"nbt-123-4", 123, true}, {"nbs-9-1", 9, true}, {"nbl-77-2", 77, true},
		{"nbt-abc-1", 0, false}, {"nbt-123", 0, false}, {"other-1-2", 0, false}, {"nbt--1", 0, false},
	} {
		pid, ok := stalePID(c.name, "nbt-", "nbs-", "nbl-")
		if ok != c.ok || (ok && pid != c.pid) {
			t.Errorf("stalePID(%q) = %d, %v; want %d, %v", c.name, pid, ok, c.pid, c.ok)
		}
	}
}

func TestHostStateDiff(t *testing.T) {
	a := hostState{"hostname": "vm", "ip rule show": "0: from all lookup local"}
	b := hostState{"hostname": "vm", "ip rule show": "0: from all lookup local\n100: from 10.0.0.1 lookup 5"}
	if d := a.diff(a); len(d) != 0 {
		t.Errorf("diff of equal states: %v", d)
	}
	d := b.diff(a)
	if len(d) != 1 || !strings.Contains(d[0], "ip rule show") || !strings.Contains(d[0], "lookup 5") {
		t.Errorf("diff = %q, want the rule change", d)
	}
	if got := dropCounters("fe80::/64 dev eth0 proto ra metric 100 expires 1234sec pref medium"); strings.Contains(got, "expires") ||
		!strings.Contains(got, "metric 100 pref medium") {
		t.Errorf("dropCounters = %q", got)
	}
	addr := "4: eth0 inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic eth0\\ valid_lft 86390sec preferred_lft 86390sec"
	if got, want := dropCounters(addr), "4: eth0 inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic eth0\\"; got != want {
		t.Errorf("dropCounters(%q) = %q, want %q", addr, got, want)
	}
	if got := dropCounters("valid_lft forever preferred_lft forever"); got != "valid_lft forever preferred_lft forever" {
		t.Errorf("dropCounters dropped a fixed lifetime: %q", got)
	}
}

// FuzzParsers feeds the lab's parsers of tool output (dhclient hook log,
// ip -o link, busctl replies) with real captures and mutations: they must
// never panic.
func FuzzParsers(f *testing.F) {
	for _, name := range []string{"dhclient-events.log", "ip-o-link-show.txt", "busctl-values.txt"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		evs := parseDhclientEvents(s)
		for i, ev := range evs {
			if ev.Line != i {
				t.Fatalf("event %d has Line %d", i, ev.Line)
			}
		}
		for name, idx := range parseLinks(s) {
			if name == "" || strings.ContainsAny(name, " \t\n") {
				t.Fatalf("parseLinks: bad name %q (%d)", name, idx)
			}
		}
		_ = busValue(s)
		_ = dropCounters(s)
	})
}
