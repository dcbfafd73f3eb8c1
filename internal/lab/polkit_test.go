package lab

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPolkit checks the lab's polkitd decides for resolved and hostnamed:
// an unprivileged caller (a lab-only user, as the broker's would be) is
// refused until PolkitAllow grants it the action, and another user stays
// refused.
func TestPolkit(t *testing.T) {
	const user = "nb-lab-user"
	l := Up(t, Options{Polkit: true, Resolved: true, Hostnamed: true, Users: []string{user}})
	uid, gid := l.User(t, user)
	if got, want := strings.TrimSpace(l.Exec(t, "id", "-u", user)), strconv.Itoa(uid); got != want {
		t.Errorf("id -u %s inside the lab = %q, want %s", user, got, want)
	}
	if out, err := exec.Command("id", "-u", user).CombinedOutput(); err == nil {
		t.Errorf("lab user %s exists on the host: %s", user, out)
	}
	if gid != uid {
		t.Errorf("lab user gid %d, want %d (= uid)", gid, uid)
	}
	dh := strconv.Itoa(l.IfIndex(t, LinkDhcp))
	as := func(user string, args ...string) error {
		argv := append([]string{"setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups", "busctl", "call"}, args...)
		_, err := output(l.Command(nil, argv...))
		return err
	}
	setHostname := []string{"org.freedesktop.hostname1", "/org/freedesktop/hostname1", "org.freedesktop.hostname1",
		"SetHostname", "sb", "polkit-ok", "false"}
	setDNS := []string{"org.freedesktop.resolve1", "/org/freedesktop/resolve1", "org.freedesktop.resolve1.Manager",
		"SetLinkDNS", "ia(iay)", dh, "1", "2", "4", "192", "168", "51", "1"}

	for _, call := range [][]string{setHostname, setDNS} {
		if err := as(user, call...); err == nil || !strings.Contains(err.Error(), "Interactive authentication required") {
			t.Errorf("%s as the lab user without a rule: err = %v, want InteractiveAuthorizationRequired", call[3], err)
		}
	}
	l.PolkitAllow(t, user, "org.freedesktop.hostname1.set-hostname", "org.freedesktop.resolve1.set-dns-servers")
	for _, call := range [][]string{setHostname, setDNS} {
		if err := as(user, call...); err != nil {
			t.Errorf("%s as the lab user with a rule: %v", call[3], err)
		}
		if err := as("bin", call...); err == nil {
			t.Errorf("%s as bin (no rule): succeeded, want refused", call[3])
		}
	}
	if got := strings.TrimSpace(l.Exec(t, "hostname")); got != "polkit-ok" {
		t.Errorf("hostname inside = %q, want polkit-ok", got)
	}
	got := l.Busctl(t, "get-property", "org.freedesktop.resolve1", "/org/freedesktop/resolve1/link/_3"+dh,
		"org.freedesktop.resolve1.Link", "DNS")
	if want := "a(iay) 1 2 4 192 168 51 1"; strings.TrimSpace(got) != want {
		t.Errorf("resolve1 link DNS = %q, want %q", got, want)
	}
}
