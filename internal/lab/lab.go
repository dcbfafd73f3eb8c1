package lab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The lab's links (real-components.md §4). Each lab link in NS has a peer
// in SrvNS; Carrier switches the peer to drop or restore the carrier.
const (
	LinkStatic   = "veth-st" // networkd static 10.77.0.2/24, gw 10.77.0.1
	LinkDhcp     = "veth-dh" // unmanaged by networkd; ISC dhclient -> 192.168.51.10
	LinkNetworkd = "veth-nd" // networkd DHCP=ipv4 from dnsmasq -> 192.168.52.10

	PeerStatic   = "veth-stp" // 10.77.0.1/24
	PeerDhcp     = "srv-dh"   // 192.168.51.1/24
	PeerNetworkd = "srv-nd"   // 192.168.52.1/24

	// Hostname is the lab's hostname, set in its UTS namespace at Up.
	Hostname = "nb-lab"
)

// Options says which components Up starts. The zero value gives the bus,
// the namespaces and the links only.
type Options struct {
	// Networkd runs systemd-networkd with NetworkFiles (file name →
	// content; nil means DefaultNetworkFiles) and the optional
	// networkd.conf.d drop-in NetworkdConf
	// (e.g. "[Network]\nManageForeignRoutingPolicyRules=no\n").
	Networkd     bool
	NetworkFiles map[string]string
	NetworkdConf string
	// DHCP runs dnsmasq in SrvNS for veth-dh and veth-nd; LeaseTime is
	// the lease of both ranges (default "10m", minimum "2m").
	DHCP      bool
	LeaseTime string
	// Dhclient runs ISC dhclient on veth-dh and waits for its lease
	// (needs DHCP).
	Dhclient bool
	// Resolved runs the extracted systemd-resolved as nobody; Hostnamed
	// makes systemd-hostnamed bus-activatable (and checks it once);
	// Polkit runs polkitd with private rules directories.
	Resolved, Hostnamed, Polkit bool
	// Users are system users (and groups of the same name) that exist
	// inside the lab only, e.g. "network-broker": private copies of
	// /etc/passwd and /etc/group are mounted there. See Lab.User.
	Users []string
}

// Full returns Options with every component on.
func Full() Options {
	return Options{Networkd: true, DHCP: true, Dhclient: true, Resolved: true, Hostnamed: true, Polkit: true}
}

// Lab is one running lab. Paths are host paths; the lab sees the ns/*
// directories at their usual places (/run/systemd, /var/lib/dhcp, ...).
type Lab struct {
	Dir    string // scratch dir, /tmp/nbl-<pid>-<n>; log/ is kept when the test fails
	Bus    string // "unix:path=<Dir>/bus.sock"; inside the lab also /run/dbus/system_bus_socket
	Holder int    // PID of the namespace holder: nsenter -t Holder -n -m -u enters the lab
	NS     string // netns of the lab side (the broker, systemd, dhclient)
	SrvNS  string // netns of the server side (dnsmasq, link peers)

	RunSystemd  string // <Dir>/ns/run-systemd = /run/systemd inside (netif/ state files, leases)
	NetworkDir  string // <Dir>/ns/etc-systemd-network = /etc/systemd/network inside
	PolkitDir   string // <Dir>/ns/polkit-etc-rules = /etc/polkit-1/rules.d inside: drop *.rules here
	ResolvedDir string // the unpacked systemd-resolved package (usr/bin/resolvectl, ...)

	opts  Options
	state hostState

	mu        sync.Mutex
	bus       *Proc
	holder    *Proc
	dnsmasq   *Proc
	networkd  *Proc
	resolved  *Proc
	polkit    *Proc
	dhclients map[string]*Proc
	names     map[string]int
	users     []labUser
}

var labSeq atomic.Int32

// Up brings a lab up as o asks and registers its teardown with t.Cleanup:
// processes stopped in the recipe's order (§7), namespaces deleted, files
// removed (log/ kept if t failed), then the host state compared with the
// one recorded before Up; a difference is a t.Error. Up calls Require.
func Up(t testing.TB, o Options) *Lab {
	t.Helper()
	Require(t)
	cleanStale(t)
	if o.LeaseTime == "" {
		o.LeaseTime = "10m"
	}
	if o.NetworkFiles == nil {
		o.NetworkFiles = DefaultNetworkFiles()
	}
	if o.Dhclient && !o.DHCP {
		t.Fatal("lab: Options.Dhclient needs Options.DHCP (dnsmasq serves the lease)")
	}
	rdir, err := resolvedDir()
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	// Claim a fresh dir: one kept from a failed run of an earlier process
	// with the same PID may exist.
	pid := os.Getpid()
	var n int32
	var dir string
	for {
		n = labSeq.Add(1)
		dir = fmt.Sprintf("/tmp/nbl-%d-%d", pid, n)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			break
		}
		if !os.IsExist(err) || n > 10000 {
			t.Fatalf("lab: %v", err)
		}
	}
	l := &Lab{
		Dir: dir, Bus: "unix:path=" + dir + "/bus.sock",
		NS: fmt.Sprintf("nbt-%d-%d", pid, n), SrvNS: fmt.Sprintf("nbs-%d-%d", pid, n),
		RunSystemd: dir + "/ns/run-systemd", NetworkDir: dir + "/ns/etc-systemd-network",
		PolkitDir: dir + "/ns/polkit-etc-rules", ResolvedDir: rdir,
		opts: o, state: snapshotHost(), dhclients: map[string]*Proc{}, names: map[string]int{},
	}
	t.Cleanup(func() { l.down(t) })
	start := time.Now()
	var phases []string
	step := func(name string, f func(testing.TB)) {
		t0 := time.Now()
		f(t)
		phases = append(phases, name+" "+time.Since(t0).Round(time.Millisecond).String())
	}
	step("files", l.writeFiles)
	step("links", l.makeLinks)
	step("holder", l.startHolder)
	step("bus", l.StartBus)
	if o.DHCP {
		step("dnsmasq", l.startDnsmasq)
	}
	if o.Polkit {
		step("polkitd", l.startPolkit)
	}
	if o.Networkd {
		step("networkd", l.StartNetworkd)
	}
	if o.Resolved {
		step("resolved", l.startResolved)
	}
	if o.Hostnamed {
		step("hostnamed", l.checkHostnamed)
	}
	if o.Dhclient {
		step("dhclient", func(t testing.TB) { l.StartDhclient(t, LinkDhcp) })
	}
	t.Logf("lab: up in %v (%s): dir %s, netns %s/%s, holder %d", time.Since(start).Round(time.Millisecond),
		strings.Join(phases, ", "), dir, l.NS, l.SrvNS, l.Holder)
	return l
}

