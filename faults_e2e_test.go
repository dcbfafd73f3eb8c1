package main

// Fault tests (issue 10): each drives one fault into the broker with real
// components, then checks that the broker is alive, that its memory is
// bounded and that the state it acts on (what its hooks receive) matches
// the kernel and networkd.

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"network-broker/internal/lab"
	"network-broker/internal/nstest"
	"network-broker/internal/perf"
)

// faultMaxRSS bounds the broker's resident memory after a fault. It is a
// generous ceiling for a leak or an unbounded buffer, not a performance
// figure (that is TestPerfFigures's job).
const faultMaxRSS = 30 << 20

// faultAlive fails unless pid is alive with a bounded resident set, and
// returns the reading.
func faultAlive(t *testing.T, pid int, after string) perf.Stat {
	t.Helper()
	s, err := perf.Read(pid)
	if err != nil {
		t.Fatalf("after %s the broker (pid %d) is gone: %v", after, pid, err)
	}
	if s.RSS > faultMaxRSS {
		t.Errorf("after %s the broker's RSS is %s MiB, want < %s MiB", after, perf.MiB(s.RSS), perf.MiB(faultMaxRSS))
	}
	t.Logf("after %s: RSS %s MiB (peak %s MiB), %d threads, %d fds", after, perf.MiB(s.RSS), perf.MiB(s.HWM), s.Threads, s.FDs)
	return s
}

// faultSettledFDs waits until pid holds no more descriptors than at
// start (a hook still finishing holds its pipes and pidfd for a moment);
// more for 5 s is a leak.
func faultSettledFDs(t *testing.T, pid, start int) {
	t.Helper()
	waitFor(t, 5*time.Second, fmt.Sprintf("the broker's descriptors to return to %d", start), func() (bool, string) {
		s, err := perf.Read(pid)
		if err != nil {
			t.Fatalf("the broker is gone: %v", err)
		}
		return s.FDs <= start, fmt.Sprintf("%d descriptors", s.FDs)
	})
}

// faultStopCont stops pid with SIGSTOP and arranges SIGCONT in any case, so a
// failing test never leaves a stopped broker behind for the cleanup.
func faultStopCont(t *testing.T, pid int) (cont func()) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %d: %v", pid, err)
	}
	done := false
	cont = func() {
		if !done {
			done = true
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(cont)
	return cont
}

// faultWaitLog waits until the broker's log holds text.
func (b *kernelBroker) faultWaitLog(t *testing.T, text string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, fmt.Sprintf("broker log line %q", text), func() (bool, string) {
		s := b.text()
		return strings.Contains(s, text), faultTail(s, 5)
	})
}

