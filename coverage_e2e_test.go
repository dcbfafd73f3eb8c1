package main

import (
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"network-broker/dbus"
	"network-broker/internal/lab"
	"network-broker/internal/nstest"
)

// TestLinkRenameAndRemoval with networkd and no Links filter: a new link
// runs hooks under its name, a rename shows in later runs, and a removed
// link never runs anything nameless. networkd signals it as linger after
// the kernel's RTM_DELLINK; linger.d may still run when that signal wins
// the race with the kernel's notification, but always with the name.
func TestLinkRenameAndRemoval(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	rec := newRecorder(t, l.Dir, "System:\n  User: root\n", append(allStateDirs, "linger.d", "unmanaged.d")...)
	b := startBroker(t, l, "broker", rec.dir)

	l.Exec(t, "ip", "link", "add", "vx0", "type", "veth", "peer", "name", "vx0p", "netns", l.SrvNS)
	l.SrvExec(t, "ip", "link", "set", "vx0p", "up")
	l.Exec(t, "ip", "addr", "add", "10.95.0.2/24", "dev", "vx0")
	l.Exec(t, "ip", "link", "set", "vx0", "up")
	rec.waitRuns(t, 10*time.Second, "routable.d for vx0", func(r []hookRun) bool { return len(linkRuns(r, "vx0", "routable.d")) > 0 })

	l.Exec(t, "ip", "link", "set", "vx0", "down")
	l.Exec(t, "ip", "link", "set", "vx0", "name", "vy0")
	l.Exec(t, "ip", "link", "set", "vy0", "up")
	waitLog(t, b, "msg=\"link renamed\"", 5*time.Second)
	rec.waitRuns(t, 10*time.Second, "hooks under the new name", func(r []hookRun) bool { return len(linkRuns(r, "vy0", "routable.d")) > 0 })

	l.Exec(t, "ip", "link", "del", "vy0")
	time.Sleep(time.Second) // networkd's linger signal comes after the kernel's RTM_DELLINK
	for _, r := range rec.runs(t) {
		if r.Dir != "manager.d" && r.Env["LINK"] == "" {
			t.Errorf("a run without a link name: %s", r)
		}
		if r.Dir == "linger.d" && r.Env["LINK"] != "vy0" {
			t.Errorf("linger.d ran for another link than the removed one: %s", r)
		}
	}
}

