package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"network-broker/internal/lab"
)

// allStateDirs are the directories the networkd tests record.
var allStateDirs = []string{"routable.d", "carrier.d", "no-carrier.d", "degraded.d", "off.d",
	"configured.d", "configuring.d", "initialized.d", "failed.d", "manager.d", "routes-modified.d"}

var opDirs = []string{"routable.d", "carrier.d", "no-carrier.d", "degraded.d", "off.d"}
var adminDirs = []string{"configured.d", "configuring.d", "initialized.d", "failed.d"}

// classRuns keeps the runs of one link whose directory is in dirs.
func classRuns(runs []hookRun, link string, dirs []string) []hookRun {
	var out []hookRun
	for _, r := range linkRuns(runs, link, "") {
		if slices.Contains(dirs, r.Dir) {
			out = append(out, r)
		}
	}
	return out
}

// checkNoRepeats fails when one property reports the same state twice in
// a row for a link, or when OLD_STATE is not the state the previous run
// reported.
func checkNoRepeats(t *testing.T, runs []hookRun, link string) {
	t.Helper()
	for _, dirs := range [][]string{opDirs, adminDirs} {
		cr := classRuns(runs, link, dirs)
		for i := 1; i < len(cr); i++ {
			if cr[i].Env["STATE"] == cr[i-1].Env["STATE"] {
				t.Errorf("%s: state %s reported twice in a row:\n%s", link, cr[i].Env["STATE"], runList(cr))
			}
			if cr[i].Env["OLD_STATE"] != cr[i-1].Env["STATE"] {
				t.Errorf("%s: OLD_STATE %q of run %d is not the previous run's STATE %q:\n%s",
					link, cr[i].Env["OLD_STATE"], i, cr[i-1].Env["STATE"], runList(cr))
			}
		}
	}
}

func TestNetworkdHooks(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	rec := newRecorder(t, l.Dir, "System:\n  LogLevel: debug\n", allStateDirs...)
	broker := startBroker(t, l, "broker", rec.dir)

	time.Sleep(300 * time.Millisecond)
	// networkd may still tidy routes right after "configured", so
	// routes-modified.d may rightly run; state hooks must not.
	for _, r := range rec.runs(t) {
		if r.Dir != "routes-modified.d" {
			t.Fatalf("start-up must be silent without StartupTriggers, got:\n%s", runList(rec.runs(t)))
		}
	}
	idx := l.IfIndex(t, lab.LinkStatic)

	l.Carrier(t, lab.LinkStatic, false)
	l.WaitLinkProperty(t, idx, "OperationalState", "no-carrier", 10*time.Second)
	runs := rec.waitRuns(t, 10*time.Second, "no-carrier.d for veth-st", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "no-carrier.d")) > 0
	})
	nc := linkRuns(runs, lab.LinkStatic, "no-carrier.d")[0]
	wantEnv(t, nc, map[string]string{"STATE": "no-carrier", "OLD_STATE": "routable",
		"LINKINDEX": fmt.Sprint(idx), "IFACE": lab.LinkStatic, "OperationalState": "no-carrier",
		"CarrierState": "no-carrier"})

	l.Carrier(t, lab.LinkStatic, true)
	l.WaitLinkProperty(t, idx, "AdministrativeState", "configured", 10*time.Second)
	runs = rec.waitRuns(t, 10*time.Second, "routable.d for veth-st", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "routable.d")) > 0
	})
	time.Sleep(500 * time.Millisecond) // let any duplicate show up
	runs = rec.runs(t)
	for _, d := range []string{"no-carrier.d", "carrier.d", "routable.d", "configuring.d", "configured.d"} {
		n := len(linkRuns(runs, lab.LinkStatic, d))
		if n > 1 || n == 0 && (d == "no-carrier.d" || d == "routable.d") {
			t.Errorf("%s ran %d times for one carrier flap:\n%s", d, n, runList(runs))
		}
	}
	// configuring lasts a few ms: when its run was still queued, configured
	// took its place, and configured is what scripts saw last, so neither
	// runs. Otherwise both run, in order.
	if admin := classRuns(runs, lab.LinkStatic, adminDirs); len(admin) != 0 &&
		(len(admin) != 2 || admin[0].Dir != "configuring.d" || admin[1].Dir != "configured.d") {
		t.Errorf("administrative runs: want none or configuring.d then configured.d:\n%s", runList(admin))
	}
	checkNoRepeats(t, runs, lab.LinkStatic)
	rt := linkRuns(runs, lab.LinkStatic, "routable.d")[0]
	wantEnv(t, rt, map[string]string{"STATE": "routable", "OLD_STATE": "carrier", "ADDR": "10.77.0.2",
		"IP_ADDRS": "10.77.0.2"})
	if !strings.HasPrefix(rt.Env["PATH"], "/usr/local/sbin") || rt.Env["NB_TEST_MAIN"] != "" {
		t.Errorf("the script's environment leaks the daemon's: PATH=%q NB_TEST_MAIN=%q", rt.Env["PATH"], rt.Env["NB_TEST_MAIN"])
	}
	// When routable.d starts, networkd may still be adding the gateway
	// route: compare the addresses now, the routes on a settled run below.
	checkJSON(t, l, rt, false)

	mgr := rec.waitRuns(t, 5*time.Second, "manager.d", func(r []hookRun) bool {
		return len(dirRuns(r, "manager.d")) > 0
	})
	if m := dirRuns(mgr, "manager.d")[0]; m.Env["OperationalState"] == "" || m.Env["OnlineState"] == "" {
		t.Errorf("manager.d without the manager's states: %v", m.Env)
	}
	rec.waitRuns(t, 5*time.Second, "routes-modified.d for veth-st", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "routes-modified.d")) > 0
	})
	// The last routes-modified.d ran after the routes settled: its JSON
	// has what ip shows now.
	settled := settleDir(t, rec, lab.LinkStatic, "routes-modified.d")
	checkJSON(t, l, settled, true)
	if strings.Contains(broker.LogText(), "level=error") {
		t.Errorf("broker logged errors:\n%s", broker.LogText())
	}
}

