package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"network-broker/internal/lab"
	"network-broker/internal/nstest"
)

// TestStartupTriggersNotifyJSONLogs: with StartupTriggers each link's
// current directories run once at start, networkd's lease reaches
// DHCP_LEASE, sd_notify gets READY=1 and watchdog pings, and JSON logs are
// one object a line.
func TestStartupTriggersNotifyJSONLogs(t *testing.T) {
	l := lab.Up(t, lab.Options{Networkd: true, DHCP: true})
	sock := filepath.Join(l.Dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rec := newRecorder(t, l.Dir, "System:\n  StartupTriggers: true\n  LogFormat: json\n  User: root\nNetwork:\n  Links: veth-st veth-nd\n",
		allStateDirs...)
	p := l.Start(t, "broker", append(brokerEnv, "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=200000"),
		os.Args[0], "-config-dir", rec.dir)

	var got []string
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	for len(got) < 3 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("notify socket: %v; got %q\n%s", err, got, p.LogText())
		}
		got = append(got, string(buf[:n]))
	}
	if !strings.HasPrefix(got[0], "READY=1") || got[1] != "WATCHDOG=1" || got[2] != "WATCHDOG=1" {
		t.Errorf("notifications %q, want READY=1 then WATCHDOG=1 pings", got)
	}

	runs := rec.waitRuns(t, 10*time.Second, "startup triggers", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkNetworkd, "configured.d")) > 0 && len(linkRuns(r, lab.LinkStatic, "configured.d")) > 0 &&
			len(linkRuns(r, lab.LinkNetworkd, "routable.d")) > 0 && len(linkRuns(r, lab.LinkStatic, "routable.d")) > 0
	})
	time.Sleep(300 * time.Millisecond)
	runs = rec.runs(t)
	for _, r := range runs {
		if r.Dir != "routes-modified.d" && r.Dir != "manager.d" && r.Env["LINK"] != lab.LinkStatic && r.Env["LINK"] != lab.LinkNetworkd {
			t.Errorf("a link not listed ran hooks: %s", r)
		}
	}
	for _, link := range []string{lab.LinkStatic, lab.LinkNetworkd} {
		if n := len(linkRuns(runs, link, "routable.d")); n != 1 {
			t.Errorf("%s: routable.d ran %d times at start, want 1", link, n)
		}
	}
	nd := linkRuns(runs, lab.LinkNetworkd, "routable.d")[0]
	if nd.Env["OLD_STATE"] != "" || !strings.Contains(nd.Env["DHCP_LEASE"], "ADDRESS=192.168.52.10") {
		t.Errorf("veth-nd at start: OLD_STATE=%q DHCP_LEASE=%q", nd.Env["OLD_STATE"], nd.Env["DHCP_LEASE"])
	}
	if st := linkRuns(runs, lab.LinkStatic, "routable.d")[0]; st.Env["DHCP_LEASE"] != "" {
		t.Errorf("static link has a DHCP_LEASE: %q", st.Env["DHCP_LEASE"])
	}
	var obj map[string]any
	mustJSON(t, nd.Env["JSON"], &obj)
	if dns, _ := obj["DNS"].([]any); len(dns) == 0 {
		t.Errorf("JSON of veth-nd lacks networkd's DNS: %v", obj)
	}

	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	lines := strings.Split(strings.TrimSpace(p.LogText()), "\n")
	for _, line := range lines {
		var m map[string]string
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["level"] == "" || m["msg"] == "" || m["time"] == "" {
			t.Errorf("log line is not a JSON record: %q (%v)", line, err)
		}
	}
}

