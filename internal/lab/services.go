package lab

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartBus starts the private dbus-daemon on <Dir>/bus.sock (again, after
// StopBus) and waits until it answers. networkd, resolved and polkitd
// connected to the old bus do not reconnect (systemd 252): use RestartBus
// to get them back, or restart them yourself.
func (l *Lab) StartBus(t testing.TB) {
	t.Helper()
	_ = os.Remove(l.Dir + "/bus.sock")
	// Inside the lab's mount namespace: dbus-daemon looks up every
	// client's groups, so it must see the lab's users (Options.Users).
	cmd := l.Command(nil, "dbus-daemon", "--config-file="+l.Dir+"/run/bus.conf", "--nofork", "--nopidfile")
	p := startProc(t, "dbus-daemon", l.logPath("dbus-daemon"), cmd, false)
	l.mu.Lock()
	l.bus = p
	l.mu.Unlock()
	waitFor(t, 5*time.Second, "dbus-daemon to answer on "+l.Bus, func() (bool, string) {
		if p.Exited() {
			t.Fatalf("lab: dbus-daemon exited: %s", p.LogText())
		}
		_, err := l.TryBusctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId")
		return err == nil, errText(err)
	})
	// Make the socket reachable for systemd-network, nobody and polkitd.
	_ = os.Chmod(l.Dir+"/bus.sock", 0o666)
}

// StopBus stops the dbus-daemon (SIGTERM, then SIGKILL); every connection
// is lost. StartBus brings a new one up on the same socket.
func (l *Lab) StopBus(t testing.TB) {
	t.Helper()
	l.mu.Lock()
	p := l.bus
	l.mu.Unlock()
	p.Stop(t)
}

// RestartBus stops the bus, starts a new one on the same socket, and then
// restarts the daemons the lab runs (polkitd, networkd, resolved): systemd
// 252's daemons do not reconnect after losing the bus, so without this
// they stay off the new bus for good. networkd's restart re-acquires its
// DHCP lease; resolved restores its per-link settings from its state files.
func (l *Lab) RestartBus(t testing.TB) {
	t.Helper()
	l.StopBus(t)
	l.StartBus(t)
	l.mu.Lock()
	pk, nd, rs := l.polkit, l.networkd, l.resolved
	l.mu.Unlock()
	if pk != nil {
		pk.Stop(t)
		l.startPolkit(t)
	}
	if nd != nil {
		l.RestartNetworkd(t)
	}
	if rs != nil {
		rs.Stop(t)
		l.startResolved(t)
	}
}

// ReloadBus makes dbus-daemon reread its configuration and run/bus.d
// (after a test drops a policy file there).
func (l *Lab) ReloadBus(t testing.TB) {
	t.Helper()
	l.Busctl(t, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ReloadConfig")
}

// WaitName waits until name has an owner on the lab bus.
func (l *Lab) WaitName(t testing.TB, name string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, name+" on the lab bus", func() (bool, string) {
		_, err := l.TryBusctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
			"GetNameOwner", "s", name)
		return err == nil, errText(err)
	})
}

// startDnsmasq runs dnsmasq in SrvNS (§4.3) and waits for its DHCP socket.
func (l *Lab) startDnsmasq(t testing.TB) {
	t.Helper()
	cmd := l.SrvCommand("dnsmasq", "--keep-in-foreground", "--conf-file="+l.Dir+"/run/dnsmasq.conf")
	l.dnsmasq = startProc(t, "dnsmasq", l.Dir+"/log/dnsmasq.out", cmd, false)
	waitFor(t, 5*time.Second, "dnsmasq on udp :67", func() (bool, string) {
		if l.dnsmasq.Exited() {
			t.Fatalf("lab: dnsmasq exited: %s", l.dnsmasq.LogText())
		}
		out, err := exec.Command("ip", "netns", "exec", l.SrvNS, "ss", "-lnuH", "sport = :67").Output()
		return err == nil && strings.TrimSpace(string(out)) != "", string(out)
	})
}

// startPolkit runs polkitd inside the lab (appendix); it reads the
// private copies of its directories the holder mounted, and drops to
// user polkitd by itself.
func (l *Lab) startPolkit(t testing.TB) {
	t.Helper()
	cmd := l.Command(nil, polkitdBin)
	p := startProc(t, "polkitd", l.logPath("polkitd"), cmd, false)
	l.mu.Lock()
	l.polkit = p
	l.mu.Unlock()
	l.waitOwned(t, p, "org.freedesktop.PolicyKit1")
}