// wantEnv checks variables of a run.
func wantEnv(t *testing.T, r hookRun, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if r.Env[k] != v {
			t.Errorf("%s: %s=%q, want %q", r, k, r.Env[k], v)
		}
	}
}

func dirRuns(runs []hookRun, dir string) []hookRun {
	var out []hookRun
	for _, r := range runs {
		if r.Dir == dir {
			out = append(out, r)
		}
	}
	return out
}

// settleDir waits until a link's runs of dir stop for a second and
// returns the last.
func settleDir(t *testing.T, rec *recorder, link, dir string) hookRun {
	t.Helper()
	last, lastN := time.Now(), -1
	runs := rec.waitRuns(t, 10*time.Second, dir+" to settle for "+link, func(r []hookRun) bool {
		n := len(linkRuns(r, link, dir))
		if n != lastN {
			last, lastN = time.Now(), n
		}
		return n > 0 && time.Since(last) > time.Second
	})
	d := linkRuns(runs, link, dir)
	return d[len(d)-1]
}

// checkJSON compares the JSON variable of a run with ip -j for its link:
// link facts and addresses, and the routes of every table when routes.
func checkJSON(t *testing.T, l *lab.Lab, r hookRun, routes bool) {
	t.Helper()
	var obj struct {
		Index            int
		Name             string
		OperationalState string
		MTU              int
		HardwareAddress  string
		Address          []struct {
			IP    string
			Mask  int
			Label string
		}
		Routes []struct {
			Dst struct {
				IP   string
				Mask int
			}
			Src   string
			Gw    string
			Table int
		}
	}
	if err := json.Unmarshal([]byte(r.Env["JSON"]), &obj); err != nil {
		t.Fatalf("JSON of %s does not parse: %v\n%s", r, err, r.Env["JSON"])
	}
	link := r.Env["LINK"]
	var ipl []struct {
		Ifindex  int    `json:"ifindex"`
		MTU      int    `json:"mtu"`
		Address  string `json:"address"`
		AddrInfo []struct {
			Local     string `json:"local"`
			Prefixlen int    `json:"prefixlen"`
			Label     string `json:"label"`
		} `json:"addr_info"`
	}
	mustJSON(t, l.Exec(t, "ip", "-j", "addr", "show", "dev", link), &ipl)
	if len(ipl) != 1 {
		t.Fatalf("ip -j addr show dev %s: %d links", link, len(ipl))
	}
	if obj.Index != ipl[0].Ifindex || obj.Name != link || obj.MTU != ipl[0].MTU || obj.HardwareAddress != ipl[0].Address {
		t.Errorf("JSON link facts %d %s %d %s differ from ip's %d %s %d %s", obj.Index, obj.Name, obj.MTU,
			obj.HardwareAddress, ipl[0].Ifindex, link, ipl[0].MTU, ipl[0].Address)
	}
	var got, want []string
	for _, a := range obj.Address {
		got = append(got, fmt.Sprintf("%s/%d %s", a.IP, a.Mask, a.Label))
	}
	for _, a := range ipl[0].AddrInfo {
		want = append(want, fmt.Sprintf("%s/%d %s", a.Local, a.Prefixlen, a.Label))
	}
	sameSet(t, "addresses", got, want)
	if !routes {
		return
	}

	got = nil
	for _, rt := range obj.Routes {
		dst := "default"
		if rt.Dst.Mask > 0 {
			dst = netip.PrefixFrom(netip.MustParseAddr(rt.Dst.IP), rt.Dst.Mask).String()
		}
		got = append(got, fmt.Sprintf("%s via %s table %d", dst, rt.Gw, rt.Table))
	}
	want = ipRoutes(t, l, link)
	sameSet(t, "routes", got, want)
}

