package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"network-broker/internal/nstest"
)

// kernelBroker is the broker run with Generator kernel inside a test netns.
type kernelBroker struct {
	cmd *exec.Cmd
	log *strings.Builder
	out *os.File
}

// startNSBroker runs this test binary as the broker inside ns and waits
// for "ready".
// leakedName names the file startNSBroker leaves open on the broker's fd 9.
const leakedName = "leaked-to-broker"

func startNSBroker(t *testing.T, ns *nstest.NS, dir string) *kernelBroker {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "broker.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns.Name, os.Args[0], "-config-dir", dir)
	cmd.Env = append(os.Environ(), brokerEnv...)
	cmd.Stdout, cmd.Stderr = f, f
	leak, err := os.Create(filepath.Join(t.TempDir(), leakedName))
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	// fd 9 of the broker, without close-on-exec, as a leaky parent passes
	// one; scripts must not get it (TestKernelGeneratorWithoutBus).
	cmd.ExtraFiles = []*os.File{nil, nil, nil, nil, nil, nil, leak}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &kernelBroker{cmd: cmd, out: f}
	t.Cleanup(func() { b.stop(t) })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.text(), "msg=ready") {
		if time.Now().After(deadline) {
			t.Fatalf("broker not ready:\n%s", b.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return b
}

func (b *kernelBroker) text() string {
	data, _ := os.ReadFile(b.out.Name())
	return string(data)
}

// stop ends the broker (SIGTERM) and checks it exits 0.
func (b *kernelBroker) stop(t *testing.T) {
	if b.cmd.ProcessState != nil {
		return
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("broker exit: %v\n%s", err, b.text())
		}
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-done
		t.Errorf("broker did not stop on SIGTERM:\n%s", b.text())
	}
	b.out.Close()
}

// policyLab: namespace h holds h1 and h2 in one subnet; their peers are
// ports of bridge br0 (10.99.0.1, the gateway) in namespace p.
type policyLab struct {
	h, p   *nstest.NS
	h2Idx  int
	dir    string
	table  int
	broker *kernelBroker
}

func newPolicyLab(t *testing.T) *policyLab {
	nstest.RequireRoot(t)
	pl := &policyLab{h: nstest.New(t), p: nstest.New(t)}
	h, p := pl.h, pl.p
	p.IP(t, "link", "add", "br0", "type", "bridge")
	for _, n := range []string{"1", "2"} {
		h.IP(t, "link", "add", "h"+n, "type", "veth", "peer", "name", "p"+n, "netns", p.Name)
		p.IP(t, "link", "set", "p"+n, "master", "br0", "up")
		h.IP(t, "addr", "add", "10.99.0.1"+n+"/24", "dev", "h"+n)
		h.IP(t, "-6", "addr", "add", "2001:db8:99::1"+n+"/64", "dev", "h"+n, "nodad")
		h.IP(t, "link", "set", "h"+n, "up")
	}
	p.IP(t, "addr", "add", "10.99.0.1/24", "dev", "br0")
	p.IP(t, "-6", "addr", "add", "2001:db8:99::1/64", "dev", "br0", "nodad")
	p.IP(t, "link", "set", "br0", "up")
	// Answer ARP only on the link that holds the address, so traffic for
	// h2's address really arrives on h2.
	h.Run(t, "sysctl", "-q", "-w", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.rp_filter=0")
	h.IP(t, "route", "add", "default", "via", "10.99.0.1", "dev", "h2")
	fmt.Sscan(strings.TrimSpace(h.Run(t, "cat", "/sys/class/net/h2/ifindex")), &pl.h2Idx)
	pl.table = 1000 + pl.h2Idx
	pl.dir = t.TempDir()
	os.WriteFile(filepath.Join(pl.dir, configName), []byte("System:\n  Generator: kernel\n  LogLevel: debug\nNetwork:\n  RoutingPolicyRules: h2\n"), 0o644)
	return pl
}

// txPackets reads a link's transmitted packet counter.
func (pl *policyLab) txPackets(t *testing.T, link string) int {
	var out []struct {
		Stats struct {
			TX struct {
				Packets int `json:"packets"`
			} `json:"tx"`
		} `json:"stats64"`
	}
	mustJSON(t, pl.h.IP(t, "-j", "-s", "link", "show", "dev", link), &out)
	return out[0].Stats.TX.Packets
}

// replyLinks pings h2's address from the peer side and returns how many
// packets h1 and h2 sent meanwhile.
func (pl *policyLab) replyLinks(t *testing.T, addr string) (h1, h2 int) {
	a1, a2 := pl.txPackets(t, "h1"), pl.txPackets(t, "h2")
	pl.p.Run(t, "ping", "-q", "-c", "20", "-i", "0.01", "-W", "1", addr)
	return pl.txPackets(t, "h1") - a1, pl.txPackets(t, "h2") - a2
}

type ipRule struct {
	Priority int    `json:"priority"`
	Src      string `json:"src"`
	SrcLen   int    `json:"srclen"`
	Dst      string `json:"dst"`
	DstLen   int    `json:"dstlen"`
	Table    string `json:"table"`
	Protocol string `json:"protocol"`
}

// rules lists the rules pointing at table T, as "from A/n" or "to A/n".
func (pl *policyLab) rules(t *testing.T, fam string) []string {
	var rs []ipRule
	mustJSON(t, pl.h.IP(t, "-j", fam, "rule", "show"), &rs)
	var out []string
	for _, r := range rs {
		if r.Table != fmt.Sprint(pl.table) {
			continue
		}
		if r.Src != "" && r.Src != "all" {
			out = append(out, fmt.Sprintf("%d from %s/%d", r.Priority, r.Src, hostLen(r.Src, r.SrcLen)))
		}
		if r.Dst != "" {
			out = append(out, fmt.Sprintf("%d to %s/%d", r.Priority, r.Dst, hostLen(r.Dst, r.DstLen)))
		}
	}
	return out
}

// hostLen: ip -j leaves out the prefix length of a host prefix.
func hostLen(addr string, n int) int {
	if n != 0 {
		return n
	}
	if strings.Contains(addr, ":") {
		return 128
	}
	return 32
}

// tableRoutes lists table T as "dst via gw dev".
func (pl *policyLab) tableRoutes(t *testing.T, fam string) []string {
	var rs []struct {
		Dst     string `json:"dst"`
		Gateway string `json:"gateway"`
		Dev     string `json:"dev"`
	}
	out := pl.h.IP(t, "-j", fam, "route", "show", "table", fmt.Sprint(pl.table))
	if strings.TrimSpace(out) == "" {
		return nil
	}
	mustJSON(t, out, &rs)
	var l []string
	for _, r := range rs {
		l = append(l, fmt.Sprintf("%s via %s dev %s", r.Dst, r.Gateway, r.Dev))
	}
	return l
}

// waitState waits until rules and routes of both families are as wanted.
func (pl *policyLab) waitState(t *testing.T, what string, rules4, routes4, rules6, routes6 []string) {
	t.Helper()
	defer func() {
		if t.Failed() && pl.broker != nil {
			t.Logf("broker log:\n%s", pl.broker.text())
		}
	}()
	waitFor(t, 5*time.Second, what, func() (bool, string) {
		got := [][]string{pl.rules(t, "-4"), pl.tableRoutes(t, "-4"), pl.rules(t, "-6"), pl.tableRoutes(t, "-6")}
		want := [][]string{rules4, routes4, rules6, routes6}
		for i := range got {
			if strings.Join(sortedCopy(got[i]), "|") != strings.Join(sortedCopy(want[i]), "|") {
				return false, fmt.Sprintf("%q", got)
			}
		}
		return true, ""
	})
}

func sortedCopy(l []string) []string {
	c := append([]string{}, l...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestPolicyRulesSecondaryInterface(t *testing.T) {
	pl := newPolicyLab(t)

	// Without the feature, replies for h2's address leave through h1.
	h1, h2 := pl.replyLinks(t, "10.99.0.12")
	t.Logf("without policy rules: h1 sent %d, h2 sent %d packets", h1, h2)
	if h1 < 20 || h2 >= 20 {
		t.Fatalf("the test setup does not show the problem: h1 sent %d, h2 sent %d", h1, h2)
	}

	pl.broker = startNSBroker(t, pl.h, pl.dir)
	rules4 := []string{"10000 from 10.99.0.12/32", "10000 to 10.99.0.12/32"}
	routes4 := []string{"10.99.0.0/24 via  dev h2", "default via 10.99.0.1 dev h2"}
	rules6 := []string{"10000 from 2001:db8:99::12/128", "10000 to 2001:db8:99::12/128"}
	routes6 := []string{"2001:db8:99::/64 via  dev h2"}
	pl.waitState(t, "rules and table at start", rules4, routes4, rules6, routes6)

	h1, h2 = pl.replyLinks(t, "10.99.0.12")
	t.Logf("with policy rules: h1 sent %d, h2 sent %d packets", h1, h2)
	if h2 < 20 || h1 >= 20 {
		t.Fatalf("replies still leave through h1: h1 sent %d, h2 sent %d", h1, h2)
	}
	h1, h2 = pl.replyLinks(t, "2001:db8:99::12")
	if h2 < 20 || h1 >= 20 {
		t.Errorf("IPv6 replies leave through h1: h1 sent %d, h2 sent %d", h1, h2)
	}

	// An IPv6 default route is followed into the table.
	pl.h.IP(t, "-6", "route", "add", "default", "via", "2001:db8:99::1", "dev", "h2")
	routes6 = append(routes6, "default via 2001:db8:99::1 dev h2")
	pl.waitState(t, "IPv6 default route", rules4, routes4, rules6, routes6)

	// The gateway changes: the table follows.
	pl.h.IP(t, "route", "replace", "default", "via", "10.99.0.254", "dev", "h2")
	routes4 = []string{"10.99.0.0/24 via  dev h2", "default via 10.99.0.254 dev h2"}
	pl.waitState(t, "gateway change", rules4, routes4, rules6, routes6)

	// Someone else deletes a rule and a route: they come back.
	pl.h.IP(t, "rule", "del", "from", "10.99.0.12", "lookup", fmt.Sprint(pl.table))
	pl.h.IP(t, "route", "del", "default", "table", fmt.Sprint(pl.table))
	time.Sleep(100 * time.Millisecond)
	pl.waitState(t, "foreign deletion repaired", rules4, routes4, rules6, routes6)

	// The address goes: its rules and routes go.
	pl.h.IP(t, "addr", "del", "10.99.0.12/24", "dev", "h2")
	pl.waitState(t, "IPv4 address removed", nil, nil, rules6, routes6)
	pl.h.IP(t, "addr", "add", "10.99.0.12/24", "dev", "h2")
	pl.h.IP(t, "route", "replace", "default", "via", "10.99.0.1", "dev", "h2")
	routes4 = []string{"10.99.0.0/24 via  dev h2", "default via 10.99.0.1 dev h2"}
	pl.waitState(t, "IPv4 address back", rules4, routes4, rules6, routes6)

	// Things that are not the broker's are never touched.
	h1Table := fmt.Sprint(1000 + pl.h2Idx - 1)
	pl.h.IP(t, "rule", "add", "from", "10.99.0.11", "lookup", "1234", "priority", "10000")
	pl.h.IP(t, "rule", "add", "from", "10.99.0.99", "lookup", fmt.Sprint(pl.table), "priority", "10001")
	pl.h.IP(t, "route", "add", "10.98.0.0/24", "dev", "h1", "table", h1Table)

	// Restarts leave exactly one set; what an earlier run left for an
	// address that is gone is removed at start.
	for i := 0; i < 3; i++ {
		pl.broker.stop(t)
		if i == 2 {
			pl.h.IP(t, "-6", "addr", "del", "2001:db8:99::12/64", "dev", "h2")
		}
		pl.broker = startNSBroker(t, pl.h, pl.dir)
	}
	pl.waitState(t, "after restarts, IPv6 address gone while stopped",
		append(rules4, "10001 from 10.99.0.99/32"), routes4, nil, nil)
	if !strings.Contains(pl.h.IP(t, "rule", "show"), "from 10.99.0.11 lookup 1234") ||
		!strings.Contains(pl.h.IP(t, "route", "show", "table", h1Table), "10.98.0.0/24") {
		t.Errorf("foreign rule or table touched:\n%s", pl.h.IP(t, "rule", "show"))
	}
	var all []ipRule
	mustJSON(t, pl.h.IP(t, "-j", "rule", "show"), &all)
	n := 0
	for _, r := range all {
		if r.Table == fmt.Sprint(pl.table) && r.Priority == 10000 {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d broker rules after three restarts, want 2", n)
	}
	if t.Failed() || strings.Contains(pl.broker.text(), "level=error") {
		t.Errorf("broker logged errors:\n%s", pl.broker.text())
	}
}
