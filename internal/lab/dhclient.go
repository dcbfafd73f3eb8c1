package lab

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// DhclientEvent is one run of dhclient-script as the lab's exit hook
// logged it.
type DhclientEvent struct {
	Line   int               // 0-based index among all events (see WaitDhclientReason)
	Time   string            // date +%s.%N when the hook ran
	Reason string            // PREINIT, BOUND, RENEW, REBIND, REBOOT, EXPIRE, FAIL, STOP, RELEASE, ...
	Iface  string            // $interface
	Vars   map[string]string // new_ip_address, new_routers, new_domain_name_servers, ..., old_ip_address
}

// LeaseDir is the host path of the lab's /var/lib/dhcp, where dhclient
// writes dhclient.<ifname>.leases.
func (l *Lab) LeaseDir() string { return l.Dir + "/ns/var-lib-dhcp" }

// StartDhclient runs ISC dhclient in the foreground on ifname inside the
// lab (§4.7), with the real /sbin/dhclient-script and the lease file
// /var/lib/dhcp/dhclient.<ifname>.leases, and waits for a lease (BOUND,
// REBOOT, RENEW or REBIND). Needs Options.DHCP for the lab links.
func (l *Lab) StartDhclient(t testing.TB, ifname string) *Proc {
	t.Helper()
	return l.StartDhclientLease(t, ifname, "/var/lib/dhcp/dhclient."+ifname+".leases")
}

// StartDhclientLease is StartDhclient with the lease file leaseFile (a
// path inside the lab; its directory must exist).
func (l *Lab) StartDhclientLease(t testing.TB, ifname, leaseFile string) *Proc {
	t.Helper()
	after := len(l.DhclientEvents(t))
	cmd := l.Command(nil, dhclientBin, "-4", "-d", "-v", "-cf", "/etc/dhcp/dhclient.conf",
		"-lf", leaseFile, "-pf", l.Dir+"/run/dhclient."+ifname+".pid", ifname)
	l.mu.Lock()
	if old := l.dhclients[ifname]; old != nil && !old.Exited() {
		l.mu.Unlock()
		t.Fatalf("lab: dhclient already runs on %s (pid %d)", ifname, old.PID)
	}
	l.mu.Unlock()
	p := startProc(t, "dhclient."+ifname, l.logPath("dhclient."+ifname), cmd, false)
	l.mu.Lock()
	l.dhclients[ifname] = p
	l.mu.Unlock()
	// Usually 0.05 s; a lost packet costs dhclient's retransmission delay.
	l.waitDhclient(t, p, 30*time.Second, after, ifname, "BOUND", "REBOOT", "RENEW", "REBIND")
	return p
}

// StopDhclient stops dhclient on ifname (SIGTERM, then SIGKILL); the
// lease file stays.
func (l *Lab) StopDhclient(t testing.TB, ifname string) {
	t.Helper()
	l.mu.Lock()
	p := l.dhclients[ifname]
	l.mu.Unlock()
	if p != nil {
		p.Stop(t)
	}
}

// DhclientEvents returns every event logged so far, oldest first.
func (l *Lab) DhclientEvents(t testing.TB) []DhclientEvent {
	t.Helper()
	b, err := os.ReadFile(l.Dir + "/log/dhclient-events.log")
	if os.IsNotExist(err) {
		return nil
	}
	check(t, err)
	return parseDhclientEvents(string(b))
}

// parseDhclientEvents parses the exit hook's log: one line per event,
// tab-separated, the time first, then key=value fields. A last line
// without its newline is still being written and is left out.
func parseDhclientEvents(text string) []DhclientEvent {
	text = text[:strings.LastIndexByte(text, '\n')+1]
	var evs []DhclientEvent
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		ev := DhclientEvent{Line: len(evs), Time: f[0], Vars: map[string]string{}}
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			ev.Vars[k] = v
		}
		ev.Reason, ev.Iface = ev.Vars["reason"], ev.Vars["interface"]
		delete(ev.Vars, "reason")
		delete(ev.Vars, "interface")
		evs = append(evs, ev)
	}
	return evs
}

// WaitDhclientReason waits up to timeout for an event with one of reasons
// (any event when none are given) whose Line is at least after, and
// returns the first. Pass len(l.DhclientEvents(t)) taken before an action
// as after to wait for what that action caused. A RENEW comes about half
// a lease time after BOUND (Options.LeaseTime "2m": about 60 s).
func (l *Lab) WaitDhclientReason(t testing.TB, timeout time.Duration, after int, reasons ...string) DhclientEvent {
	t.Helper()
	return l.waitDhclient(t, nil, timeout, after, "", reasons...)
}

// waitDhclient is WaitDhclientReason limited to iface (when not empty),
// failing early when p (when not nil) exits.
func (l *Lab) waitDhclient(t testing.TB, p *Proc, timeout time.Duration, after int, iface string, reasons ...string) DhclientEvent {
	t.Helper()
	var found DhclientEvent
	waitFor(t, timeout, "dhclient event "+strings.Join(reasons, "|"), func() (bool, string) {
		if p != nil && p.Exited() {
			t.Fatalf("lab: %s exited: %s", p.Name, tail(p.LogText(), 3000))
		}
		evs := l.DhclientEvents(t)
		for _, ev := range evs {
			if ev.Line >= after && (iface == "" || ev.Iface == iface) && (len(reasons) == 0 || slices.Contains(reasons, ev.Reason)) {
				found = ev
				return true, ""
			}
		}
		if len(evs) > 0 {
			return false, "last: " + evs[len(evs)-1].Reason
		}
		return false, "no events"
	})
	return found
}