// TestLeaseFileLifecycle: the dhclient source follows a lease file that
// is written, truncated, deleted, recreated, replaced by rename and
// appended half a block at a time; only a changed, complete lease runs
// routable.d.
func TestLeaseFileLifecycle(t *testing.T) {
	nstest.RequireRoot(t)
	ns := nstest.New(t)
	base := t.TempDir()
	leases := filepath.Join(base, "leases")
	os.Mkdir(leases, 0o755)
	file := filepath.Join(leases, "dhclient.lo.leases")
	rec := newRecorder(t, base, "System:\n  Generator: dhclient\n  User: root\nNetwork:\n  Links: lo\n  LeaseFiles: "+
		leases+"/*.leases\n", "routable.d")
	lease := func(addr string) string {
		return "lease {\n  interface \"lo\";\n  fixed-address " + addr + ";\n  option routers 127.0.0.1;\n  renew 4 2026/12/03 15:47:44;\n}\n"
	}
	os.WriteFile(file, []byte(lease("127.0.0.10")), 0o644)
	b := startNSBroker(t, ns, rec.dir)
	count := func() int { return len(linkRuns(rec.runs(t), "lo", "routable.d")) }
	expect := func(what string, n int) {
		t.Helper()
		rec.waitRuns(t, 5*time.Second, what, func(r []hookRun) bool { return len(linkRuns(r, "lo", "routable.d")) >= n })
		time.Sleep(400 * time.Millisecond)
		if c := count(); c != n {
			t.Fatalf("%s: %d runs of routable.d, want %d:\n%s", what, c, n, runList(rec.runs(t)))
		}
		last := linkRuns(rec.runs(t), "lo", "routable.d")[n-1]
		if n > 0 && !strings.Contains(last.Env["DHCP_LEASE"], "ADDRESS=") {
			t.Fatalf("%s: DHCP_LEASE %q", what, last.Env["DHCP_LEASE"])
		}
	}
	expect("the lease at start", 1)

	os.WriteFile(file, nil, 0o644) // truncated, as dhclient does before rewriting
	os.WriteFile(file, []byte(lease("127.0.0.10")), 0o644)
	expect("the same lease rewritten in place", 1)

	os.Remove(file)
	time.Sleep(300 * time.Millisecond)
	os.WriteFile(file, []byte(lease("127.0.0.11")), 0o644)
	expect("a changed lease in a recreated file", 2)

	tmp := filepath.Join(leases, ".tmp")
	os.WriteFile(tmp, []byte(lease("127.0.0.12")), 0o644)
	os.Rename(tmp, file)
	expect("a changed lease replacing the file by rename", 3)

	half := lease("127.0.0.13")
	f, _ := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(half[:40])
	f.Sync()
	time.Sleep(500 * time.Millisecond)
	if c := count(); c != 3 {
		t.Fatalf("a half-written block ran routable.d (%d runs)", c)
	}
	f.WriteString(half[40:])
	f.Close()
	expect("the block completed", 4)

	// A malformed block is logged with its position; the daemon goes on.
	appendFile(t, file, "lease {\n  interface \"lo\";\n  fixed-address not-an-address x y;\n}\n")
	appendFile(t, file, lease("127.0.0.14"))
	expect("a good block after a bad one", 5)
	logged := false
	for _, line := range strings.Split(b.text(), "\n") {
		logged = logged || strings.Contains(line, `msg="bad lease file entry skipped"`) && strings.Contains(line, " line=")
	}
	if !logged {
		t.Errorf("the bad block was not logged with its line:\n%s", b.text())
	}
	if got := linkRuns(rec.runs(t), "lo", "routable.d")[3].Env["DHCP_LEASE"]; !strings.Contains(got, "ADDRESS=127.0.0.13") {
		t.Errorf("the completed block's lease: %q", got)
	}
}

// TestDNSArgument checks the a(iay) built for SetLinkDNS: IPv4 servers
// with family 2 and 4 bytes, IPv6 with family 10 and 16 bytes.
func TestDNSArgument(t *testing.T) {
	arg := dnsArg([]netip.Addr{netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("2001:db8::53"),
		netip.MustParseAddr("::ffff:192.0.2.54")})
	want := []struct {
		fam int32
		n   int
	}{{2, 4}, {10, 16}, {2, 4}}
	if len(arg) != len(want) {
		t.Fatalf("%d entries", len(arg))
	}
	for i, w := range want {
		st := arg[i].(dbus.Struct)
		if st[0].(int32) != w.fam || len(st[1].([]byte)) != w.n {
			t.Errorf("entry %d: %v, want family %d with %d bytes", i, st, w.fam, w.n)
		}
	}
	m := &dbus.Message{Type: dbus.TypeMethodCall, Serial: 1, Path: "/org/freedesktop/resolve1",
		Member: "SetLinkDNS", Destination: resolveName, Signature: "ia(iay)", Body: []any{int32(3), arg}}
	if _, err := m.Encode(binary.LittleEndian); err != nil {
		t.Errorf("SetLinkDNS does not marshal: %v", err)
	}
}

// TestDemo runs sudo make demo's script: it must show hooks running and
// leave no namespace behind.
func TestDemo(t *testing.T) {
	nstest.RequireRoot(t)
	needTool(t, "make")
	runCmd(t, ".", "make", "build")
	out, err := exec.Command("sh", "demo/demo.sh", "bin/network-broker").CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"ran routable.d for demo0", "ran no-carrier.d for demo0", "from 192.0.2.10 lookup",
		`"Name":"demo0"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if ns, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(ns), "nb-demo") {
		t.Errorf("demo left namespaces: %s", ns)
	}
}
