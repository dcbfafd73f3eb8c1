package lab

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartNetworkd starts systemd-networkd inside the lab (§4.4) and waits
// until it owns org.freedesktop.network1 and every link is past
// initialisation: no AdministrativeState pending or initialized, and,
// when DHCP is on, none configuring either (the DHCP link has its lease).
func (l *Lab) StartNetworkd(t testing.TB) {
	t.Helper()
	cmd := l.Command([]string{"SYSTEMD_LOG_LEVEL=debug"}, networkdBin)
	p := startProc(t, "systemd-networkd", l.logPath("systemd-networkd"), cmd, false)
	l.mu.Lock()
	l.networkd = p
	l.mu.Unlock()
	l.waitOwned(t, p, "org.freedesktop.network1")
	busy := map[string]bool{"": true, "pending": true, "initialized": true}
	if l.opts.DHCP {
		busy["configuring"] = true
	}
	ifs := l.links(t)
	// Usually 0.1 s; under load a lost first DHCPOFFER costs networkd's
	// retransmission delay (4 s, then 8 s), hence the long timeout.
	waitFor(t, 30*time.Second, "networkd to configure the links", func() (bool, string) {
		if p.Exited() {
			t.Fatalf("lab: networkd exited: %s", tail(p.LogText(), 3000))
		}
		for name, idx := range ifs {
			if s := l.linkProperty(idx, "AdministrativeState"); busy[s] {
				return false, name + " AdministrativeState=" + strconv.Quote(s)
			}
		}
		return true, ""
	})
}

// StopNetworkd stops networkd (SIGTERM, then SIGKILL). networkd removes
// its DHCP addresses when it stops (§5).
func (l *Lab) StopNetworkd(t testing.TB) {
	t.Helper()
	l.mu.Lock()
	p := l.networkd
	l.mu.Unlock()
	if p != nil {
		p.Stop(t)
	}
}

// RestartNetworkd stops networkd and starts it again, waiting as
// StartNetworkd does.
func (l *Lab) RestartNetworkd(t testing.TB) {
	t.Helper()
	l.StopNetworkd(t)
	l.StartNetworkd(t)
}

// Networkd returns the running networkd process (nil before StartNetworkd).
func (l *Lab) Networkd() *Proc {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.networkd
}

// LinkPath returns networkd's object path of ifindex: systemd escapes the
// leading digit, so 2 → /org/freedesktop/network1/link/_32, 12 → _312.
func LinkPath(ifindex int) string {
	s := strconv.Itoa(ifindex)
	return "/org/freedesktop/network1/link/_3" + s
}

// LinkProperty reads one org.freedesktop.network1.Link property of ifindex
// (see busValue for the format) and fails the test on error.
func (l *Lab) LinkProperty(t testing.TB, ifindex int, prop string) string {
	t.Helper()
	return busValue(l.Busctl(t, "get-property", "org.freedesktop.network1", LinkPath(ifindex),
		"org.freedesktop.network1.Link", prop))
}

// linkProperty is LinkProperty returning "" on error.
func (l *Lab) linkProperty(ifindex int, prop string) string {
	out, err := l.TryBusctl("get-property", "org.freedesktop.network1", LinkPath(ifindex),
		"org.freedesktop.network1.Link", prop)
	if err != nil {
		return ""
	}
	return busValue(out)
}

// WaitLinkProperty waits until networkd reports value for the Link
// property prop of ifindex (strings unquoted: "configured", "routable").
func (l *Lab) WaitLinkProperty(t testing.TB, ifindex int, prop, value string, timeout time.Duration) {
	t.Helper()
	l.WaitProperty(t, "org.freedesktop.network1", LinkPath(ifindex), "org.freedesktop.network1.Link", prop, value, timeout)
}

// WaitProperty waits until the bus property iface.prop of object path at
// service reads value (as busValue prints it: strings unquoted, other
// types as busctl prints them without the signature).
func (l *Lab) WaitProperty(t testing.TB, service, path, iface, prop, value string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, service+" "+path+" "+prop+"="+value, func() (bool, string) {
		out, err := l.TryBusctl("get-property", service, path, iface, prop)
		if err != nil {
			return false, err.Error()
		}
		v := busValue(out)
		return v == value, strconv.Quote(v)
	})
}

// links returns the lab netns's links by name (lo included).
func (l *Lab) links(t testing.TB) map[string]int {
	t.Helper()
	return parseLinks(run(t, "ip", "-n", l.NS, "-o", "link", "show"))
}

// parseLinks maps name → ifindex from "ip -o link show" lines
// ("2: veth-st@if2: <...> ..."); lines of another shape are skipped.
func parseLinks(out string) map[string]int {
	m := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		idx, err := strconv.Atoi(strings.TrimSuffix(f[0], ":"))
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if err == nil && name != "" {
			m[name] = idx
		}
	}
	return m
}
