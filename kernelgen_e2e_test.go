package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"network-broker/internal/lab"
	"network-broker/internal/nstest"
)

var comparedStates = []string{"OperationalState", "CarrierState", "AddressState", "IPv4AddressState", "IPv6AddressState"}

// kernelView runs -dump with Generator kernel inside the lab and returns
// the derived states by link name.
func kernelView(t *testing.T, l *lab.Lab, dir string) map[string]map[string]string {
	out := l.Exec(t, "env", "NB_TEST_MAIN=1", os.Args[0], "-dump", "-config-dir", dir)
	var links []map[string]any
	mustJSON(t, out, &links)
	view := map[string]map[string]string{}
	for _, o := range links {
		st := map[string]string{}
		for _, p := range comparedStates {
			st[p], _ = o[p].(string)
		}
		view[o["Name"].(string)] = st
	}
	return view
}

// compareWithNetworkd waits until networkd's states of links equal the
// kernel generator's.
func compareWithNetworkd(t *testing.T, l *lab.Lab, dir, step string, links ...string) {
	t.Helper()
	waitFor(t, 10*time.Second, step, func() (bool, string) {
		view := kernelView(t, l, dir)
		var diffs []string
		for _, name := range links {
			idx := l.IfIndex(t, name)
			for _, p := range comparedStates {
				nd := strings.Trim(strings.TrimPrefix(strings.TrimSpace(l.LinkProperty(t, idx, p)), "s "), `"`)
				if view[name][p] != nd {
					diffs = append(diffs, fmt.Sprintf("%s %s: kernel %q networkd %q", name, p, view[name][p], nd))
				}
			}
		}
		return len(diffs) == 0, strings.Join(diffs, "; ")
	})
}

func TestKernelGeneratorMatchesNetworkd(t *testing.T) {
	files := lab.DefaultNetworkFiles()
	files["30-br0.netdev"] = "[NetDev]\nName=br0\nKind=bridge\n"
	files["30-br0.network"] = "[Match]\nName=br0\n[Network]\nAddress=10.88.0.1/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
	files["31-vb0.network"] = "[Match]\nName=vb0\n[Network]\nBridge=br0\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
	l := lab.Up(t, lab.Options{DHCP: true, NetworkFiles: files})
	l.Exec(t, "ip", "link", "add", "vb0", "type", "veth", "peer", "name", "vbp0", "netns", l.SrvNS)
	l.SrvExec(t, "ip", "link", "set", "vbp0", "up")
	l.StartNetworkd(t)
	dir := filepath.Join(l.Dir, "etc-kernel")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, configName), []byte("System:\n  Generator: kernel\n"), 0o644)
	all := []string{"lo", lab.LinkStatic, lab.LinkDhcp, lab.LinkNetworkd, "br0", "vb0"}

	compareWithNetworkd(t, l, dir, "at start", all...)
	l.Carrier(t, lab.LinkStatic, false)
	compareWithNetworkd(t, l, dir, "static link without carrier", lab.LinkStatic)
	l.Carrier(t, lab.LinkStatic, true)
	l.WaitLinkProperty(t, l.IfIndex(t, lab.LinkStatic), "AdministrativeState", "configured", 10*time.Second)
	compareWithNetworkd(t, l, dir, "static link back", lab.LinkStatic)

	// veth-dh is unmanaged: addresses of each scope come and go.
	l.Exec(t, "ip", "link", "set", lab.LinkDhcp, "up")
	compareWithNetworkd(t, l, dir, "unmanaged link up", lab.LinkDhcp)
	for _, step := range [][]string{
		{"add", "169.254.7.7/16", "scope", "link"},
		{"add", "10.55.0.7/24", "scope", "site"},
		{"add", "192.168.51.77/24"},
		{"del", "192.168.51.77/24"},
		{"del", "10.55.0.7/24"},
		{"add", "127.0.0.9/8", "scope", "host"},
		{"del", "169.254.7.7/16"},
		{"add", "2001:db8:77::7/64", "nodad"},
		{"del", "2001:db8:77::7/64"},
	} {
		l.Exec(t, append([]string{"ip", "addr"}, append(step, "dev", lab.LinkDhcp)...)...)
		compareWithNetworkd(t, l, dir, "address "+strings.Join(step, " "), lab.LinkDhcp)
	}
	l.Exec(t, "ip", "link", "set", lab.LinkDhcp, "down")
	compareWithNetworkd(t, l, dir, "unmanaged link down", lab.LinkDhcp)

	// The bridge port loses its carrier, then comes back.
	l.SrvExec(t, "ip", "link", "set", "vbp0", "down")
	compareWithNetworkd(t, l, dir, "bridge port without carrier", "br0", "vb0")
	l.SrvExec(t, "ip", "link", "set", "vbp0", "up")
	compareWithNetworkd(t, l, dir, "bridge port back", "br0", "vb0")
}