// ipRoutes lists ip's routes of a link in every table, IPv4 and IPv6.
func ipRoutes(t *testing.T, l *lab.Lab, link string) []string {
	return ipRoutesWith(t, func(args ...string) string { return l.Exec(t, append([]string{"ip"}, args...)...) }, link)
}

// ipRoutesWith lists the routes of a link as "dst via gw table N", with
// ip(8) run by ip (in a lab, a namespace, ...).
func ipRoutesWith(t *testing.T, ip func(args ...string) string, link string) []string {
	var out []string
	for _, fam := range []string{"-4", "-6"} {
		var rs []struct {
			Dst     string `json:"dst"`
			Gateway string `json:"gateway"`
			Table   string `json:"table"`
		}
		mustJSON(t, ip("-j", fam, "route", "show", "table", "all", "dev", link), &rs)
		for _, r := range rs {
			dst := r.Dst
			if dst != "default" && !strings.Contains(dst, "/") {
				a := netip.MustParseAddr(dst)
				dst = netip.PrefixFrom(a, a.BitLen()).String()
			}
			out = append(out, fmt.Sprintf("%s via %s table %d", dst, r.Gateway, tableNumber(r.Table)))
		}
	}
	return out
}

func tableNumber(s string) int {
	switch s {
	case "", "main":
		return 254
	case "local":
		return 255
	case "default":
		return 253
	}
	var n int
	fmt.Sscan(s, &n)
	return n
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s differ:\n got  %q\n want %q", what, g, w)
	}
}

// flap takes a lab link's carrier down and up n times, quickly.
func flap(t *testing.T, l *lab.Lab, link string, n int, hold time.Duration) {
	for i := 0; i < n; i++ {
		l.Carrier(t, link, false)
		time.Sleep(hold)
		l.Carrier(t, link, true)
		time.Sleep(hold)
	}
}

