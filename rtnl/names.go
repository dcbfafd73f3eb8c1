package rtnl

import "strconv"

// Names as `ip` prints them (iproute2 6.1 lib/rt_names.c and
// /etc/iproute2/rt_protos, rt_scopes, rt_tables); a value without a name
// prints as its decimal number, as `ip` does.

// ScopeName names an RT_SCOPE_* value: "global", "link", "host", ...
func ScopeName(s uint8) string {
	// A switch, not a map like the longer lists below: the compiler
	// builds a map literal this small in the package's init, so it would
	// stay in programs that never name a scope; larger ones are dropped
	// by the linker when unused.
	switch s {
	case 0:
		return "global"
	case 200:
		return "site"
	case 253:
		return "link"
	case 254:
		return "host"
	case 255:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

var protocolNames = map[uint8]string{
	0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
	10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp",
	18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf",
	189: "rip", 192: "eigrp",
}

// ProtocolName names an RTPROT_* value: "kernel", "boot", "static", "dhcp", ...
func ProtocolName(p uint8) string { return name(protocolNames, p) }

var typeNames = map[uint8]string{
	0: "none", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
	6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve",
}

// TypeName names an RTN_* route type: "unicast", "local", "blackhole", ...
func TypeName(t uint8) string { return name(typeNames, t) }

var actionNames = map[uint8]string{
	0: "unspec", 1: "to_tbl", 2: "goto", 3: "nop", 6: "blackhole", 7: "unreachable", 8: "prohibit",
}

// ActionName names a FR_ACT_* rule action: "to_tbl", "goto", "nop",
// "blackhole", "unreachable", "prohibit".
func ActionName(a uint8) string { return name(actionNames, a) }

// TableName names a routing table: "main", "local", "default", else the number.
func TableName(t uint32) string {
	switch t {
	case 253:
		return "default"
	case 254:
		return "main"
	case 255:
		return "local"
	}
	return strconv.FormatUint(uint64(t), 10)
}

func name(m map[uint8]string, v uint8) string {
	if s, ok := m[v]; ok {
		return s
	}
	return strconv.Itoa(int(v))
}
