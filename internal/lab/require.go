package lab

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Host paths of the real components (Debian 12 layout).
const (
	networkdBin  = "/lib/systemd/systemd-networkd"
	hostnamedBin = "/lib/systemd/systemd-hostnamed"
	polkitdBin   = "/usr/lib/polkit-1/polkitd"
	dhclientBin  = "/sbin/dhclient"
	dhclientSh   = "/sbin/dhclient-script"
	dbusPolicy   = "/usr/share/dbus-1/system.d"
)

// mountPoints are bind-mounted over inside the lab; they must already exist
// on the host, because creating one would be a host change.
var mountPoints = []string{
	"/run/systemd", "/run/dbus", "/etc/systemd/network", "/etc/dhcp",
	"/var/lib/dhcp", "/etc/hostname", "/etc/resolv.conf",
	"/usr/share/polkit-1/actions", "/usr/share/polkit-1/rules.d", "/etc/polkit-1/rules.d",
	"/etc/passwd", "/etc/group",
}

// Require skips the test unless the lab can run here: root, Linux, the
// tools, the extracted systemd-resolved and the mount points. With CI=true
// in the environment it fails instead of skipping, so a CI machine that
// lacks something cannot pass by skipping.
func Require(t testing.TB) {
	t.Helper()
	if why := missing(); why != "" {
		msg := "lab: " + why
		if os.Geteuid() == 0 {
			msg += "; run internal/lab/testdeps.sh as root"
		}
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: not skipping)")
			return
		}
		t.Skip(msg)
	}
}

// missing returns why the lab cannot run, or "".
func missing() string {
	if runtime.GOOS != "linux" {
		return "needs Linux"
	}
	if os.Geteuid() != 0 {
		return "needs root (network namespaces, mounts)"
	}
	var gone []string
	for _, tool := range []string{"ip", "ss", "nsenter", "unshare", "setpriv", "mount", "hostname",
		"sleep", "dbus-daemon", "busctl", "dnsmasq", "dpkg-query"} {
		if _, err := exec.LookPath(tool); err != nil {
			gone = append(gone, tool)
		}
	}
	for _, f := range append([]string{networkdBin, hostnamedBin, polkitdBin, dhclientBin, dhclientSh,
		filepath.Join(dbusPolicy, "org.freedesktop.network1.conf"),
		filepath.Join(dbusPolicy, "org.freedesktop.hostname1.conf"),
		filepath.Join(dbusPolicy, "org.freedesktop.PolicyKit1.conf")}, mountPoints...) {
		if _, err := os.Stat(f); err != nil {
			gone = append(gone, f)
		}
	}
	for _, u := range []string{"systemd-network", "nobody", "polkitd"} {
		if _, err := user.Lookup(u); err != nil {
			gone = append(gone, "user "+u)
		}
	}
	dir, err := resolvedDir()
	if err != nil {
		gone = append(gone, err.Error())
	} else if _, err := os.Stat(filepath.Join(dir, "lib/systemd/systemd-resolved")); err != nil {
		gone = append(gone, "extracted systemd-resolved in "+dir)
	}
	if len(gone) > 0 {
		return "missing " + strings.Join(gone, ", ")
	}
	return ""
}

// resolvedDir is where testdeps.sh unpacked systemd-resolved of exactly the
// installed systemd version ($NB_LAB_CACHE, default
// /var/cache/network-broker-test).
func resolvedDir() (string, error) {
	cache := os.Getenv("NB_LAB_CACHE")
	if cache == "" {
		cache = "/var/cache/network-broker-test"
	}
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "systemd").Output()
	if err != nil || len(out) == 0 {
		return "", &os.PathError{Op: "dpkg-query systemd version", Path: cache, Err: os.ErrNotExist}
	}
	return filepath.Join(cache, "resolved-"+strings.TrimSpace(string(out))), nil
}