// settle waits until the link's last runs of both properties report want
// and nothing new ran for a second. A property may have no run at all: a
// configuring that lasted 3 ms gives way to configured while queued, and
// configured is then what the scripts saw last, so nothing runs.
func settle(t *testing.T, rec *recorder, link, op, admin string) []hookRun {
	t.Helper()
	last, lastN := time.Now(), -1
	return rec.waitRuns(t, 20*time.Second, fmt.Sprintf("%s to settle at %s/%s", link, op, admin), func(r []hookRun) bool {
		if len(r) != lastN {
			last, lastN = time.Now(), len(r)
			return false
		}
		ops, admins := classRuns(r, link, opDirs), classRuns(r, link, adminDirs)
		return time.Since(last) > time.Second &&
			len(ops) > 0 && ops[len(ops)-1].Env["STATE"] == op &&
			(len(admins) == 0 || admins[len(admins)-1].Env["STATE"] == admin)
	})
}

// settleAtNetworkd waits until networkd is done with a link (configured,
// or failed: networkd itself may fail a link under quick flaps, e.g. "Nexthop
// has invalid gateway") and then until the link's last hook runs report
// networkd's final states.
func settleAtNetworkd(t *testing.T, l *lab.Lab, rec *recorder, link string) []hookRun {
	t.Helper()
	waitNetworkdDone(t, l, link)
	return settle(t, rec, link, ndProp(t, l, link, "OperationalState"), ndProp(t, l, link, "AdministrativeState"))
}

// ndProp reads one of networkd's Link state properties, unquoted.
func ndProp(t *testing.T, l *lab.Lab, link, prop string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(l.LinkProperty(t, l.IfIndex(t, link), prop)), "s "), `"`)
}

// waitNetworkdDone waits until networkd has configured a link, or failed it.
func waitNetworkdDone(t *testing.T, l *lab.Lab, link string) {
	t.Helper()
	waitFor(t, 20*time.Second, link+" configured or failed", func() (bool, string) {
		a := ndProp(t, l, link, "AdministrativeState")
		return a == "configured" || a == "failed", a
	})
}

func TestNetworkdRapidFlapsKeepOrder(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	rec := newRecorder(t, l.Dir, "", allStateDirs...)
	for _, d := range allStateDirs {
		rec.addRawScript(t, d, "60-slow", "sleep 0.2") // let runs pile up in the queue
	}
	startBroker(t, l, "broker", rec.dir)

	// The kernel delays a carrier loss by up to a second and hides a
	// shorter one, so each flap holds the carrier off for longer.
	for i := 0; i < 4; i++ {
		l.Carrier(t, lab.LinkStatic, false)
		time.Sleep(1100 * time.Millisecond)
		l.Carrier(t, lab.LinkStatic, true)
		time.Sleep(50 * time.Millisecond)
	}
	runs := settleAtNetworkd(t, l, rec, lab.LinkStatic)
	checkNoRepeats(t, runs, lab.LinkStatic)
	if n := len(linkRuns(runs, lab.LinkStatic, "no-carrier.d")); n < 2 {
		t.Errorf("4 flaps ran no-carrier.d %d times:\n%s", n, runList(runs))
	}
	t.Logf("4 quick flaps gave %d hook runs for %s", len(linkRuns(runs, lab.LinkStatic, "")), lab.LinkStatic)
}

func TestNetworkdRestartAndBusRestart(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	rec := newRecorder(t, l.Dir, "", allStateDirs...)
	broker := startBroker(t, l, "broker", rec.dir)
	idx := l.IfIndex(t, lab.LinkStatic)

	l.RestartNetworkd(t)
	waitLog(t, broker, "systemd-networkd appeared on the bus", 10*time.Second)
	before := len(linkRuns(rec.runs(t), lab.LinkStatic, ""))
	l.Carrier(t, lab.LinkStatic, false)
	l.WaitLinkProperty(t, idx, "OperationalState", "no-carrier", 10*time.Second)
	l.Carrier(t, lab.LinkStatic, true)
	runs := settleAtNetworkd(t, l, rec, lab.LinkStatic)
	if len(linkRuns(runs, lab.LinkStatic, "")) <= before {
		t.Fatalf("no hooks after networkd's restart:\n%s", runList(runs))
	}
	checkNoRepeats(t, runs, lab.LinkStatic)

	l.RestartBus(t)
	waitLog(t, broker, "lost the system bus", 10*time.Second)
	waitNetworkdDone(t, l, lab.LinkStatic)
	before = len(linkRuns(rec.runs(t), lab.LinkStatic, "no-carrier.d"))
	time.Sleep(500 * time.Millisecond) // the broker's reconnect backoff
	l.Carrier(t, lab.LinkStatic, false)
	rec.waitRuns(t, 10*time.Second, "no-carrier.d after the bus restart", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "no-carrier.d")) > before
	})
	l.Carrier(t, lab.LinkStatic, true)
	runs = settleAtNetworkd(t, l, rec, lab.LinkStatic)
	checkNoRepeats(t, runs, lab.LinkStatic)
	if broker.Exited() {
		t.Fatalf("broker died:\n%s", broker.LogText())
	}
}

