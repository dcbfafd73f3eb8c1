package lab

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLabUp brings the whole lab up and checks each component does its
// job there and only there; the host-state diff runs in the cleanup.
func TestLabUp(t *testing.T) {
	hostHostname, _ := os.Hostname()
	l := Up(t, Options{Networkd: true, DHCP: true, Dhclient: true, Resolved: true, Hostnamed: true})

	st, dh, nd := l.IfIndex(t, LinkStatic), l.IfIndex(t, LinkDhcp), l.IfIndex(t, LinkNetworkd)
	t.Run("networkd static", func(t *testing.T) {
		if got := l.LinkProperty(t, st, "AdministrativeState"); got != "configured" {
			t.Errorf("veth-st AdministrativeState = %q, want configured", got)
		}
		wantAddr(t, l, LinkStatic, "10.77.0.2/24")
	})
	t.Run("networkd DHCP", func(t *testing.T) {
		l.WaitLinkProperty(t, nd, "AdministrativeState", "configured", 5*time.Second)
		wantAddr(t, l, LinkNetworkd, "192.168.52.10/24")
		if _, err := os.Stat(l.RunSystemd + "/netif/leases/" + strconv.Itoa(nd)); err != nil {
			t.Errorf("networkd lease file: %v", err)
		}
	})
	t.Run("dhclient", func(t *testing.T) {
		ev := l.WaitDhclientReason(t, time.Second, 0, "BOUND")
		if ev.Iface != LinkDhcp || ev.Vars["new_ip_address"] != "192.168.51.10" {
			t.Errorf("BOUND event = %+v, want veth-dh 192.168.51.10", ev)
		}
		wantAddr(t, l, LinkDhcp, "192.168.51.10/24")
		lease, err := os.ReadFile(l.LeaseDir() + "/dhclient.veth-dh.leases")
		if err != nil || !strings.Contains(string(lease), "fixed-address 192.168.51.10;") {
			t.Errorf("lease file: %v\n%s", err, lease)
		}
		if got := l.LinkProperty(t, dh, "AdministrativeState"); got != "unmanaged" {
			t.Errorf("veth-dh AdministrativeState = %q, want unmanaged", got)
		}
	})
	t.Run("resolved SetLinkDNS", func(t *testing.T) {
		l.Busctl(t, "call", "org.freedesktop.resolve1", "/org/freedesktop/resolve1",
			"org.freedesktop.resolve1.Manager", "SetLinkDNS", "ia(iay)", strconv.Itoa(dh),
			"2", "2", "4", "192", "168", "51", "1", "2", "4", "192", "168", "51", "53")
		got := l.Busctl(t, "get-property", "org.freedesktop.resolve1", "/org/freedesktop/resolve1/link/_3"+strconv.Itoa(dh),
			"org.freedesktop.resolve1.Link", "DNS")
		if want := "a(iay) 2 2 4 192 168 51 1 2 4 192 168 51 53"; strings.TrimSpace(got) != want {
			t.Errorf("resolve1 link DNS = %q, want %q", got, want)
		}
		// resolved defers to networkd on managed links (§5).
		_, err := l.TryBusctl("call", "org.freedesktop.resolve1", "/org/freedesktop/resolve1",
			"org.freedesktop.resolve1.Manager", "SetLinkDNS", "ia(iay)", strconv.Itoa(st), "1", "2", "4", "10", "77", "0", "1")
		if err == nil || !strings.Contains(err.Error(), "managed") {
			t.Errorf("SetLinkDNS on veth-st: err = %v, want LinkBusy (managed)", err)
		}
	})
	t.Run("hostnamed SetHostname", func(t *testing.T) {
		name := "lab-" + strconv.Itoa(os.Getpid())
		l.Busctl(t, "call", "org.freedesktop.hostname1", "/org/freedesktop/hostname1",
			"org.freedesktop.hostname1", "SetHostname", "sb", name, "false")
		if got := strings.TrimSpace(l.Exec(t, "hostname")); got != name {
			t.Errorf("hostname inside the lab = %q, want %q", got, name)
		}
		if got, _ := os.Hostname(); got != hostHostname {
			t.Errorf("host hostname = %q, want unchanged %q", got, hostHostname)
		}
	})
	t.Run("networkd restart", func(t *testing.T) {
		old := l.Networkd().PID
		l.RestartNetworkd(t)
		if l.Networkd().PID == old {
			t.Errorf("networkd PID unchanged after restart: %d", old)
		}
		l.WaitLinkProperty(t, st, "AdministrativeState", "configured", 5*time.Second)
		l.WaitLinkProperty(t, nd, "AdministrativeState", "configured", 5*time.Second)
		wantAddr(t, l, LinkNetworkd, "192.168.52.10/24")
	})
	t.Run("bus restart", func(t *testing.T) {
		getID := []string{"call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId"}
		oldID := l.Busctl(t, getID...)
		oldNetworkd := l.Networkd().PID
		l.StopBus(t)
		if _, err := l.TryBusctl(getID...); err == nil {
			t.Fatal("bus still answers after StopBus")
		}
		l.StartBus(t)
		if newID := l.Busctl(t, getID...); newID == oldID {
			t.Errorf("bus id unchanged after restart: %s", newID)
		}
		// networkd stays off a new bus; RestartBus brings it back.
		if _, err := l.TryBusctl("status", "org.freedesktop.network1"); err == nil {
			t.Error("network1 on the new bus without a networkd restart: RestartBus's premise is wrong")
		}
		l.RestartBus(t)
		if l.Networkd().PID == oldNetworkd {
			t.Error("RestartBus did not restart networkd")
		}
		l.WaitLinkProperty(t, nd, "AdministrativeState", "configured", 5*time.Second)
		// resolved restored the link's DNS from its state files.
		got := l.Busctl(t, "get-property", "org.freedesktop.resolve1", "/org/freedesktop/resolve1/link/_3"+strconv.Itoa(dh),
			"org.freedesktop.resolve1.Link", "DNS")
		if !strings.Contains(got, "192 168 51 53") {
			t.Errorf("resolve1 link DNS after bus restart = %q", got)
		}
		// hostnamed comes back by activation, in the lab's UTS namespace.
		got = l.Busctl(t, "get-property", "org.freedesktop.hostname1", "/org/freedesktop/hostname1",
			"org.freedesktop.hostname1", "Hostname")
		if want := "lab-" + strconv.Itoa(os.Getpid()); busValue(got) != want {
			t.Errorf("hostnamed after bus restart: Hostname = %q, want %q", got, want)
		}
	})
}

// wantAddr checks that ifname has addr (CIDR) in the lab netns.
func wantAddr(t *testing.T, l *Lab, ifname, addr string) {
	t.Helper()
	out := l.Exec(t, "ip", "-o", "-4", "addr", "show", "dev", ifname)
	if !strings.Contains(out, " "+addr+" ") {
		t.Errorf("%s: want address %s, got %q", ifname, addr, out)
	}
}
