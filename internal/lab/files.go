package lab

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The recipe's .network files (real-components.md §4.4): veth-st static,
// veth-nd DHCP from dnsmasq; veth-dh matches nothing and stays unmanaged.
const (
	networkStatic = `[Match]
Name=veth-st

[Network]
Address=10.77.0.2/24
Gateway=10.77.0.1
DNS=10.77.0.1
Domains=static.lab
LinkLocalAddressing=no
IPv6AcceptRA=no
`
	networkDHCP = `[Match]
Name=veth-nd

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no

[DHCPv4]
# No polkit by default: networkd, as systemd-network, could not call hostnamed.
UseHostname=no
`
)

// DefaultNetworkFiles returns the recipe's .network files, keyed by file
// name; Options.NetworkFiles defaults to it.
func DefaultNetworkFiles() map[string]string {
	return map[string]string{"10-veth-st.network": networkStatic, "20-veth-nd.network": networkDHCP}
}

// busConf is the private bus's configuration (§4.1): a system-like default
// policy, root may own and call anything (fake peers, BecomeMonitor), and
// the services' own policy files from run/bus.d.
func busConf(dir string) string {
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=` + dir + `/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <servicedir>` + dir + `/run/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Peer"/>
  </policy>
  <policy user="root">
    <allow own="*"/>
    <allow send_type="method_call"/>
  </policy>
  <includedir>` + dir + `/run/bus.d</includedir>
  <limit name="reply_timeout">60000</limit>
</busconfig>
`
}

// hostnamedService makes the bus start hostnamed on demand (§4.6): it exits
// after 30 s idle, and activation brings it back in the lab's namespaces.
func hostnamedService(dir string) string {
	return "[D-BUS Service]\nName=org.freedesktop.hostname1\nExec=" + dir + "/bin/run-hostnamed\nUser=root\n"
}

// runHostnamed is the activation helper; it records its PID (which
// hostnamed keeps: nsenter and env exec) for the teardown.
func runHostnamed(dir string, holder int, bus string) string {
	return fmt.Sprintf(`#!/bin/sh
echo $$ >> %[1]s/run/hostnamed.pids
exec nsenter -t %[2]d -n -m -u env DBUS_SYSTEM_BUS_ADDRESS=%[3]s /lib/systemd/systemd-hostnamed >>%[1]s/log/hostnamed.log 2>&1
`, dir, holder, bus)
}

// bind is one bind mount made by the holder inside the lab mount namespace.
type bind struct{ src, dst string }

// nsInit is the namespace holder (§4.2). It runs under
// "ip netns exec NS unshare --mount --uts --propagation private", refuses
// to touch anything while it shares a mount, net or UTS namespace with
// PID 1 or with the test process (host lists the test's own namespace ids:
// PID 1's may be unreadable, e.g. in a container), mounts the lab's
// private files over the host paths, makes /sys read-only (else networkd
// waits for udev forever, §5), sets the lab hostname, and then stays as
// the process that keeps the namespaces alive.
func nsInit(dir, hostname string, binds []bind, host map[string]string) string {
	var b strings.Builder
	b.WriteString(`#!/bin/sh
# ns-init: namespace holder of one internal/lab run (generated).
set -eu
refuse() {
	echo "ns-init: refusing to run: $1 namespace is $2" >&2
	exit 1
}
for ns in mnt net uts; do
	self=$(readlink /proc/self/ns/$ns) || refuse $ns "unreadable"
	[ -n "$self" ] || refuse $ns "unreadable"
	[ "$self" != "$(readlink /proc/1/ns/$ns 2>/dev/null || true)" ] || refuse $ns "PID 1's"
done
`)
	for _, ns := range []string{"mnt", "net", "uts"} {
		fmt.Fprintf(&b, "[ \"$(readlink /proc/self/ns/%[1]s)\" != '%[2]s' ] || refuse %[1]s \"the test's\"\n", ns, host[ns])
	}
	b.WriteString("mount --make-rprivate /\n")
	for _, m := range binds {
		fmt.Fprintf(&b, "mount --bind '%s' '%s'\n", m.src, m.dst)
	}
	fmt.Fprintf(&b, `ln -sfn '%[1]s/bus.sock' /run/dbus/system_bus_socket
mount -o remount,bind,ro /sys
hostname '%[2]s'
touch '%[1]s/run/holder.ready'
exec sleep infinity
`, dir, hostname)
	return b.String()
}

// namespaces returns the mount, net and UTS namespace ids of pid
// ("self" for the test process); unreadable ones are missing.
func namespaces(pid string) map[string]string {
	m := map[string]string{}
	for _, ns := range []string{"mnt", "net", "uts"} {
		if id, err := os.Readlink("/proc/" + pid + "/ns/" + ns); err == nil && id != "" {
			m[ns] = id
		}
	}
	return m
}

// dnsmasqConf is the recipe's DHCP and DNS server (§4.3) for srv-dh and
// srv-nd; lease is the lease time of both ranges (dnsmasq's minimum is 2m).
func dnsmasqConf(dir, lease string) string {
	return `user=root
group=root
no-resolv
no-hosts
no-poll
bind-interfaces
interface=srv-dh
interface=srv-nd
except-interface=lo
dhcp-authoritative
dhcp-leasefile=` + dir + `/run/dnsmasq.leases
pid-file=` + dir + `/run/dnsmasq.pid
log-dhcp
log-facility=` + dir + `/log/dnsmasq.log
local=/lab.example/
host-record=gw.dh.lab.example,192.168.51.1
host-record=gw.nd.lab.example,192.168.52.1
dhcp-range=set:dh,192.168.51.100,192.168.51.150,255.255.255.0,` + lease + `
dhcp-option=tag:dh,option:router,192.168.51.1
dhcp-option=tag:dh,option:dns-server,192.168.51.1,192.168.51.53
dhcp-option=tag:dh,option:domain-name,dh.lab.example
dhcp-option=tag:dh,option:domain-search,dh.lab.example,lab.example
dhcp-option=tag:dh,option:ntp-server,192.168.51.1
dhcp-host=02:00:00:00:51:02,192.168.51.10,client-dh
dhcp-range=set:nd,192.168.52.100,192.168.52.150,255.255.255.0,` + lease + `
dhcp-option=tag:nd,option:router,192.168.52.1
dhcp-option=tag:nd,option:dns-server,192.168.52.1,192.168.52.53
dhcp-option=tag:nd,option:domain-name,nd.lab.example
dhcp-option=tag:nd,option:domain-search,nd.lab.example,lab.example
dhcp-host=02:00:00:00:52:02,192.168.52.10,client-nd
`
}

// dhclient hooks (§4.7): the enter hook keeps dhclient-script away from
// /etc/resolv.conf; the exit hook logs one tab-separated line per run,
// which WaitDhclientReason reads.
const (
	dhclientNoResolvconf = "# internal/lab: never write resolv.conf\nmake_resolv_conf() { :; }\n"
	dhclientLogHook      = `# internal/lab: one line per dhclient-script run
printf '%s\treason=%s\tinterface=%s\tnew_ip_address=%s\tnew_subnet_mask=%s\tnew_routers=%s\tnew_domain_name_servers=%s\tnew_domain_name=%s\tnew_domain_search=%s\tnew_host_name=%s\tnew_ntp_servers=%s\told_ip_address=%s\n' \
	"$(date +%s.%N)" "$reason" "$interface" "${new_ip_address:-}" "${new_subnet_mask:-}" "${new_routers:-}" \
	"${new_domain_name_servers:-}" "${new_domain_name:-}" "${new_domain_search:-}" "${new_host_name:-}" \
	"${new_ntp_servers:-}" "${old_ip_address:-}" >> LOGFILE
`
	dhclientConfFallback = `option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
send host-name = gethostname();
request subnet-mask, broadcast-address, time-offset, routers, domain-name,
	domain-name-servers, domain-search, host-name, interface-mtu,
	rfc3442-classless-static-routes, ntp-servers;
`
)

// writeEtcDhcp fills dst with a copy of the host's /etc/dhcp minus the debug
// and timesyncd hooks, plus the lab's two hooks.
func writeEtcDhcp(dst, logFile string) error {
	skip := map[string]bool{
		"dhclient-enter-hooks.d/debug": true, "dhclient-exit-hooks.d/debug": true,
		"dhclient-exit-hooks.d/timesyncd": true,
	}
	err := filepath.WalkDir("/etc/dhcp", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("/etc/dhcp", path)
		if rel == "." || skip[rel] {
			return nil
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, info.Mode().Perm())
	})
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("copy /etc/dhcp: %w", err)
	}
	files := map[string]string{
		"dhclient-enter-hooks.d/00-lab-no-resolvconf": dhclientNoResolvconf,
		"dhclient-exit-hooks.d/zz-lab-log":            strings.Replace(dhclientLogHook, "LOGFILE", "'"+logFile+"'", 1),
	}
	if _, err := os.Stat(filepath.Join(dst, "dhclient.conf")); err != nil {
		files["dhclient.conf"] = dhclientConfFallback
	}
	return writeFiles(dst, files, 0o644)
}

// writeFiles writes name → content under dir, creating subdirectories.
func writeFiles(dir string, files map[string]string, mode os.FileMode) error {
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies src to dst with mode 0644, replacing old with new in
// the text when old is not empty.
func copyFile(src, dst, old, new string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	s := string(b)
	if old != "" {
		s = strings.ReplaceAll(s, old, new)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, []byte(s), 0o644)
}
