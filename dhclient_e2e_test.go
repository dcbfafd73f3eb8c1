package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"network-broker/internal/lab"
)

const dhclientConfig = `System:
  Generator: dhclient
Network:
  UseDNS: true
  UseDomain: true
  UseHostname: true
  LeaseFiles: /var/lib/dhcp/dhclient*.leases /var/lib/dhcp/late/*.leases
`

// waitFor polls cond until it holds.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last: %s", what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// resolvedLink reads a property of resolved's link object.
func resolvedLink(t *testing.T, l *lab.Lab, index int, prop string) string {
	out, err := l.TryExec("busctl", "get-property", "org.freedesktop.resolve1",
		fmt.Sprintf("/org/freedesktop/resolve1/link/_3%d", index), "org.freedesktop.resolve1.Link", prop)
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(out)
}

// lastBlock returns the last lease block of a lease file.
func lastBlock(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.LastIndex(s, "lease {")
	if i < 0 {
		t.Fatalf("%s has no lease block:\n%s", path, s)
	}
	return s[i:]
}

func appendFile(t *testing.T, path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func TestDhclientLeasesAndPushes(t *testing.T) {
	l := lab.Up(t, lab.Options{DHCP: true, Dhclient: true, Resolved: true, Hostnamed: true})
	rec := newRecorder(t, l.Dir, dhclientConfig, "routable.d")
	broker := startBroker(t, l, "broker", rec.dir)
	idx := l.IfIndex(t, lab.LinkDhcp)

	// Once at start, with the lease in DHCP_LEASE.
	runs := rec.waitRuns(t, 10*time.Second, "routable.d for veth-dh", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkDhcp, "routable.d")) > 0
	})
	lease := linkRuns(runs, lab.LinkDhcp, "routable.d")[0].Env["DHCP_LEASE"]
	for _, want := range []string{"ADDRESS=192.168.51.10", "ROUTER=192.168.51.1", "DNS=192.168.51.1,192.168.51.53",
		"DOMAIN=dh.lab.example", "HOSTNAME=client-dh"} {
		if !strings.Contains(" "+lease+" ", " "+want+" ") {
			t.Errorf("DHCP_LEASE lacks %s: %q", want, lease)
		}
	}
	wantEnv(t, linkRuns(runs, lab.LinkDhcp, "routable.d")[0], map[string]string{"LINKINDEX": fmt.Sprint(idx),
		"DNS": "192.168.51.1 192.168.51.53", "DOMAIN": "dh.lab.example", "STATE": "routable", "IP_ADDRS": "192.168.51.10"})

	// resolved and hostnamed got the lease's values.
	waitFor(t, 10*time.Second, "resolved's DNS for veth-dh", func() (bool, string) {
		v := resolvedLink(t, l, idx, "DNS")
		return strings.Contains(v, "2 4 192 168 51 1 2 4 192 168 51 53"), v
	})
	waitFor(t, 10*time.Second, "resolved's domains for veth-dh", func() (bool, string) {
		v := resolvedLink(t, l, idx, "Domains")
		return strings.Contains(v, `"dh.lab.example" false`) && strings.Contains(v, `"lab.example" false`), v
	})
	waitFor(t, 10*time.Second, "the lab's hostname", func() (bool, string) {
		h := strings.TrimSpace(l.Exec(t, "hostname"))
		return h == "client-dh", h
	})

	leaseFile := filepath.Join(l.LeaseDir(), "dhclient.veth-dh.leases")
	count := func() int { return len(linkRuns(rec.runs(t), lab.LinkDhcp, "routable.d")) }

	// dhclient restarting rewrites the file (REBOOT): nothing new.
	l.StopDhclient(t, lab.LinkDhcp)
	l.StartDhclient(t, lab.LinkDhcp)
	// A renewal appends the same lease with new times: nothing new.
	block := lastBlock(t, leaseFile)
	appendFile(t, leaseFile, strings.Replace(block, "renew ", "renew 0 2099/01/01 00:00:00; # was ", 1))
	time.Sleep(time.Second)
	if n := count(); n != 1 {
		t.Fatalf("a restart and a renewal with the same values ran routable.d again: %d runs\n%s", n, runList(rec.runs(t)))
	}

	// New values run the hooks once and are pushed.
	changed := strings.Replace(lastBlock(t, leaseFile), "192.168.51.53", "192.168.51.54", 1)
	appendFile(t, leaseFile, changed)
	rec.waitRuns(t, 10*time.Second, "routable.d for the changed lease", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkDhcp, "routable.d")) == 2
	})
	waitFor(t, 10*time.Second, "resolved's new DNS", func() (bool, string) {
		v := resolvedLink(t, l, idx, "DNS")
		return strings.Contains(v, "2 4 192 168 51 54"), v
	})
	time.Sleep(500 * time.Millisecond)
	if n := count(); n != 2 {
		t.Errorf("one changed lease ran routable.d %d times in all, want 2", n)
	}

	// A lease directory created after the start is picked up.
	late := filepath.Join(l.LeaseDir(), "late")
	if err := os.Mkdir(late, 0o755); err != nil {
		t.Fatal(err)
	}
	stBlock := strings.Replace(lastBlock(t, leaseFile), `interface "veth-dh"`, `interface "veth-st"`, 1)
	if err := os.WriteFile(filepath.Join(late, "x.leases"), []byte(stBlock), 0o644); err != nil {
		t.Fatal(err)
	}
	rec.waitRuns(t, 10*time.Second, "routable.d for veth-st from the late directory", func(r []hookRun) bool {
		return len(linkRuns(r, lab.LinkStatic, "routable.d")) == 1
	})
	if broker.Exited() || strings.Contains(broker.LogText(), "level=error") {
		t.Errorf("broker errors:\n%s", broker.LogText())
	}
}
