package lab

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// writeFiles lays out the lab directory (§4): bin/ (scripts), run/ (bus
// config, service files, pid files), log/, and ns/ (what the holder mounts
// over the host paths inside the lab).
func (l *Lab) writeFiles(t testing.TB) {
	t.Helper()
	d := l.Dir
	// Up made d; mkdir's mode was cut by the umask, and systemd-network,
	// nobody and polkitd must reach the socket and files in it.
	check(t, os.Chmod(d, 0o755))
	for _, sub := range []string{"bin", "run/services", "run/bus.d", "log", "ns/run-systemd", "ns/run-dbus",
		"ns/etc-systemd-network", "ns/etc-dhcp", "ns/var-lib-dhcp", "ns/polkit-actions",
		"ns/polkit-usr-rules", "ns/polkit-etc-rules"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			t.Fatalf("lab: %v", err)
		}
	}
	binds := []bind{
		{d + "/ns/run-systemd", "/run/systemd"},
		{d + "/ns/run-dbus", "/run/dbus"},
		{d + "/ns/etc-systemd-network", "/etc/systemd/network"},
		{d + "/ns/etc-dhcp", "/etc/dhcp"},
		{d + "/ns/var-lib-dhcp", "/var/lib/dhcp"},
		{d + "/ns/hostname", "/etc/hostname"},
		{d + "/ns/resolv.conf", "/etc/resolv.conf"},
		{d + "/ns/polkit-actions", "/usr/share/polkit-1/actions"},
		{d + "/ns/polkit-usr-rules", "/usr/share/polkit-1/rules.d"},
		{d + "/ns/polkit-etc-rules", "/etc/polkit-1/rules.d"},
	}
	check(t, writeFiles(d, map[string]string{
		"run/bus.conf":     busConf(d),
		"run/dnsmasq.conf": dnsmasqConf(d, l.opts.LeaseTime),
		// Empty: with a static name SetHostname would succeed and change nothing (§5).
		"ns/hostname":    "",
		"ns/resolv.conf": "nameserver 127.0.0.53\noptions edns0 trust-ad\n",
		"ns/run-systemd/resolved.conf.d/lab.conf": "[Resolve]\nLLMNR=no\nMulticastDNS=no\nDNSStubListener=yes\n",
	}, 0o644))
	userBinds, err := l.writeUsers()
	check(t, err)
	binds = append(binds, userBinds...)
	check(t, writeFiles(d, map[string]string{"bin/ns-init": nsInit(d, Hostname, binds, namespaces("self"))}, 0o755))
	if l.opts.Hostnamed {
		// Without it, a call to hostname1 fails with ServiceUnknown.
		check(t, writeFiles(d, map[string]string{"run/services/org.freedesktop.hostname1.service": hostnamedService(d)}, 0o644))
	}
	if l.opts.NetworkdConf != "" {
		check(t, writeFiles(d, map[string]string{"ns/run-systemd/networkd.conf.d/lab.conf": l.opts.NetworkdConf}, 0o644))
	}
	check(t, writeFiles(l.NetworkDir, l.opts.NetworkFiles, 0o644))
	check(t, writeEtcDhcp(d+"/ns/etc-dhcp", d+"/log/dhclient-events.log"))
	check(t, l.writePolicies())
	// resolved runs as nobody and writes its resolv.conf files here.
	nobody, err := user.Lookup("nobody")
	check(t, err)
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	check(t, os.MkdirAll(l.RunSystemd+"/resolve", 0o755))
	check(t, os.Chown(l.RunSystemd+"/resolve", uid, gid))
}

