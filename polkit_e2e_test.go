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

const pushOptions = "UseDNS UseDomain UseHostname"

// unprivilegedBroker starts the broker as root in a lab with User:
// network-broker (a lab-only user), so it drops privileges before pushing.
func unprivilegedBroker(t *testing.T, l *lab.Lab) (*lab.Proc, *recorder) {
	t.Helper()
	if builtWithCgo {
		if os.Getenv("CI") == "true" {
			t.Fatal("built with cgo: the privilege drop needs CGO_ENABLED=0 (make test sets it)")
		}
		t.Skip("built with cgo: run with CGO_ENABLED=0 (make test does)")
	}
	rec := newRecorder(t, l.Dir, strings.Replace(dhclientConfig, "System:\n", "System:\n  User: network-broker\n", 1), "routable.d")
	os.Chmod(rec.out, 0o777)
	b := startBroker(t, l, "broker", rec.dir)
	waitLog(t, b, `msg="dropped privileges" user=network-broker`, 5*time.Second)
	return b, rec
}

// waitRefusals waits until each push option logged a refusal with errName.
func waitRefusals(t *testing.T, b *lab.Proc, errName string) {
	t.Helper()
	for _, opt := range strings.Fields(pushOptions) {
		waitLog(t, b, "msg=\""+opt+": ", 10*time.Second)
		waitFor(t, 10*time.Second, opt+" refused with "+errName, func() (bool, string) {
			for _, line := range strings.Split(b.LogText(), "\n") {
				if strings.Contains(line, "msg=\""+opt+": ") && strings.Contains(line, "refused") &&
					strings.Contains(line, "error="+errName) {
					return true, ""
				}
			}
			return false, b.LogText()
		})
	}
}

// hints counts the log lines of opt that carry advice.
func hints(b *lab.Proc, opt string) int {
	n := 0
	for _, line := range strings.Split(b.LogText(), "\n") {
		if strings.Contains(line, "msg=\""+opt+": ") && strings.Contains(line, "hint=") {
			n++
		}
	}
	return n
}

// leaseDNS appends the current lease with the second DNS server set to
// 192.168.51.N, as a dhclient renewal with new values would.
func leaseDNS(t *testing.T, l *lab.Lab, n int) {
	t.Helper()
	file := filepath.Join(l.LeaseDir(), "dhclient.veth-dh.leases")
	block := lastBlock(t, file)
	i := strings.Index(block, "option domain-name-servers ")
	j := strings.Index(block[i:], ";")
	if i < 0 || j < 0 {
		t.Fatalf("no DNS servers in\n%s", block)
	}
	block = block[:i] + fmt.Sprintf("option domain-name-servers 192.168.51.1,192.168.51.%d", n) + block[i+j:]
	appendFile(t, file, block)
}

func TestPushesRefusedWithoutPolkitd(t *testing.T) {
	l := lab.Up(t, lab.Options{DHCP: true, Dhclient: true, Resolved: true, Hostnamed: true,
		Users: []string{"network-broker"}})
	b, _ := unprivilegedBroker(t, l)
	waitRefusals(t, b, "org.freedesktop.DBus.Error.AccessDenied")
	// The same cause again: logged, but the advice only once.
	leaseDNS(t, l, 54)
	waitFor(t, 10*time.Second, "a second refusal", func() (bool, string) {
		return strings.Count(b.LogText(), "UseDNS: SetLinkDNS refused") >= 2, b.LogText()
	})
	for _, opt := range []string{"UseDNS", "UseDomain"} {
		if n := hints(b, opt); n != 1 {
			t.Errorf("%s: advice given %d times, want once:\n%s", opt, n, b.LogText())
		}
	}
	if !strings.Contains(b.LogText(), "install polkitd") {
		t.Errorf("the advice does not say to install polkitd:\n%s", b.LogText())
	}
	if h := strings.TrimSpace(l.Exec(t, "hostname")); h != lab.Hostname {
		t.Errorf("hostname changed to %q although refused", h)
	}
}

func TestPushesWithPolkitRules(t *testing.T) {
	l := lab.Up(t, lab.Options{DHCP: true, Dhclient: true, Resolved: true, Hostnamed: true, Polkit: true,
		Users: []string{"network-broker", "nb-other"}})
	b, _ := unprivilegedBroker(t, l)
	waitRefusals(t, b, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired")

	// The shipped rules file: polkitd picks it up by itself.
	rules, err := os.ReadFile("dist/50-network-broker.rules")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.PolkitDir, "50-network-broker.rules"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	idx := l.IfIndex(t, lab.LinkDhcp)
	n := 100
	waitFor(t, 20*time.Second, "pushes accepted after the rules file", func() (bool, string) {
		// Each new lease retries the pushes; change it until polkitd has
		// loaded the file.
		n++
		leaseDNS(t, l, n)
		time.Sleep(300 * time.Millisecond)
		return strings.Contains(b.LogText(), `msg="UseHostname: pushed"`), b.LogText()
	})
	leaseDNS(t, l, 77)
	waitFor(t, 10*time.Second, "resolved's DNS from the unprivileged broker", func() (bool, string) {
		v := resolvedLink(t, l, idx, "DNS")
		return strings.Contains(v, "2 4 192 168 51 77"), v
	})
	waitFor(t, 10*time.Second, "resolved's domains", func() (bool, string) {
		v := resolvedLink(t, l, idx, "Domains")
		return strings.Contains(v, `"dh.lab.example" false`), v
	})
	waitFor(t, 10*time.Second, "the lab's hostname", func() (bool, string) {
		h := strings.TrimSpace(l.Exec(t, "hostname"))
		return h == "client-dh", h
	})

	// Another unprivileged user is still refused.
	out, err := l.TryExec("setpriv", "--reuid=nb-other", "--regid=nb-other", "--clear-groups",
		"busctl", "call", "org.freedesktop.resolve1", "/org/freedesktop/resolve1",
		"org.freedesktop.resolve1.Manager", "SetLinkDNS", "ia(iay)", itoa32(int32(idx)), "1", "2", "4", "10", "0", "0", "1")
	if err == nil || !strings.Contains(err.Error(), "Interactive authentication required") {
		t.Errorf("another user was not refused: %v %s", err, out)
	}
}
