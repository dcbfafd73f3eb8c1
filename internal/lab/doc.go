// Package lab runs the real components the broker talks to — a private
// dbus-daemon, systemd-networkd, systemd-resolved, systemd-hostnamed,
// polkitd, dnsmasq and ISC dhclient — in network, mount and UTS namespaces
// that a test creates and removes, so end-to-end tests need no mocks and
// never touch the host. It follows /work/shared/reference/real-components.md
// (the tested recipe) and is test support only: it uses os/exec freely and
// is never linked into the broker.
//
// # Layout
//
//	root netns (untouched)  SrvNS nbs-<pid>-<n>             NS nbt-<pid>-<n> + private mount and UTS ns
//	                        veth-stp 10.77.0.1/24    <--->  veth-st  networkd static 10.77.0.2/24, gw .1
//	                        srv-dh   192.168.51.1/24 <--->  veth-dh  unmanaged; ISC dhclient -> 192.168.51.10
//	                        srv-nd   192.168.52.1/24 <--->  veth-nd  networkd DHCP=ipv4 -> 192.168.52.10
//	                        dnsmasq (DHCP, DNS            dbus-daemon (<Dir>/bus.sock), networkd, resolved,
//	                          lab.example)                hostnamed, polkitd, dhclient, what Start runs
//
// Inside the lab, /run/systemd, /run/dbus, /etc/systemd/network, /etc/dhcp,
// /var/lib/dhcp, /etc/hostname (empty), /etc/resolv.conf and polkit's rules
// and actions directories are the lab's own (under <Dir>/ns), and so are
// /etc/passwd and /etc/group when Options.Users asks for lab-only users.
// The hostname is "nb-lab", /sys is read-only (so networkd does not wait
// for udev), and /run/dbus/system_bus_socket points at the lab bus, so
// programs using the default system bus path work unchanged. Everything
// else of the host's file system (/tmp, /usr, a test's t.TempDir()) is
// visible as usual. The bus daemon itself runs in the lab's namespaces too
// (it must know the lab's users); its socket is <Dir>/bus.sock.
//
// # Use
//
// The machine needs root and the packages of testdeps.sh; run
// "sh internal/lab/testdeps.sh" once as root (CI must, before go test).
// Without them Up skips the test, or fails it when CI=true.
//
//	func TestBrokerSeesNetworkd(t *testing.T) {
//		l := lab.Up(t, lab.Options{Networkd: true, DHCP: true, Users: []string{"network-broker"}})
//		bin := lab.GoBuild(t, "network-broker")                              // or re-exec os.Args[0]
//		cfg := t.TempDir()                                                    // visible inside the lab
//		broker := l.Start(t, "broker", nil, bin, "-config-dir", cfg)          // log: broker.LogText()
//		st := l.IfIndex(t, lab.LinkStatic)
//		l.Carrier(t, lab.LinkStatic, false)                                   // veth-st loses carrier
//		l.WaitLinkProperty(t, st, "OperationalState", "no-carrier", 5*time.Second)
//		l.Carrier(t, lab.LinkStatic, true)
//		l.RestartNetworkd(t)                                                  // or l.RestartBus(t)
//		_ = broker.Signal(syscall.SIGTERM)
//		if code := broker.Wait(t, 10*time.Second); code != 0 {
//			t.Fatalf("broker exit %d: %s", code, broker.LogText())
//		}
//	}
//
// dhclient, resolved, hostnamed and polkit:
//
//	l := lab.Up(t, lab.Options{DHCP: true, Dhclient: true, Resolved: true, Hostnamed: true,
//		Polkit: true, Users: []string{"network-broker"}, LeaseTime: "2m"})
//	lease := l.LeaseDir() + "/dhclient.veth-dh.leases"                    // host path of the lease file
//	l.PolkitAllow(t, "network-broker", "org.freedesktop.resolve1.set-dns-servers",
//		"org.freedesktop.resolve1.set-domains", "org.freedesktop.hostname1.set-hostname")
//	n := len(l.DhclientEvents(t))
//	l.StopDhclient(t, lab.LinkDhcp); l.StartDhclient(t, lab.LinkDhcp)     // REBOOT
//	ev := l.WaitDhclientReason(t, 90*time.Second, n, "RENEW")             // ~60 s with "2m"
//	dns := l.Busctl(t, "get-property", "org.freedesktop.resolve1",
//		"/org/freedesktop/resolve1/link/_3"+strconv.Itoa(l.IfIndex(t, lab.LinkDhcp)),
//		"org.freedesktop.resolve1.Link", "DNS")                             // "a(iay) 2 2 4 192 168 51 1 ..."
//	host := l.Exec(t, "hostname")                                         // the lab's, not the host's
//
// Up registers the teardown with t.Cleanup; it runs even when the test
// fails: processes are stopped in the recipe's order (those of Start
// first, being registered later, then dhclient, hostnamed, resolved,
// polkitd, networkd, dnsmasq, anything else left in the two netns, the
// holder, the bus), each by a pidfd (SIGTERM, 5 s, SIGKILL, then SIGKILL
// to the rest of its process group); the netns are deleted; <Dir> is
// removed, except <Dir>/log (and files a test put in <Dir>) when the test
// failed (its path is logged). Last, the host state recorded before Up
// (hostname, /etc/resolv.conf, /etc/hostname, /etc/passwd, /etc/group,
// /run/dbus/system_bus_socket, the root netns's links, addresses, routes
// and rules) is compared with the state after; any difference is a
// t.Error. Every lab process gets SIGKILL as its parent-death signal, and
// the next Up ends what survives a dead test process (networkd, resolved
// and polkitd lose that signal when they change user) and removes its
// namespaces, so an aborted run leaves nothing behind for long.
//
// Names are unique per test process and lab (pid and a counter), so
// packages testing in parallel (go test ./...) and parallel tests each
// get their own lab; a full Up takes about 0.3 s on an idle machine (the
// phases are logged), a teardown about 0.5 s.
//
// # Facts tests rely on
//
//   - Processes: Start (inside the lab), SrvStart (server netns), Command
//     and SrvCommand (an *exec.Cmd to run yourself), Exec / TryExec /
//     SrvExec (run and wait). Start and Command set DBUS_SYSTEM_BUS_ADDRESS.
//     Carrier(t, link, up) switches a lab link's carrier via its peer.
//   - Bus: l.Bus from the host (busctl --address, DBUS_SYSTEM_BUS_ADDRESS);
//     inside, the default path works too. Root may own any name and call
//     anything, so a test can register a fake org.freedesktop.network1 (run
//     without Options.Networkd) or become a monitor. Busctl, TryBusctl,
//     WaitName, WaitProperty, ReloadBus (after adding a policy to
//     <Dir>/run/bus.d).
//   - networkd: object paths via LinkPath(ifindex); state files under
//     l.RunSystemd+"/netif"; .network files in l.NetworkDir (then call
//     org.freedesktop.network1.Manager.Reload). It removes foreign rules
//     and routes when a managed link reconfigures, unless NetworkdConf
//     says ManageForeignRoutingPolicyRules=no / ManageForeignRoutes=no.
//     Stopping it removes its DHCP addresses.
//   - resolved defers to networkd: SetLinkDNS on veth-st or veth-nd fails
//     with org.freedesktop.resolve1.LinkBusy; use veth-dh.
//   - hostnamed is bus-activated (it exits after 30 s idle); SetHostname
//     changes the lab's hostname only.
//   - dhclient on veth-dh writes /var/lib/dhcp/dhclient.veth-dh.leases
//     inside (LeaseDir on the host); each dhclient-script run is one
//     DhclientEvent. Lease time is Options.LeaseTime (dnsmasq's minimum
//     "2m" gives a RENEW about every 60 s).
//   - polkit (Options.Polkit): unprivileged callers of resolved and
//     hostnamed get InteractiveAuthorizationRequired until PolkitAllow
//     grants the action to their user name; Options.Users makes such a
//     user inside the lab only (Lab.User gives its uid and gid).
//   - After StopBus and StartBus, networkd, resolved and polkitd stay off
//     the new bus (systemd 252 does not reconnect); RestartBus restarts
//     them too.
//
// # Environment
//
//   - CI=true: a missing prerequisite fails instead of skipping.
//   - NB_LAB_CACHE: where testdeps.sh unpacked systemd-resolved
//     (default /var/cache/network-broker-test).
package lab