// startResolved runs the extracted systemd-resolved as nobody with its
// unit's ambient capabilities (§4.5): user systemd-resolve does not exist
// and creating it would change /etc/passwd.
func (l *Lab) startResolved(t testing.TB) {
	t.Helper()
	cmd := l.Command(nil, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
		"--inh-caps=+net_raw,+net_bind_service,+setpcap", "--ambient-caps=+net_raw,+net_bind_service,+setpcap",
		l.ResolvedDir+"/lib/systemd/systemd-resolved")
	p := startProc(t, "systemd-resolved", l.logPath("systemd-resolved"), cmd, false)
	l.mu.Lock()
	l.resolved = p
	l.mu.Unlock()
	l.waitOwned(t, p, "org.freedesktop.resolve1")
}

// Resolvectl returns the host path of the extracted resolvectl; run it
// with Exec so it talks to the lab's resolved.
func (l *Lab) Resolvectl() string { return l.ResolvedDir + "/usr/bin/resolvectl" }

// checkHostnamed activates hostnamed through the bus and checks that it
// serves the lab's UTS namespace (Hostname is nb-lab).
func (l *Lab) checkHostnamed(t testing.TB) {
	t.Helper()
	check(t, writeFiles(l.Dir, map[string]string{"bin/run-hostnamed": runHostnamed(l.Dir, l.Holder, l.Bus)}, 0o755))
	got := l.Busctl(t, "get-property", "org.freedesktop.hostname1", "/org/freedesktop/hostname1",
		"org.freedesktop.hostname1", "Hostname")
	if v := busValue(got); v != Hostname {
		t.Fatalf("lab: hostnamed Hostname = %q, want %q: it does not run in the lab's UTS namespace", v, Hostname)
	}
}

// stopHostnamed ends every bus-activated hostnamed by its recorded PID
// (run-hostnamed appends one per activation; one activated before a bus
// restart keeps running), if it still runs and is hostnamed (comm is cut
// to 15 characters).
func (l *Lab) stopHostnamed(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(l.Dir + "/run/hostnamed.pids")
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			killPID(t, pid, "systemd-hostnam")
		}
	}
}

// waitOwned waits until p owns name on the bus, failing early if p exits.
func (l *Lab) waitOwned(t testing.TB, p *Proc, name string) {
	t.Helper()
	waitFor(t, 10*time.Second, name+" on the lab bus", func() (bool, string) {
		if p.Exited() {
			t.Fatalf("lab: %s exited before owning %s: %s", p.Name, name, tail(p.LogText(), 3000))
		}
		_, err := l.TryBusctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
			"GetNameOwner", "s", name)
		return err == nil, errText(err)
	})
}

// busValue strips busctl's signature from a one-value reply:
// `s "configured"` → configured, `i 3` → 3, `b true` → true. Other
// shapes come back without the signature word, as busctl printed them.
func busValue(out string) string {
	out = strings.TrimSpace(out)
	sig, v, _ := strings.Cut(out, " ")
	if sig == "s" || sig == "o" || sig == "g" {
		if uq, err := strconv.Unquote(v); err == nil {
			return uq
		}
		return strings.Trim(v, `"`)
	}
	return v
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// PolkitAllow lets user (a user name, as polkit's subject.user) perform
// actions without authentication, e.g. "org.freedesktop.resolve1.set-dns-servers",
// "org.freedesktop.resolve1.set-domains", "org.freedesktop.hostname1.set-hostname".
// It writes a rules file into PolkitDir and waits until polkitd has loaded
// it. Needs Options.Polkit.
func (l *Lab) PolkitAllow(t testing.TB, user string, actions ...string) {
	t.Helper()
	l.mu.Lock()
	p := l.polkit
	l.mu.Unlock()
	if p == nil {
		t.Fatal("lab: PolkitAllow needs Options.Polkit")
	}
	for _, s := range append([]string{user}, actions...) {
		if s == "" || strings.ContainsAny(s, "\"\\\n") {
			t.Fatalf("lab: PolkitAllow: want a plain name, got %q", s)
		}
	}
	var b strings.Builder
	b.WriteString("// internal/lab: PolkitAllow\npolkit.addRule(function(action, subject) {\n")
	for _, a := range actions {
		b.WriteString("\tif (subject.user == \"" + user + "\" && action.id == \"" + a + "\") { return polkit.Result.YES; }\n")
	}
	b.WriteString("});\n")
	loaded := strings.Count(p.LogText(), "Finished loading")
	// Written outside and renamed in: polkitd sees one complete file.
	tmp := l.Dir + "/run/polkit-" + user + ".rules"
	check(t, os.WriteFile(tmp, []byte(b.String()), 0o644))
	check(t, os.Rename(tmp, l.PolkitDir+"/50-lab-"+user+".rules"))
	waitFor(t, 5*time.Second, "polkitd to reload its rules", func() (bool, string) {
		return strings.Count(p.LogText(), "Finished loading") > loaded, ""
	})
}