func TestNetworkdStartsAfterBroker(t *testing.T) {
	l := lab.Up(t, lab.Options{DHCP: true})
	rec := newRecorder(t, l.Dir, "", allStateDirs...)
	broker := startBroker(t, l, "broker", rec.dir)
	waitLog(t, broker, "not on the bus", 5*time.Second)
	l.StartNetworkd(t)
	waitLog(t, broker, "systemd-networkd appeared on the bus", 10*time.Second)
	runs := settle(t, rec, lab.LinkStatic, "routable", "configured")
	if r := linkRuns(runs, lab.LinkStatic, "routable.d"); len(r) != 1 {
		t.Errorf("routable.d ran %d times for veth-st, want 1:\n%s", len(r), runList(runs))
	}
}

func TestNetworkdHostilePeer(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	rec := newRecorder(t, l.Dir, "", allStateDirs...)
	broker := startBroker(t, l, "broker", rec.dir)
	idx := l.IfIndex(t, lab.LinkStatic)

	// Anyone may emit a signal; only networkd's owner is believed (the
	// match rule already filters by sender, the broker checks again).
	l.Busctl(t, "emit", lab.LinkPath(idx), "org.freedesktop.DBus.Properties", "PropertiesChanged",
		"sa{sv}as", "org.freedesktop.network1.Link", "1", "OperationalState", "s", "off", "0")
	time.Sleep(300 * time.Millisecond)
	if r := rec.runs(t); len(r) > 0 && len(linkRuns(r, lab.LinkStatic, "off.d")) > 0 {
		t.Fatalf("a signal from a stranger ran hooks:\n%s", runList(r))
	}

	l.StopNetworkd(t)
	waitLog(t, broker, "left the bus", 5*time.Second)
	script, err := filepath.Abs("testdata/fake-networkd.py")
	if err != nil {
		t.Fatal(err)
	}
	fake := l.Start(t, "fake-networkd", nil, "/usr/bin/python3", script, l.Bus, fmt.Sprint(idx), lab.LinkStatic,
		"short-body", "int-state", "traversal", "bad-path", "huge-index", "huge-value", "deep", "good")
	waitLog(t, fake, "done", 20*time.Second)
	runs := rec.waitRuns(t, 10*time.Second, "degraded.d from the good signal", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "degraded.d")) > 0
	})
	time.Sleep(300 * time.Millisecond)
	runs = rec.runs(t)
	st := classRuns(runs, lab.LinkStatic, append(append([]string{}, opDirs...), adminDirs...))
	if len(st) != 1 || st[0].Env["STATE"] != "degraded" || st[0].Env["OLD_STATE"] != "routable" {
		t.Errorf("want exactly degraded.d (from routable) to run, got:\n%s", runList(runs))
	}
	logText := broker.LogText()
	for _, want := range []string{"malformed PropertiesChanged dropped", "invalid state value dropped",
		"unexpected path dropped"} {
		if !strings.Contains(logText, want) {
			t.Errorf("broker did not log %q:\n%s", want, logText)
		}
	}
	if broker.Exited() {
		t.Fatalf("broker died:\n%s", logText)
	}
	if _, err := os.Stat("/tmp/evil.d"); err == nil {
		t.Errorf("/tmp/evil.d exists")
	}
}
