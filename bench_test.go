package main

// Micro-benchmarks of package main's hot paths: the JSON link object a
// hook gets, the configuration file, dhclient lease files, and the event
// loop's state update for a burst of route notifications. The other
// packages (dbus, rtnl, yaml, hooks, inotify) have their own.

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"network-broker/rtnl"
)

// benchView is a routable link like the one of DESIGN.md §6 with n routes
// in the main table.
func benchView(n int) linkView {
	carrier := true
	v := linkView{
		Index: 3, InKern: true,
		Kernel: rtnl.Link{Index: 3, Name: "ens37", Type: 1, MTU: 1500, Kind: "veth", Carrier: &carrier,
			Flags:        unix.IFF_UP | unix.IFF_BROADCAST | unix.IFF_RUNNING | unix.IFF_MULTICAST | unix.IFF_LOWER_UP,
			HardwareAddr: []byte{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, OperState: 6},
		Addrs: []rtnl.Address{
			{Family: unix.AF_INET, Index: 3, Addr: netip.MustParseAddr("172.16.130.144"), PrefixLen: 24, Label: "ens37",
				Broadcast: netip.MustParseAddr("172.16.130.255"), ValidLft: 3600, PreferredLft: 3600},
			{Family: unix.AF_INET6, Index: 3, Addr: netip.MustParseAddr("fe80::5054:ff:fe12:3456"), PrefixLen: 64,
				Scope: unix.RT_SCOPE_LINK, Flags: unix.IFA_F_PERMANENT, ValidLft: 0xffffffff, PreferredLft: 0xffffffff},
		},
		States: map[string]string{"OperationalState": "routable", "AdministrativeState": "configured",
			"CarrierState": "carrier", "AddressState": "routable", "IPv4AddressState": "routable",
			"IPv6AddressState": "degraded", "OnlineState": "online"},
	}
	gw := netip.MustParseAddr("172.16.130.2")
	v.Routes = append(v.Routes, rtnl.Route{Family: unix.AF_INET, Dst: netip.MustParsePrefix("0.0.0.0/0"),
		Gateway: gw, Table: 254, Protocol: 16, Type: 1, OutIndex: 3, PrefSrc: v.Addrs[0].Addr})
	for i := 1; i < n; i++ {
		dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
		v.Routes = append(v.Routes, rtnl.Route{Family: unix.AF_INET, Dst: dst, Gateway: gw, Table: 254,
			Protocol: 4, Type: 1, OutIndex: 3, Priority: 100})
	}
	return v
}

func BenchmarkLinkJSON(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			v := benchView(n)
			extra := linkExtra{DNS: []string{"172.16.130.2"}, Domains: []string{"lab.example"}}
			b.ReportAllocs()
			var size int
			for b.Loop() {
				size = len(linkJSON(&v, extra))
			}
			b.ReportMetric(float64(size), "bytes/object")
		})
	}
}

// benchConfig sets every documented key (DESIGN.md §4 and the README's
// additions), lists in both spellings.
const benchConfig = `# network-broker configuration
System:
  LogLevel: info              # debug | info | warn | error | fatal
  LogFormat: text
  Generator: systemd-networkd
  HookTimeout: 30s
  HookParallel: 4
  StartupTriggers: false
  RoutesDebounce: 250ms
  User: network-broker
Network:
  Links: eth0 eth1 ens33 ens37
  RoutingPolicyRules:
    - eth1
    - ens37
  RouteTableBase: 1000
  RulePriority: 10000
  EmitJSON: true
  UseDNS: false
  UseDomain: false
  UseHostname: false
  LeaseFiles: /var/lib/dhclient/dhclient.leases /var/lib/dhcp/dhclient*.leases
`

func BenchmarkConfigParse(b *testing.B) {
	data := []byte(benchConfig)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c := defaultConfig("/etc/network-broker")
		if err := c.parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLeasesLongFile parses the captured file (lease_test.go's
// BenchmarkParseLeases takes twenty blocks) and one that renewals every
// minute for most of a day leave: dhclient only appends, and rewrites the
// file only when it starts.
func BenchmarkParseLeasesLongFile(b *testing.B) {
	for _, blocks := range []int{2, 1000} {
		data := []byte(strings.Repeat(leaseSampleVethDh, blocks/2))
		b.Run(fmt.Sprintf("blocks=%d", blocks), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				leases, errs := ParseLeases(data)
				if len(errs) > 0 || len(leases) != blocks {
					b.Fatalf("%d leases, errors %v", len(leases), errs)
				}
				_ = LastLeases(leases)
			}
		})
	}
}

// BenchmarkApplyKernelEvents feeds the loop a burst of route
// notifications (n routes added, then removed, spread over 10 links, as
// after a BGP or VPN session flaps) and reports the cost per event.
func BenchmarkApplyKernelEvents(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			br := benchBroker(10)
			var add, del kernelEvents
			for i := 0; i < n; i++ {
				r := &rtnl.Route{Family: unix.AF_INET, Table: 254, Protocol: 4, Type: 1, OutIndex: int32(2 + i%10),
					Dst:     netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24),
					Gateway: netip.AddrFrom4([4]byte{172, 16, byte(i % 10), 1})}
				add = append(add, rtnl.Event{Type: unix.RTM_NEWROUTE, Route: r})
				del = append(del, rtnl.Event{Type: unix.RTM_DELROUTE, Route: r})
			}
			b.ReportAllocs()
			for b.Loop() {
				br.apply(add)
				br.apply(del)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*2*n), "ns/event")
		})
	}
}

// benchBroker is a ready broker (networkd generator, no hooks runner,
// no policy rules) that knows links 2..links+1, each up with an address.
func benchBroker(links int) *broker {
	cfg := defaultConfig(b2dir)
	br := newBroker(cfg, newLogger(io.Discard, "info", "text"), nil)
	var s kernelSync
	for i := 0; i < links; i++ {
		idx := int32(2 + i)
		s.links = append(s.links, rtnl.Link{Index: idx, Name: fmt.Sprintf("eth%d", i), MTU: 1500,
			Flags: unix.IFF_UP | unix.IFF_LOWER_UP | unix.IFF_RUNNING})
		s.addrs = append(s.addrs, rtnl.Address{Family: unix.AF_INET, Index: idx, PrefixLen: 24,
			Addr: netip.AddrFrom4([4]byte{172, 16, byte(i), 2})})
	}
	br.applyKernelSync(s)
	br.statesSynced = true
	br.checkReady()
	return br
}

// b2dir is a configuration directory that is never read.
const b2dir = "/nonexistent/network-broker"