// makeLinks creates both namespaces and the three veth pairs inside them,
// so the root netns never sees a lab link.
func (l *Lab) makeLinks(t testing.TB) {
	t.Helper()
	ns, srv := l.NS, l.SrvNS
	for _, args := range [][]string{
		{"netns", "add", ns},
		{"netns", "add", srv},
		{"-n", ns, "link", "set", "lo", "up"},
		{"-n", srv, "link", "set", "lo", "up"},
		{"-n", ns, "link", "add", LinkStatic, "type", "veth", "peer", "name", PeerStatic, "netns", srv},
		{"-n", ns, "link", "add", LinkDhcp, "address", "02:00:00:00:51:02", "type", "veth",
			"peer", "name", PeerDhcp, "address", "02:00:00:00:51:01", "netns", srv},
		{"-n", ns, "link", "add", LinkNetworkd, "address", "02:00:00:00:52:02", "type", "veth",
			"peer", "name", PeerNetworkd, "address", "02:00:00:00:52:01", "netns", srv},
		{"-n", srv, "addr", "add", "10.77.0.1/24", "dev", PeerStatic},
		{"-n", srv, "addr", "add", "192.168.51.1/24", "dev", PeerDhcp},
		{"-n", srv, "addr", "add", "192.168.52.1/24", "dev", PeerNetworkd},
		{"-n", srv, "link", "set", PeerStatic, "up"},
		{"-n", srv, "link", "set", PeerDhcp, "up"},
		{"-n", srv, "link", "set", PeerNetworkd, "up"},
	} {
		run(t, "ip", args...)
	}
}

// startHolder starts ns-init in NS with a private mount and UTS namespace
// and waits until it has mounted everything.
func (l *Lab) startHolder(t testing.TB) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", l.NS, "unshare", "--mount", "--uts", "--propagation", "private",
		"/bin/sh", l.Dir+"/bin/ns-init")
	l.holder = startProc(t, "holder", l.Dir+"/log/holder.log", cmd, false)
	l.Holder = l.holder.PID
	ready := l.Dir + "/run/holder.ready"
	waitFor(t, 5*time.Second, "namespace holder ready", func() (bool, string) {
		if l.holder.Exited() {
			t.Fatalf("lab: namespace holder exited: %s", l.holder.LogText())
		}
		_, err := os.Stat(ready)
		return err == nil, ""
	})
	// ns-init checked this before mounting anything; check again from
	// here, against PID 1's namespaces where readable and the test's own.
	self, pid1, holder := namespaces("self"), namespaces("1"), namespaces(strconv.Itoa(l.Holder))
	for _, ns := range []string{"mnt", "net", "uts"} {
		if h := holder[ns]; h == "" || h == self[ns] || h == pid1[ns] {
			t.Fatalf("lab: holder %s namespace %q is unreadable or the host's (test %q, PID 1 %q)", ns, h, self[ns], pid1[ns])
		}
	}
}

// down tears the lab down (§7) and checks the host state.
func (l *Lab) down(t testing.TB) {
	t.Helper()
	l.mu.Lock()
	var procs []*Proc
	for _, p := range l.dhclients {
		procs = append(procs, p)
	}
	procs = append(procs, l.resolved, l.polkit, l.networkd, l.dnsmasq)
	holder, bus := l.holder, l.bus
	l.mu.Unlock()
	l.stopHostnamed(t)
	for _, p := range procs {
		if p != nil {
			p.Stop(t)
		}
	}
	keep := []int{l.Holder}
	if bus != nil {
		keep = append(keep, bus.PID)
	}
	for _, ns := range []string{l.NS, l.SrvNS} {
		killNetns(t, ns, keep...)
	}
	for _, p := range []*Proc{holder, bus} {
		if p != nil {
			p.Stop(t)
		}
	}
	for _, ns := range []string{l.NS, l.SrvNS} {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
				t.Errorf("lab: ip netns del %s: %v: %s", ns, err, out)
			}
		}
	}
	l.removeDir(t)
	if d := l.state.diff(snapshotHost()); len(d) > 0 {
		for _, line := range d {
			t.Errorf("lab: host state changed by the lab: %s", line)
		}
	}
}

// removeDir removes the lab directory; when the test failed, log/ stays
// for a post-mortem and its path is logged.
func (l *Lab) removeDir(t testing.TB) {
	if !t.Failed() {
		if err := os.RemoveAll(l.Dir); err != nil {
			t.Errorf("lab: remove %s: %v", l.Dir, err)
		}
		return
	}
	for _, sub := range []string{"run", "ns", "bin", "bus.sock"} {
		_ = os.RemoveAll(filepath.Join(l.Dir, sub))
	}
	t.Logf("lab: test failed, logs kept in %s/log", l.Dir)
}
