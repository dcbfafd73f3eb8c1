package main

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"network-broker/rtnl"
)

// maxJSON bounds the JSON variable: one environment string may not pass
// the kernel's MAX_ARG_STRLEN (128 KiB), or execve fails with E2BIG. Routes
// past the bound are left out and counted in RoutesOmitted.
const maxJSON = 120 << 10

// linkJSON renders the link object of DESIGN.md §6. extra holds the
// networkd state file facts (DNS, NTP, domains) when known.
func linkJSON(v *linkView, extra linkExtra) []byte {
	o := newObj(make([]byte, 0, 1024+200*len(v.Addrs)+180*len(v.Routes)))
	o.Int("Index", int64(v.Index))
	o.Str("Name", v.Kernel.Name)
	for _, p := range linkStateProps {
		o.StrOpt(p, v.States[p])
	}
	o.StrOpt("Kind", v.Kernel.Kind)
	o.Uint("MTU", uint64(v.Kernel.MTU))
	o.StrOpt("HardwareAddress", hwString(v.Kernel.HardwareAddr))
	o.Str("KernelOperationalState", v.Kernel.OperState.String())
	o.Uint("Flags", uint64(v.Kernel.Flags))
	o.Str("FlagsString", flagsString(v.Kernel.Flags))
	if v.Kernel.Master != 0 {
		o.Int("Master", int64(v.Kernel.Master))
	}
	if v.Kernel.Carrier != nil {
		o.Bool("Carrier", *v.Kernel.Carrier)
	}
	writeBounded(o, "Address", "AddressesOmitted", len(v.Addrs), maxJSON/2, func(n int) []byte { return addrsJSON(v.Addrs[:n]) })
	extra.write(o)
	writeBounded(o, "Routes", "RoutesOmitted", len(v.Routes), maxJSON, func(n int) []byte { return routesJSON(v.Routes[:n]) })
	return o.Close()
}

// writeBounded writes the list render(total) under key unless the object
// would pass limit bytes; then it keeps the longest prefix that fits
// (found by halving) and counts the rest under omittedKey.
func writeBounded(o *jsonObj, key, omittedKey string, total, limit int, render func(n int) []byte) {
	head := len(o.b)
	keep := total
	for {
		list := render(keep)
		if head+len(list)+len(key)+64 <= limit || keep == 0 {
			o.Raw(key, list)
			break
		}
		keep /= 2
	}
	if keep < total {
		o.Int(omittedKey, int64(total-keep))
	}
}

// linkExtra is what networkd's state file or a lease knows of a link.
type linkExtra struct {
	DNS, NTP, Domains []string
}

func (e linkExtra) write(o *jsonObj) {
	if len(e.DNS) > 0 {
		o.Strs("DNS", e.DNS)
	}
	if len(e.NTP) > 0 {
		o.Strs("NTP", e.NTP)
	}
	if len(e.Domains) > 0 {
		o.Strs("Domains", e.Domains)
	}
}

func addrsJSON(addrs []rtnl.Address) []byte {
	b := make([]byte, 1, 2+200*len(addrs)) // about 200 bytes an address
	b[0] = '['
	for i := range addrs {
		a := &addrs[i]
		if i > 0 {
			b = append(b, ',')
		}
		o := newObj(b)
		o.Str("IP", a.Addr.String())
		o.Int("Mask", int64(a.PrefixLen))
		o.Str("Label", a.Label)
		o.Str("Family", familyName(a.Family))
		o.Str("Scope", scopeName(a.Scope))
		o.Strs("Flags", addrFlags(a.Flags))
		if a.Broadcast.IsValid() {
			o.Str("Broadcast", a.Broadcast.String())
		}
		if a.Peer.IsValid() && a.Peer != a.Addr {
			o.Str("Peer", a.Peer.String())
		}
		o.Uint("ValidLifetime", uint64(a.ValidLft))
		o.Uint("PreferredLifetime", uint64(a.PreferredLft))
		b = o.Close()
	}
	return append(b, ']')
}