// TestReloadAndHugeRouteTable: SIGHUP applies a new configuration and
// keeps the old one when the new is bad; a link with thousands of routes
// still runs its hooks (JSON stays under the kernel's 128 KiB limit).
func TestReloadAndHugeRouteTable(t *testing.T) {
	nstest.RequireRoot(t)
	h, p := nstest.New(t), nstest.New(t)
	for _, n := range []string{"a0", "b0"} {
		h.IP(t, "link", "add", n, "type", "veth", "peer", "name", n+"p", "netns", p.Name)
		p.IP(t, "link", "set", n+"p", "up")
	}
	base := t.TempDir()
	conf := "System:\n  Generator: kernel\n  User: root\n  RoutesDebounce: 100ms\nNetwork:\n  Links: a0\n"
	rec := newRecorder(t, base, conf, "routable.d", "no-carrier.d", "routes-modified.d")
	b := startNSBroker(t, h, rec.dir)

	h.IP(t, "addr", "add", "10.96.0.2/24", "dev", "a0")
	h.IP(t, "addr", "add", "10.96.1.2/24", "dev", "b0")
	h.IP(t, "link", "set", "a0", "up")
	h.IP(t, "link", "set", "b0", "up")
	rec.waitRuns(t, 10*time.Second, "routable.d for a0", func(r []hookRun) bool { return len(linkRuns(r, "a0", "routable.d")) > 0 })
	if n := len(linkRuns(rec.runs(t), "b0", "")); n != 0 {
		t.Fatalf("b0 is not listed but ran %d hooks", n)
	}

	// A bad configuration is refused and the old one kept.
	path := filepath.Join(rec.dir, configName)
	os.WriteFile(path, []byte(conf+"  Bogus: 1\n"), 0o644)
	b.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 5*time.Second, "reload refused", func() (bool, string) {
		return strings.Contains(b.text(), "reload failed, keeping the old configuration"), b.text()
	})
	// A good one applies: b0 now runs hooks.
	os.WriteFile(path, []byte(strings.Replace(conf, "Links: a0", "Links: a0 b0", 1)), 0o644)
	b.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 5*time.Second, "reload applied", func() (bool, string) {
		return strings.Contains(b.text(), "configuration reloaded"), b.text()
	})

	// 3000 routes through b0 in another table: routes-modified.d gets a
	// bounded JSON and runs.
	var batch strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&batch, "route add 10.%d.%d.0/24 dev b0 table 77\n", 100+i/250, i%250)
	}
	bf := filepath.Join(base, "routes.batch")
	os.WriteFile(bf, []byte(batch.String()), 0o644)
	h.IP(t, "-batch", bf)
	// Under churn routes-modified.d may run in the middle of the burst:
	// wait for the run that saw all of them.
	routeCount := func(r hookRun) int {
		var o struct {
			Routes        []any
			RoutesOmitted int
		}
		if json.Unmarshal([]byte(r.Env["JSON"]), &o) != nil {
			return 0
		}
		return len(o.Routes) + o.RoutesOmitted
	}
	runs := rec.waitRuns(t, 30*time.Second, "routes-modified.d for b0 with the 3000 routes", func(r []hookRun) bool {
		rm := linkRuns(r, "b0", "routes-modified.d")
		return len(rm) > 0 && routeCount(rm[len(rm)-1]) >= 3000
	})
	rm := linkRuns(runs, "b0", "routes-modified.d")
	r := rm[len(rm)-1]
	var obj struct {
		Routes        []any
		RoutesOmitted int
	}
	mustJSON(t, r.Env["JSON"], &obj)
	if len(r.Env["JSON"]) > maxJSON || obj.RoutesOmitted == 0 || len(obj.Routes)+obj.RoutesOmitted < 3000 {
		t.Errorf("JSON of %d bytes, %d routes, %d omitted", len(r.Env["JSON"]), len(obj.Routes), obj.RoutesOmitted)
	}
	if strings.Contains(b.text(), "argument list too long") {
		t.Errorf("a hook failed with E2BIG:\n%s", b.text())
	}
	t.Logf("JSON %d bytes with %d routes, %d omitted", len(r.Env["JSON"]), len(obj.Routes), obj.RoutesOmitted)
}
