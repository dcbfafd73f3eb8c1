package lab

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
)

// hostState is what a lab must never change on the host
// (real-components.md §2): hostname, resolv.conf, /etc/hostname, the system
// bus socket, and the root netns's links, addresses, routes and rules;
// also /etc/passwd and /etc/group, which the lab's users must not reach.
type hostState map[string]string

// snapshotHost records the host state. A command that fails is recorded
// with its error, so a failure that comes or goes shows as a difference.
func snapshotHost() hostState {
	s := hostState{}
	s["hostname"], _ = os.Hostname()
	for _, f := range []string{"/etc/resolv.conf", "/etc/hostname", "/etc/passwd", "/etc/group"} {
		s["sha256 "+f] = fileHash(f)
	}
	_, err := os.Lstat("/run/dbus/system_bus_socket")
	s["exists /run/dbus/system_bus_socket"] = boolWord(err == nil)
	for _, args := range [][]string{
		{"-o", "link", "show"},
		{"-o", "addr", "show"},
		{"route", "show", "table", "all"},
		{"rule", "show"},
		{"-6", "rule", "show"},
	} {
		out, err := exec.Command("ip", args...).CombinedOutput()
		v := dropCounters(string(out))
		if err != nil {
			v += "\nerror: " + err.Error()
		}
		s["ip "+strings.Join(args, " ")] = v
	}
	return s
}

// diff returns one line per key whose value changed, with both values.
func (s hostState) diff(after hostState) []string {
	var d []string
	for k, v := range s {
		if w := after[k]; w != v {
			d = append(d, k+":\n--- before\n"+v+"\n+++ after\n"+w)
		}
	}
	return d
}

func fileHash(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "error: " + err.Error()
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// countdowns are ip's words followed by a remaining time ("86390sec")
// that changes between two snapshots by itself: lifetimes of a DHCP or
// SLAAC address of the host, the expiry of an RA route.
var countdowns = map[string]bool{"expires": true, "valid_lft": true, "preferred_lft": true}

// dropCounters removes countdowns (word and value) from ip output.
func dropCounters(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		out := f[:0]
		for j := 0; j < len(f); j++ {
			if countdowns[f[j]] && j+1 < len(f) && strings.HasSuffix(f[j+1], "sec") {
				j++
				continue
			}
			out = append(out, f[j])
		}
		lines[i] = strings.Join(out, " ")
	}
	return strings.Join(lines, "\n")
}