// writePolicies copies the services' bus policies into run/bus.d, with
// resolved's user replaced by nobody (it runs as nobody here), and fills
// the private polkit directories: the host's actions and rules plus
// resolved's actions, whose trusted owner must be the user resolved runs as.
func (l *Lab) writePolicies() error {
	d := l.Dir
	for _, f := range []string{"org.freedesktop.network1.conf", "org.freedesktop.hostname1.conf",
		"org.freedesktop.PolicyKit1.conf"} {
		if err := copyFile(filepath.Join(dbusPolicy, f), filepath.Join(d, "run/bus.d", f), "", ""); err != nil {
			return err
		}
	}
	r := l.ResolvedDir
	if err := copyFile(r+"/usr/share/dbus-1/system.d/org.freedesktop.resolve1.conf",
		d+"/run/bus.d/org.freedesktop.resolve1.conf", `user="systemd-resolve"`, `user="nobody"`); err != nil {
		return err
	}
	for src, dst := range map[string]string{
		"/usr/share/polkit-1/actions":     d + "/ns/polkit-actions",
		"/usr/share/polkit-1/rules.d":     d + "/ns/polkit-usr-rules",
		r + "/usr/share/polkit-1/actions": d + "/ns/polkit-actions",
	} {
		ents, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()),
				"unix-user:systemd-resolve", "unix-user:nobody")
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanStale removes what an earlier lab of a dead test process left: its
// namespaces (ending the processes inside them: networkd, resolved and
// polkitd lose their parent-death signal when they change user) and its
// run state. Only names of this package's pattern whose lab dir exists
// and whose owner PID is dead are touched.
func cleanStale(t testing.TB) {
	t.Helper()
	ents, _ := os.ReadDir("/run/netns")
	for _, e := range ents {
		pid, ok := stalePID(e.Name(), "nbt-", "nbs-")
		if !ok || alive(pid) {
			continue
		}
		// Ours only if the lab dir of the same run is there too.
		if _, err := os.Stat("/tmp/nbl-" + e.Name()[len("nbt-"):]); err != nil {
			continue
		}
		killNetns(t, e.Name())
		_ = exec.Command("ip", "netns", "del", e.Name()).Run()
	}
	dirs, _ := filepath.Glob("/tmp/nbl-*")
	for _, d := range dirs {
		if pid, ok := stalePID(filepath.Base(d), "nbl-"); ok && !alive(pid) {
			for _, sub := range []string{"run", "ns", "bin", "bus.sock"} {
				_ = os.RemoveAll(filepath.Join(d, sub))
			}
		}
	}
}

// stalePID parses the owner PID of a lab name: <prefix><pid>-<n>.
func stalePID(name string, prefixes ...string) (int, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(name, p); ok {
			pidText, _, ok := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidText)
			return pid, ok && err == nil && pid > 0
		}
	}
	return 0, false
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// killNetns ends every process left in netns ns except those in keep (the
// holder and the bus, stopped last), through pidfds: SIGTERM, up to 5 s,
// then SIGKILL. These are processes the lab started indirectly
// (bus-activated services, children of tests).
func killNetns(t testing.TB, ns string, keep ...int) {
	t.Helper()
	if _, err := os.Stat("/run/netns/" + ns); err != nil {
		return
	}
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		t.Errorf("lab: ip netns pids %s: %v", ns, err)
		return
	}
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && !slices.Contains(keep, pid) && pid != os.Getpid() {
			t.Logf("lab: ending leftover %s (pid %d) in netns %s", comm(pid), pid, ns)
			killPID(t, pid, "")
		}
	}
}

// killPID ends pid through a pidfd, so a recycled PID is never hit. With
// wantComm set, a process whose /proc/PID/comm differs is left alone.
func killPID(t testing.TB, pid int, wantComm string) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return // gone already
	}
	defer unix.Close(fd)
	if wantComm != "" && comm(pid) != wantComm {
		t.Logf("lab: pid %d is %q, not %q: left alone", pid, comm(pid), wantComm)
		return
	}
	for _, sig := range []unix.Signal{unix.SIGTERM, unix.SIGKILL} {
		if sig == unix.SIGKILL {
			t.Logf("lab: pid %d (%s) ignored SIGTERM for 5 s: SIGKILL", pid, comm(pid))
		}
		if unix.PidfdSendSignal(fd, sig, nil, 0) != nil {
			return
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if gone(pid) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Errorf("lab: pid %d (%s) survived SIGKILL", pid, comm(pid))
}

// comm is /proc/PID/comm (at most 15 characters), "" when gone.
func comm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// gone reports whether pid has exited; a zombie counts as gone (§5: an
// orphan waits for PID 1 to reap it).
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

// run runs a host command and fails the test on error.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("lab: %s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// waitFor polls cond every 10 ms until it holds or timeout passes; then it
// fails the test naming what, with cond's last detail.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab: timed out after %v waiting for %s (last: %s)", timeout, what, detail)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
}