// TestKernelGeneratorWithoutBus runs the broker with nothing but the
// kernel: no bus exists, hooks run from the derived states, and the daemon
// opens no unix socket at all.
func TestKernelGeneratorWithoutBus(t *testing.T) {
	nstest.RequireRoot(t)
	h, p := nstest.New(t), nstest.New(t)
	h.IP(t, "link", "add", "k0", "type", "veth", "peer", "name", "kp0", "netns", p.Name)
	p.IP(t, "link", "set", "kp0", "up")
	base := t.TempDir()
	rec := newRecorder(t, base, "System:\n  Generator: kernel\n  User: root\nNetwork:\n  Links: k0\n",
		"routable.d", "no-carrier.d", "carrier.d", "degraded.d", "off.d", "routes-modified.d", "configured.d")
	fdOut := filepath.Join(base, "script-fd9")
	rec.addRawScript(t, "routable.d", "60-fd9", "readlink /proc/$$/fd/9 > "+fdOut+".tmp; mv "+fdOut+".tmp "+fdOut)
	b := startNSBroker(t, h, rec.dir)
	if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/9", b.cmd.Process.Pid)); err != nil || filepath.Base(target) != leakedName {
		t.Fatalf("the broker's fd 9 is %q (%v), want the file %s its parent leaked", target, err, leakedName)
	}

	h.IP(t, "addr", "add", "10.97.0.2/24", "dev", "k0")
	h.IP(t, "link", "set", "k0", "up")
	runs := rec.waitRuns(t, 10*time.Second, "routable.d for k0", func(r []hookRun) bool {
		return len(linkRuns(r, "k0", "routable.d")) > 0
	})
	rt := linkRuns(runs, "k0", "routable.d")[0]
	wantEnv(t, rt, map[string]string{"STATE": "routable", "OperationalState": "routable", "CarrierState": "carrier",
		"AddressState": "routable", "IP_ADDRS": "10.97.0.2"})
	waitFor(t, 10*time.Second, "routable.d/60-fd9", func() (bool, string) {
		_, err := os.Stat(fdOut)
		return err == nil, fmt.Sprint(err)
	})
	if data, _ := os.ReadFile(fdOut); len(data) > 0 {
		t.Errorf("a script inherited the broker's fd 9: %s", data)
	}
	if _, ok := rt.Env["AdministrativeState"]; ok {
		t.Errorf("the kernel generator has no AdministrativeState, got %q", rt.Env["AdministrativeState"])
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(rt.Env["JSON"]), &obj); err != nil || obj["OperationalState"] != "routable" {
		t.Errorf("JSON: %v %v", err, obj)
	}

	before := len(linkRuns(rec.runs(t), "k0", "no-carrier.d"))
	p.IP(t, "link", "set", "kp0", "down")
	rec.waitRuns(t, 10*time.Second, "no-carrier.d for k0", func(r []hookRun) bool {
		return len(linkRuns(r, "k0", "no-carrier.d")) > before
	})
	p.IP(t, "link", "set", "kp0", "up")
	runs = rec.waitRuns(t, 10*time.Second, "routable.d again", func(r []hookRun) bool {
		return len(linkRuns(r, "k0", "routable.d")) > 1
	})
	if n := len(linkRuns(runs, "lo", "")); n != 0 {
		t.Errorf("lo is not listed but ran %d hooks", n)
	}
	checkNoRepeats(t, runs, "k0")
	if s := unixSockets(t, b.cmd.Process.Pid); len(s) > 0 {
		t.Errorf("the kernel generator opened unix sockets: %v", s)
	}
}

// unixSockets lists the unix sockets a process holds, by inode.
func unixSockets(t *testing.T, pid int) []string {
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	inodes := map[string]bool{}
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && strings.HasPrefix(target, "socket:[") {
			inodes[strings.Trim(strings.TrimPrefix(target, "socket:"), "[]")] = true
		}
	}
	if len(inodes) == 0 {
		t.Fatalf("process %d holds no socket at all: cannot tell", pid)
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/unix", pid))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) >= 7 && inodes[f[6]] {
			out = append(out, line)
		}
	}
	return out
}