// routesJSON keeps the original's shape: Dst {IP, Mask}, "" IP for default.
func routesJSON(routes []rtnl.Route) []byte {
	b := make([]byte, 1, 2+180*len(routes)) // about 180 bytes a route
	b[0] = '['
	var o jsonObj
	for i := range routes {
		r := &routes[i]
		if i > 0 {
			b = append(b, ',')
		}
		o = jsonObj{b: append(b, '{'), first: true}
		o.key("Dst")
		ip := ""
		if r.Dst.Bits() > 0 {
			ip = r.Dst.Addr().String()
		}
		o.b = append(o.b, `{"IP":`...)
		o.b = appendJSONString(o.b, ip)
		o.b = append(o.b, `,"Mask":`...)
		o.b = strconv.AppendInt(o.b, int64(r.Dst.Bits()), 10)
		o.b = append(o.b, '}')
		o.Str("Src", addrString(r.PrefSrc))
		o.Str("Gw", addrString(r.Gateway))
		o.Uint("Table", uint64(r.Table))
		o.Str("Family", familyName(r.Family))
		o.Str("Protocol", protoName(r.Protocol))
		o.Str("Scope", scopeName(r.Scope))
		o.Str("Type", typeName(r.Type))
		o.Uint("Metric", uint64(r.Priority))
		o.Int("OutIndex", int64(r.OutIndex))
		if len(r.Multipath) > 0 {
			hops := []byte{'['}
			for j, nh := range r.Multipath {
				if j > 0 {
					hops = append(hops, ',')
				}
				h := newObj(hops)
				h.Str("Gw", addrString(nh.Gateway))
				h.Int("OutIndex", int64(nh.OutIndex))
				h.Int("Weight", int64(nh.Weight))
				hops = h.Close()
			}
			o.Raw("Multipath", append(hops, ']'))
		}
		b = o.Close()
	}
	return append(b, ']')
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func hwString(hw []byte) string {
	b := make([]byte, 0, 3*len(hw))
	for i, c := range hw {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return string(b)
}

func familyName(f uint8) string {
	switch f {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	}
	return strconv.Itoa(int(f))
}

// scopeName names rtm_scope/ifa_scope values as ip(8) does.
func scopeName(s uint8) string {
	switch s {
	case unix.RT_SCOPE_UNIVERSE:
		return "global"
	case unix.RT_SCOPE_SITE:
		return "site"
	case unix.RT_SCOPE_LINK:
		return "link"
	case unix.RT_SCOPE_HOST:
		return "host"
	case unix.RT_SCOPE_NOWHERE:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

// protoName names rtm_protocol values as /etc/iproute2/rt_protos does.
func protoName(p uint8) string {
	switch p {
	case unix.RTPROT_UNSPEC:
		return "unspec"
	case unix.RTPROT_REDIRECT:
		return "redirect"
	case unix.RTPROT_KERNEL:
		return "kernel"
	case unix.RTPROT_BOOT:
		return "boot"
	case unix.RTPROT_STATIC:
		return "static"
	case unix.RTPROT_RA:
		return "ra"
	case unix.RTPROT_DHCP:
		return "dhcp"
	case policyProto:
		return "network-broker"
	}
	return strconv.Itoa(int(p))
}

func typeName(t uint8) string {
	names := [...]string{"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
		"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"}
	if int(t) < len(names) {
		return names[t]
	}
	return strconv.Itoa(int(t))
}

// addrFlags names IFA_F_* bits as ip(8) does.
func addrFlags(f uint32) []string {
	names := []struct {
		bit  uint32
		name string
	}{
		{unix.IFA_F_SECONDARY, "secondary"}, {unix.IFA_F_NODAD, "nodad"},
		{unix.IFA_F_OPTIMISTIC, "optimistic"}, {unix.IFA_F_DADFAILED, "dadfailed"},
		{unix.IFA_F_HOMEADDRESS, "home"}, {unix.IFA_F_DEPRECATED, "deprecated"},
		{unix.IFA_F_TENTATIVE, "tentative"}, {unix.IFA_F_PERMANENT, "permanent"},
		{unix.IFA_F_MANAGETEMPADDR, "mngtmpaddr"}, {unix.IFA_F_NOPREFIXROUTE, "noprefixroute"},
		{unix.IFA_F_MCAUTOJOIN, "autojoin"}, {unix.IFA_F_STABLE_PRIVACY, "stable-privacy"},
	}
	out := []string{}
	for _, n := range names {
		if f&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// flagsString names IFF_* bits like networkd's FlagsString.
func flagsString(f uint32) string {
	names := []struct {
		bit  uint32
		name string
	}{
		{unix.IFF_UP, "up"}, {unix.IFF_BROADCAST, "broadcast"}, {unix.IFF_DEBUG, "debug"},
		{unix.IFF_LOOPBACK, "loopback"}, {unix.IFF_POINTOPOINT, "point-to-point"},
		{unix.IFF_NOTRAILERS, "notrailers"}, {unix.IFF_RUNNING, "running"},
		{unix.IFF_NOARP, "noarp"}, {unix.IFF_PROMISC, "promisc"}, {unix.IFF_ALLMULTI, "allmulti"},
		{unix.IFF_MASTER, "master"}, {unix.IFF_SLAVE, "slave"}, {unix.IFF_MULTICAST, "multicast"},
		{unix.IFF_PORTSEL, "portsel"}, {unix.IFF_AUTOMEDIA, "automedia"}, {unix.IFF_DYNAMIC, "dynamic"},
		{unix.IFF_LOWER_UP, "lower-up"}, {unix.IFF_DORMANT, "dormant"}, {unix.IFF_ECHO, "echo"},
	}
	var out []string
	for _, n := range names {
		if f&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, " ")
}