func faultTail(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// faultJSONLink is the part of the JSON link object the fault tests compare.
type faultJSONLink struct {
	Index            int
	Name             string
	OperationalState string
	Address          []struct {
		IP   string
		Mask int
	}
	Routes []struct {
		Dst struct {
			IP   string
			Mask int
		}
		Gw    string
		Table int
	}
	RoutesOmitted int
}

func faultParseJSON(t *testing.T, r hookRun) faultJSONLink {
	t.Helper()
	var j faultJSONLink
	if err := json.Unmarshal([]byte(r.Env["JSON"]), &j); err != nil {
		t.Fatalf("JSON of %s does not parse: %v", r, err)
	}
	return j
}

// addrSet and routeSet render what the broker passed as comparable strings.
func (j faultJSONLink) addrSet() []string {
	var out []string
	for _, a := range j.Address {
		out = append(out, fmt.Sprintf("%s/%d", a.IP, a.Mask))
	}
	return out
}

func (j faultJSONLink) routeSet() []string {
	var out []string
	for _, r := range j.Routes {
		dst := "default"
		if r.Dst.Mask > 0 {
			dst = netip.PrefixFrom(netip.MustParseAddr(r.Dst.IP), r.Dst.Mask).String()
		}
		out = append(out, fmt.Sprintf("%s via %s table %d", dst, r.Gw, r.Table))
	}
	return out
}

// faultIPAddrs lists `ip -j addr` of a link in ns as "IP/len".
func faultIPAddrs(t *testing.T, ns *nstest.NS, link string) []string {
	var ipl []struct {
		AddrInfo []struct {
			Local     string `json:"local"`
			Prefixlen int    `json:"prefixlen"`
		} `json:"addr_info"`
	}
	mustJSON(t, ns.IP(t, "-j", "addr", "show", "dev", link), &ipl)
	var out []string
	for _, l := range ipl {
		for _, a := range l.AddrInfo {
			out = append(out, fmt.Sprintf("%s/%d", a.Local, a.Prefixlen))
		}
	}
	return out
}

// faultIPRoutes lists `ip -j route show table all` of a link in ns, IPv4 and
// IPv6, in the form of faultJSONLink.routeSet.
func faultIPRoutes(t *testing.T, ns *nstest.NS, link string) []string {
	return ipRoutesWith(t, func(args ...string) string { return ns.IP(t, args...) }, link)
}

// faultVeth makes namespace h with link name whose peer sits up in p.
func faultVeth(t *testing.T, h, p *nstest.NS, name string) {
	t.Helper()
	h.IP(t, "link", "add", name, "type", "veth", "peer", "name", name+"p", "netns", p.Name)
	p.IP(t, "link", "set", name+"p", "up")
}

// faultBatch writes an `ip -batch` file.
func faultBatch(t *testing.T, lines []string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFaultNetlinkOverrun stops the broker while thousands of address and
// route changes overflow its netlink socket; after SIGCONT it must log the
// overrun, resync from a dump, and hand routes-modified.d exactly the
// kernel's addresses and routes of the link.
func TestFaultNetlinkOverrun(t *testing.T) {
	nstest.RequireRoot(t)
	h, p := nstest.New(t), nstest.New(t)
	faultVeth(t, h, p, "k0")
	h.IP(t, "addr", "add", "10.96.0.2/24", "dev", "k0")
	h.IP(t, "link", "set", "k0", "up")
	rec := newRecorder(t, t.TempDir(), "System:\n  Generator: kernel\n  User: root\n  RoutesDebounce: 100ms\nNetwork:\n  Links: k0\n",
		"routes-modified.d")
	b := startNSBroker(t, h, rec.dir)
	pid := b.cmd.Process.Pid
	faultAlive(t, pid, "start")

	// About 20000 notifications (addresses come with their local routes):
	// more than the broker's 4 MiB receive buffer holds.
	const n = 4000
	var batch []string
	for i := 0; i < n; i++ {
		batch = append(batch, fmt.Sprintf("route add 10.200.%d.%d/32 dev k0", i/250, i%250+1))
		batch = append(batch, fmt.Sprintf("addr add 10.150.%d.%d/32 dev k0", i/250, i%250+1))
	}
	for i := 0; i < n; i++ {
		if i%100 != 0 { // keep every hundredth
			batch = append(batch, fmt.Sprintf("route del 10.200.%d.%d/32 dev k0", i/250, i%250+1))
			batch = append(batch, fmt.Sprintf("addr del 10.150.%d.%d/32 dev k0", i/250, i%250+1))
		}
	}
	file := faultBatch(t, batch)
	cont := faultStopCont(t, pid)
	h.IP(t, "-batch", file)
	cont()
	b.faultWaitLog(t, "netlink overrun", 10*time.Second)

	// One more change after the resync: its routes-modified.d must carry
	// the whole state of the link.
	h.IP(t, "route", "add", "10.201.0.0/24", "dev", "k0")
	runs := rec.waitRuns(t, 10*time.Second, "routes-modified.d with 10.201.0.0/24", func(r []hookRun) bool {
		for _, x := range linkRuns(r, "k0", "routes-modified.d") {
			if strings.Contains(x.Env["JSON"], `"10.201.0.0"`) {
				return true
			}
		}
		return false
	})
	rm := linkRuns(runs, "k0", "routes-modified.d")
	j := faultParseJSON(t, rm[len(rm)-1])
	if j.RoutesOmitted != 0 {
		t.Fatalf("the JSON omitted %d routes; the test meant to stay below the bound", j.RoutesOmitted)
	}
	sameSet(t, "addresses after the overrun", j.addrSet(), faultIPAddrs(t, h, "k0"))
	sameSet(t, "routes after the overrun", j.routeSet(), faultIPRoutes(t, h, "k0"))
	if len(j.Routes) < n/100 {
		t.Errorf("only %d routes in the JSON; the %d kept ones are missing", len(j.Routes), n/100)
	}
	faultAlive(t, pid, fmt.Sprintf("a netlink overrun of %d changes", 4*n))
}

// faultLease is a complete dhclient lease for iface with the given DNS
// server (written like ISC dhclient 4.4 writes one).
func faultLease(iface, dns string) string {
	return fmt.Sprintf(`lease {
  interface "%s";
  fixed-address 10.95.0.2;
  option subnet-mask 255.255.255.0;
  option routers 10.95.0.1;
  option dhcp-lease-time 600;
  option dhcp-message-type 5;
  option domain-name-servers %s;
  option dhcp-server-identifier 10.95.0.1;
  option domain-name "fault.example";
  renew 4 2030/01/01 00:00:00;
  rebind 4 2030/01/01 00:04:00;
  expire 4 2030/01/01 00:05:00;
}
`, iface, dns)
}

// TestFaultInotifyOverflow stops the broker (Generator dhclient) while
// far more than max_queued_events changes hit the lease directory and
// the lease changes; after SIGCONT the overflow is logged and the changed
// lease runs routable.d exactly once.
func TestFaultInotifyOverflow(t *testing.T) {
	nstest.RequireRoot(t)
	h, p := nstest.New(t), nstest.New(t)
	faultVeth(t, h, p, "k0")
	h.IP(t, "addr", "add", "10.95.0.2/24", "dev", "k0")
	h.IP(t, "link", "set", "k0", "up")
	base := t.TempDir()
	leases := filepath.Join(base, "leases")
	if err := os.MkdirAll(leases, 0o755); err != nil {
		t.Fatal(err)
	}
	leaseFile := filepath.Join(leases, "dhclient.k0.leases")
	if err := os.WriteFile(leaseFile, []byte(faultLease("k0", "10.95.0.1")), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(t, base, fmt.Sprintf("System:\n  Generator: dhclient\n  User: root\nNetwork:\n  Links: k0\n  LeaseFiles: %s/*.leases\n", leases),
		"routable.d")
	b := startNSBroker(t, h, rec.dir)
	pid := b.cmd.Process.Pid
	rec.waitRuns(t, 10*time.Second, "routable.d at start", func(r []hookRun) bool { return len(linkRuns(r, "k0", "routable.d")) == 1 })

	max := 16384
	if data, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events"); err == nil {
		max, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	cont := faultStopCont(t, pid)
	// Each file gives IN_CREATE, IN_CLOSE_WRITE and IN_DELETE (at least).
	for i := 0; i < max/2+1000; i++ {
		f := filepath.Join(leases, fmt.Sprintf("noise-%d.tmp", i))
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Remove(f)
	}
	appendFile(t, leaseFile, faultLease("k0", "10.95.0.53"))
	cont()
	b.faultWaitLog(t, "inotify queue overflowed", 10*time.Second)
	runs := rec.waitRuns(t, 10*time.Second, "routable.d for the changed lease", func(r []hookRun) bool {
		return len(linkRuns(r, "k0", "routable.d")) >= 2
	})
	time.Sleep(time.Second) // a second run would show up now
	runs = rec.runs(t)
	rt := linkRuns(runs, "k0", "routable.d")
	if len(rt) != 2 {
		t.Fatalf("routable.d ran %d times, want 2 (start, changed lease):\n%s", len(rt), runList(runs))
	}
	if l := rt[1].Env["DHCP_LEASE"]; !strings.Contains(l, "10.95.0.53") {
		t.Errorf("the run after the overflow has the old lease: %q", l)
	}
	faultAlive(t, pid, "an inotify overflow")
}

// TestFaultHookScripts runs scripts that hang, ignore SIGTERM, leave a
// child holding stdout, and print megabytes per second, in one directory
// in front of a recording script: the recording script still runs, every
// bad one is ended, and the next state's hooks follow.
func TestFaultHookScripts(t *testing.T) {
	nstest.RequireRoot(t)
	h, p := nstest.New(t), nstest.New(t)
	faultVeth(t, h, p, "k0")
	h.IP(t, "addr", "add", "10.94.0.2/24", "dev", "k0")
	rec := newRecorder(t, t.TempDir(), "System:\n  Generator: kernel\n  User: root\n  HookTimeout: 1s\nNetwork:\n  Links: k0\n",
		"routable.d", "no-carrier.d", "carrier.d", "degraded.d", "off.d")
	tag := fmt.Sprintf("nbfault%d", os.Getpid())
	// The sleeps carry a unique argument so leftovers can be found.
	rec.addRawScript(t, "routable.d", "10-hang", "exec sleep 61."+strconv.Itoa(os.Getpid()%1000))
	rec.addRawScript(t, "routable.d", "20-ignore-term", "trap '' TERM\nwhile :; do sleep 0.1; done # "+tag)
	rec.addRawScript(t, "routable.d", "30-child-holds-stdout", "sleep 62."+strconv.Itoa(os.Getpid()%1000)+" &\necho left a child")
	rec.addRawScript(t, "routable.d", "40-spew", "exec head -c 50000000 /dev/zero | tr '\\0' 'x'")
	rec.addRawScript(t, "routable.d", "41-spew-lines", "yes 'a line of output from a chatty script' | head -c 20000000")
	b := startNSBroker(t, h, rec.dir)
	pid := b.cmd.Process.Pid
	before := faultAlive(t, pid, "start")

	start := time.Now()
	h.IP(t, "link", "set", "k0", "up")
	rec.waitRuns(t, 30*time.Second, "the recording script of routable.d", func(r []hookRun) bool {
		return len(linkRuns(r, "k0", "routable.d")) == 1
	})
	t.Logf("routable.d with the bad scripts took %v", time.Since(start).Round(time.Millisecond))
	p.IP(t, "link", "set", "k0p", "down")
	runs := rec.waitRuns(t, 30*time.Second, "no-carrier.d after the bad routable.d", func(r []hookRun) bool {
		return len(linkRuns(r, "k0", "no-carrier.d")) == 1
	})
	checkNoRepeats(t, runs, "k0")

	log := b.text()
	for _, want := range []string{`script=10-hang`, `script=20-ignore-term`, "timed out and was killed"} {
		if !strings.Contains(log, want) {
			t.Errorf("the broker did not log %q:\n%s", want, faultTail(log, 30))
		}
	}
	if n := strings.Count(log, "\n"); n > 20000 {
		t.Errorf("the chatty scripts produced %d log lines; output must be bounded", n)
	}
	// Nothing of the hung scripts' process groups is left.
	waitFor(t, 10*time.Second, "the bad scripts' processes to end", func() (bool, string) {
		left := perf.Procs(fmt.Sprintf("sleep\x0061.%d", os.Getpid()%1000), tag)
		return len(left) == 0, strings.Join(left, "; ")
	})
	if left := perf.Procs(fmt.Sprintf("sleep\x0062.%d", os.Getpid()%1000)); len(left) > 0 {
		t.Logf("the background child of 30-child-holds-stdout still runs (allowed: it no longer blocks anything): %v", left)
	}
	faultAlive(t, pid, "hanging, deaf, forking and chatty scripts")
	faultSettledFDs(t, pid, before.FDs)
	if zs := perf.Zombies(pid); len(zs) > 0 {
		t.Errorf("the broker has unreaped children: %v", zs)
	}
}

// faultKernelStates runs -dump (Generator kernel) in ns and returns each
// link's OperationalState by name: what the kernel implies right now.
func faultKernelStates(t *testing.T, ns *nstest.NS, dir string) map[string]string {
	t.Helper()
	out := ns.Run(t, "env", "NB_TEST_MAIN=1", os.Args[0], "-dump", "-config-dir", dir)
	var links []map[string]any
	mustJSON(t, out, &links)
	st := map[string]string{}
	for _, o := range links {
		name, _ := o["Name"].(string)
		st[name], _ = o["OperationalState"].(string)
	}
	return st
}

// TestFaultHookStampede makes hooks that exit at once run by the
// thousand: 40 links switch between routable and carrier 40 times each,
// all at once. Every link's last operational-state run must match what the
// kernel implies at the end, no state repeats, no child is left unreaped.
func TestFaultHookStampede(t *testing.T) {
	nstest.RequireRoot(t)
	h, p := nstest.New(t), nstest.New(t)
	const links, rounds = 40, 40
	var names []string
	var setup []string
	for i := 0; i < links; i++ {
		n := fmt.Sprintf("s%d", i)
		names = append(names, n)
		setup = append(setup, fmt.Sprintf("link add %s type veth peer name %sp netns %s", n, n, p.Name))
	}
	h.IP(t, "-batch", faultBatch(t, setup))
	var peers, ups []string
	for _, n := range names {
		peers = append(peers, "link set "+n+"p up")
		// No IPv6 link-local addresses: carrier without addresses is "carrier".
		h.Run(t, "sysctl", "-q", "-w", "net.ipv6.conf."+n+".disable_ipv6=1")
		ups = append(ups, "link set "+n+" up")
	}
	p.IP(t, "-batch", faultBatch(t, peers))
	h.IP(t, "-batch", faultBatch(t, ups))
	rec := newRecorder(t, t.TempDir(), "System:\n  Generator: kernel\n  User: root\n  HookParallel: 8\n  LogLevel: debug\n",
		"routable.d", "no-carrier.d", "carrier.d", "degraded.d", "off.d")
	for _, d := range []string{"routable.d", "carrier.d"} {
		rec.addRawScript(t, d, "10-exit", "exit 0")
		rec.addRawScript(t, d, "20-fail", "exit 3")
	}
	b := startNSBroker(t, h, rec.dir)
	pid := b.cmd.Process.Pid
	before := faultAlive(t, pid, "start")

	// Each round is one burst; the rounds are paced a little so the hooks
	// really run by the thousand instead of being superseded in the queue.
	for r := 0; r < rounds; r++ {
		var batch []string
		for i, n := range names {
			batch = append(batch, fmt.Sprintf("addr add 10.93.%d.2/24 dev %s", i, n))
		}
		for i, n := range names {
			if r < rounds-1 || i%2 == 0 { // odd links end with their address
				batch = append(batch, fmt.Sprintf("addr del 10.93.%d.2/24 dev %s", i, n))
			}
		}
		h.IP(t, "-batch", faultBatch(t, batch))
		time.Sleep(100 * time.Millisecond)
	}
	want := faultKernelStates(t, h, rec.dir)
	last := func(r []hookRun, n string) string {
		c := classRuns(r, n, opDirs)
		if len(c) == 0 {
			return ""
		}
		return c[len(c)-1].Env["STATE"]
	}
	quiet, count := time.Now(), -1
	runs := rec.waitRuns(t, 60*time.Second, "every link's last run to match the kernel", func(r []hookRun) bool {
		if len(r) != count {
			quiet, count = time.Now(), len(r)
		}
		for _, n := range names {
			if last(r, n) != want[n] {
				return false
			}
		}
		return time.Since(quiet) > time.Second
	})
	for i, n := range names {
		w := "carrier"
		if i%2 == 1 {
			w = "routable"
		}
		if want[n] != w {
			t.Errorf("%s: the kernel generator's -dump says %q, want %q", n, want[n], w)
		}
		checkNoRepeats(t, runs, n)
	}
	// Every script run is logged (debug): count those of the quick ones.
	log := b.text()
	scripts := strings.Count(log, "script=10-exit") + strings.Count(log, "script=20-fail") + len(runs)
	t.Logf("%d links x %d rounds: %d directory runs, %d script runs", links, rounds, len(runs), scripts)
	if scripts < 1000 {
		t.Errorf("only %d script runs for %d links x %d rounds: the stampede did not happen", scripts, links, rounds)
	}
	waitFor(t, 5*time.Second, "no unreaped children", func() (bool, string) {
		z := perf.Zombies(pid)
		return len(z) == 0, strings.Join(z, " ")
	})
	faultAlive(t, pid, fmt.Sprintf("%d script runs", scripts))
	faultSettledFDs(t, pid, before.FDs)
	if strings.Contains(log, "level=error") {
		t.Errorf("the broker logged errors:\n%s", faultTail(log, 20))
	}
}

// TestFaultBusOversizedPeer has a fake networkd send the broker a 2 MiB
// PropertiesChanged, one with 20000 properties and a flood of small
// ones, all valid: the broker keeps a bounded memory, never reports a
// state twice in a row, and a signal after the storm runs its hooks with
// a state table that agrees with it.
func TestFaultBusOversizedPeer(t *testing.T) {
	l := lab.Up(t, lab.Options{})
	rec := newRecorder(t, l.Dir, "System:\n  User: root\n", allStateDirs...)
	broker := startBroker(t, l, "broker", rec.dir)
	faultAlive(t, broker.PID, "start")
	idx := l.IfIndex(t, lab.LinkStatic)
	script, err := filepath.Abs("testdata/fake-networkd-flood.py")
	if err != nil {
		t.Fatal(err)
	}
	// Sizes a thousand times networkd's (its Link has about 30
	// properties, its largest signal is under 1 KiB). Ten times more
	// (16 MiB, 100000 properties) made the broker peak at 45-78 MiB and
	// keep 44-51 MiB for over 20 s: garbage waits for the runtime's next
	// GC, forced only every 2 min when the daemon is idle.
	const flood, bigMiB, wide = 20000, 2, 20000
	fake := l.Start(t, "fake-networkd", nil, "/usr/bin/python3", script, l.Bus, fmt.Sprint(idx), lab.LinkStatic,
		fmt.Sprint(flood), fmt.Sprint(bigMiB), fmt.Sprint(wide))
	waitLog(t, fake, "done", 60*time.Second)
	// After the storm a lone signal must run its directory, with the
	// state table (the JSON) agreeing: nothing stale is left over.
	runs := rec.waitRuns(t, 30*time.Second, "degraded.d, the fake's last state", func(r []hookRun) bool {
		c := classRuns(r, lab.LinkStatic, opDirs)
		return len(c) > 0 && c[len(c)-1].Env["STATE"] == "degraded"
	})
	time.Sleep(500 * time.Millisecond) // anything after it would show now
	runs = rec.runs(t)
	c := classRuns(runs, lab.LinkStatic, opDirs)
	if last := c[len(c)-1]; last.Env["STATE"] != "degraded" || faultParseJSON(t, last).OperationalState != "degraded" {
		t.Errorf("the last run is not degraded.d with a degraded JSON: %s (JSON says %q)", last, faultParseJSON(t, last).OperationalState)
	}
	checkNoRepeats(t, runs, lab.LinkStatic)
	t.Logf("%d signals gave %d operational-state runs", flood+4, len(c))
	faultAlive(t, broker.PID, "oversized and flooding signals")
}

// TestFaultBusAndNetworkdRestartsLeakFree restarts the bus daemon and
// networkd (SIGTERM and SIGKILL) several times under the broker: after
// each it must follow networkd again, without growing its descriptors or
// threads, and its hooks must end at networkd's states.
func TestFaultBusAndNetworkdRestartsLeakFree(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	rec := newRecorder(t, l.Dir, "System:\n  User: root\n", allStateDirs...)
	broker := startBroker(t, l, "broker", rec.dir)
	idx := l.IfIndex(t, lab.LinkStatic)
	before := faultAlive(t, broker.PID, "start")

	for i := 0; i < 2; i++ {
		l.RestartBus(t)
		l.RestartNetworkd(t)
		nd := l.Networkd()
		if err := nd.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "networkd to die", func() (bool, string) { return nd.Exited(), "" })
		l.StartNetworkd(t)
	}
	waitFor(t, 15*time.Second, "the broker to follow the new networkd", func() (bool, string) {
		n := strings.Count(broker.LogText(), "systemd-networkd appeared on the bus")
		return n >= 3, fmt.Sprintf("%d times appeared", n)
	})
	n0 := len(linkRuns(rec.runs(t), lab.LinkStatic, "no-carrier.d"))
	l.Carrier(t, lab.LinkStatic, false)
	rec.waitRuns(t, 10*time.Second, "no-carrier.d after the restarts", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "no-carrier.d")) > n0
	})
	l.Carrier(t, lab.LinkStatic, true)
	runs := settleAtNetworkd(t, l, rec, lab.LinkStatic)
	checkNoRepeats(t, runs, lab.LinkStatic)
	last := runs[len(runs)-1]
	for _, r := range runs {
		if r.Env["LINK"] == lab.LinkStatic && r.Dir != "routes-modified.d" {
			last = r
		}
	}
	for _, prop := range []string{"OperationalState", "AdministrativeState", "CarrierState", "AddressState"} {
		nd := strings.Trim(strings.TrimPrefix(strings.TrimSpace(l.LinkProperty(t, idx, prop)), "s "), `"`)
		if last.Env[prop] != nd {
			t.Errorf("the last hook saw %s=%q, networkd says %q", prop, last.Env[prop], nd)
		}
	}
	checkJSON(t, l, last, false) // routes may still be on their way when a state hook starts
	checkJSON(t, l, settleDir(t, rec, lab.LinkStatic, "routes-modified.d"), true)
	after := faultAlive(t, broker.PID, "2 bus restarts and 4 networkd restarts (2 by SIGKILL)")
	if after.FDs > before.FDs+2 || after.Threads > before.Threads+4 {
		t.Errorf("descriptors %d -> %d, threads %d -> %d: something leaks per reconnect", before.FDs, after.FDs, before.Threads, after.Threads)
	}
}
