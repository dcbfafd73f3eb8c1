package rtnl

import (
	"errors"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// NextHop is one path of a multipath route (struct rtnexthop + RTA_*).
type NextHop struct {
	Gateway  netip.Addr // RTA_GATEWAY or RTA_VIA
	OutIndex int32      // rtnh_ifindex
	Weight   int        // rtnh_hops + 1, as `ip route` prints "weight"
	Flags    uint8      // rtnh_flags, RTNH_F_* (DEAD 1, PERVASIVE 2, ONLINK 4, LINKDOWN 16)
}

// Route is one routing table entry (RTM_NEWROUTE, struct rtmsg + RTA_*).
type Route struct {
	Family    uint8        // AF_INET or AF_INET6
	Dst       netip.Prefix // RTA_DST/rtm_dst_len; 0.0.0.0/0 or ::/0 for a default route, always valid
	Src       netip.Prefix // RTA_SRC/rtm_src_len (source routing, IPv6); invalid when absent
	PrefSrc   netip.Addr   // RTA_PREFSRC
	Gateway   netip.Addr   // RTA_GATEWAY, or RTA_VIA (an IPv6 gateway of an IPv4 route)
	Table     uint32       // RTA_TABLE when present (it supersedes rtm_table), else rtm_table
	Protocol  uint8        // rtm_protocol, RTPROT_* (kernel 2, boot 3, static 4, dhcp 16)
	Scope     uint8        // rtm_scope, RT_SCOPE_* (universe 0, link 253, host 254)
	Type      uint8        // rtm_type, RTN_* (unicast 1, local 2, broadcast 3, blackhole 6, unreachable 7, prohibit 8)
	TOS       uint8        // rtm_tos
	Priority  uint32       // RTA_PRIORITY, the metric
	OutIndex  int32        // RTA_OIF; 0 for multipath, blackhole, unreachable
	Multipath []NextHop    // RTA_MULTIPATH
	Pref      uint8        // RTA_PREF (IPv6 router preference: 0 medium, 1 high, 3 low)
	Flags     uint32       // rtm_flags, RTM_F_* and RTNH_F_*
}

// rtmsg mirrors struct rtmsg (include/uapi/linux/rtnetlink.h):
// family, dst_len, src_len, tos, table, protocol, scope, type (u8), flags u32.
const sizeofRtmsg = 12

// rtnexthop mirrors struct rtnexthop: len u16, flags u8, hops u8, ifindex i32.
//
//	#define RTNH_ALIGNTO	4
//	#define RTNH_ALIGN(len) ( ((len)+RTNH_ALIGNTO-1) & ~(RTNH_ALIGNTO-1) )
const sizeofRtnexthop = 8

func rtnhAlign(n int) int { return (n + 3) &^ 3 }

// decodeRoute decodes the payload of an RTM_NEWROUTE/RTM_DELROUTE message
// into the zero Route r.
func decodeRoute(b []byte, r *Route) error {
	if len(b) < sizeofRtmsg {
		return shortError("route", "rtmsg", sizeofRtmsg, len(b))
	}
	r.Family = b[0]
	dstLen, srcLen := b[1], b[2]
	r.TOS, r.Protocol, r.Scope, r.Type = b[3], b[5], b[6], b[7]
	r.Table = uint32(b[4])
	r.Flags = ne.Uint32(b[8:12])
	if err := checkPrefixLens("route", r.Family, dstLen, srcLen); err != nil {
		return err
	}
	var dst, src netip.Addr
	a := newAttrs("route", b[sizeofRtmsg:])
	for a.Next() {
		switch a.Type() {
		case unix.RTA_DST:
			dst = a.Addr(r.Family)
		case unix.RTA_SRC:
			src = a.Addr(r.Family)
		case unix.RTA_PREFSRC:
			r.PrefSrc = a.Addr(r.Family)
		case unix.RTA_GATEWAY:
			r.Gateway = a.Addr(r.Family)
		case unix.RTA_VIA:
			r.Gateway = decodeVia(a)
		case unix.RTA_TABLE:
			r.Table = a.Uint32()
		case unix.RTA_PRIORITY:
			r.Priority = a.Uint32()
		case unix.RTA_OIF:
			r.OutIndex = int32(a.Uint32())
		case unix.RTA_PREF:
			r.Pref = a.Uint8()
		case unix.RTA_MULTIPATH:
			r.Multipath = decodeMultipath(a, r.Family)
		}
	}
	if !dst.IsValid() {
		dst = zeroAddr(r.Family)
		if dstLen != 0 {
			a.failWith(errors.New("rtnl: route: rtm_dst_len " + strconv.Itoa(int(dstLen)) + " without RTA_DST"))
		}
	}
	r.Dst = netip.PrefixFrom(dst, int(dstLen))
	if src.IsValid() {
		r.Src = netip.PrefixFrom(src, int(srcLen))
	}
	return a.Err()
}

// zeroAddr is the unspecified address of a family (0.0.0.0 or ::).
func zeroAddr(family uint8) netip.Addr {
	if addrLen(family) == 4 {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// checkPrefixLens checks the family and the prefix lengths of an rtmsg or
// a fib_rule_hdr, which share their first bytes.
func checkPrefixLens(what string, family, dstLen, srcLen uint8) error {
	n := addrLen(family)
	if n == 0 {
		return errors.New("rtnl: " + what + ": unsupported family " + strconv.Itoa(int(family)))
	}
	if int(dstLen) > 8*n || int(srcLen) > 8*n {
		return errors.New("rtnl: " + what + ": prefix lengths " + prefixLens(dstLen, srcLen) + " too long for family " + strconv.Itoa(int(family)))
	}
	return nil
}

// prefixLens formats a dst/src length pair as errors show it, "24/0".
func prefixLens(dst, src uint8) string {
	return strconv.Itoa(int(dst)) + "/" + strconv.Itoa(int(src))
}

// decodeVia reads struct rtvia: family u16 (host order) then the address.
func decodeVia(a *attrs) netip.Addr {
	d := a.Data()
	if len(d) < 2 {
		a.fail("struct rtvia (2-byte family + address)")
		return netip.Addr{}
	}
	fam := ne.Uint16(d[0:2])
	if fam > 255 {
		a.fail("rtvia with an IPv4 or IPv6 family")
		return netip.Addr{}
	}
	ip, ok := addrFrom(uint8(fam), d[2:])
	if !ok {
		a.fail("rtvia address of family " + strconv.Itoa(int(fam)))
	}
	return ip
}

// decodeMultipath reads the rtnexthop list of RTA_MULTIPATH; each entry is
// its header then its own attributes, rtnh_len bytes in all.
func decodeMultipath(outer *attrs, family uint8) []NextHop {
	b := outer.Data()
	var hops []NextHop
	for off := 0; off < len(b); {
		rest := len(b) - off
		if rest < sizeofRtnexthop {
			outer.failWith(truncatedRecord("route: nexthop", off, sizeofRtnexthop, "bytes", rest))
			return hops
		}
		l := int(ne.Uint16(b[off:]))
		if l < sizeofRtnexthop || l > rest {
			outer.failWith(badRecordLength("route: nexthop", off, l, sizeofRtnexthop, rest))
			return hops
		}
		nh := NextHop{Flags: b[off+2], Weight: int(b[off+3]) + 1, OutIndex: int32(ne.Uint32(b[off+4:]))}
		in := newAttrs("route nexthop", b[off+sizeofRtnexthop:off+l])
		for in.Next() {
			switch in.Type() {
			case unix.RTA_GATEWAY:
				nh.Gateway = in.Addr(family)
			case unix.RTA_VIA:
				nh.Gateway = decodeVia(in)
			}
		}
		if in.Err() != nil {
			outer.failWith(in.Err())
			return hops
		}
		hops = append(hops, nh)
		off = min(off+rtnhAlign(l), len(b))
	}
	return hops
}

// encodeRoute builds the rtmsg and attributes of a route request. For add
// and replace, zero fields get `ip route add`'s defaults (table main,
// protocol boot, type unicast, scope link for a route without gateway);
// for delete, zero fields match anything (scope RT_SCOPE_NOWHERE).
func encodeRoute(r Route, add bool) ([]byte, error) {
	fam := r.Family
	if fam == afUnspec {
		fam = familyOf(r.Dst.Addr())
	}
	if fam != afInet && fam != afInet6 {
		return nil, errors.New("rtnl: route: want family AF_INET or AF_INET6, got " + strconv.Itoa(int(fam)) + " (dst " + r.Dst.String() + ")")
	}
	if !r.Dst.IsValid() {
		r.Dst = netip.PrefixFrom(zeroAddr(fam), 0)
	}
	if familyOf(r.Dst.Addr()) != fam {
		return nil, errors.New("rtnl: route: dst " + r.Dst.String() + " is not of family " + strconv.Itoa(int(fam)))
	}
	table, typ, proto, scope := r.Table, r.Type, r.Protocol, r.Scope
	if table == 0 && add {
		table = unix.RT_TABLE_MAIN
	}
	if add {
		if typ == 0 {
			typ = unix.RTN_UNICAST
		}
		if proto == 0 {
			proto = unix.RTPROT_BOOT
		}
		if scope == 0 {
			scope = defaultScope(typ, r.Gateway.IsValid() || len(r.Multipath) > 0)
		}
	} else if scope == 0 && (typ == 0 || typ == unix.RTN_UNICAST) {
		scope = unix.RT_SCOPE_NOWHERE
	}
	hdr := make([]byte, sizeofRtmsg)
	hdr[0], hdr[1], hdr[3] = fam, uint8(r.Dst.Bits()), r.TOS
	if r.Src.IsValid() {
		hdr[2] = uint8(r.Src.Bits())
	}
	hdr[4] = headerTable(table)
	hdr[5], hdr[6], hdr[7] = proto, scope, typ
	ne.PutUint32(hdr[8:], r.Flags)
	e := attrEncoder{b: hdr}
	if r.Dst.Bits() > 0 || !r.Dst.Addr().IsUnspecified() {
		e.addr(unix.RTA_DST, r.Dst.Addr())
	}
	if r.Src.IsValid() {
		e.addr(unix.RTA_SRC, r.Src.Addr())
	}
	if r.PrefSrc.IsValid() {
		e.addr(unix.RTA_PREFSRC, r.PrefSrc)
	}
	if r.Gateway.IsValid() {
		encodeGateway(&e, fam, r.Gateway)
	}
	if table != 0 {
		e.uint32(unix.RTA_TABLE, table)
	}
	if r.Priority != 0 {
		e.uint32(unix.RTA_PRIORITY, r.Priority)
	}
	if r.OutIndex != 0 {
		e.uint32(unix.RTA_OIF, uint32(r.OutIndex))
	}
	if len(r.Multipath) > 0 {
		e.bytes(unix.RTA_MULTIPATH, encodeMultipath(fam, r.Multipath))
	}
	return e.b, e.err
}

// defaultScope mirrors iproute2's iproute_modify: host for local routes,
// link for broadcast/anycast/multicast and for unicast without a gateway.
func defaultScope(typ uint8, hasGateway bool) uint8 {
	switch typ {
	case unix.RTN_LOCAL, unix.RTN_NAT:
		return unix.RT_SCOPE_HOST
	case unix.RTN_BROADCAST, unix.RTN_MULTICAST, unix.RTN_ANYCAST:
		return unix.RT_SCOPE_LINK
	case unix.RTN_UNICAST, unix.RTN_UNSPEC:
		if !hasGateway {
			return unix.RT_SCOPE_LINK
		}
	}
	return unix.RT_SCOPE_UNIVERSE
}

// headerTable is the 8-bit table of rtmsg/fib_rule_hdr: the id when it
// fits, else RT_TABLE_UNSPEC with the real id in RTA_TABLE (as iproute2).
func headerTable(table uint32) uint8 {
	if table < 256 {
		return uint8(table)
	}
	return unix.RT_TABLE_UNSPEC
}

func familyOf(ip netip.Addr) uint8 {
	switch {
	case ip.Is4():
		return afInet
	case ip.Is6():
		return afInet6
	}
	return afUnspec
}

// encodeGateway writes RTA_GATEWAY, or RTA_VIA when the gateway's family
// differs from the route's (an IPv4 route via an IPv6 next hop).
func encodeGateway(e *attrEncoder, fam uint8, gw netip.Addr) {
	gfam := familyOf(gw)
	if gfam == fam {
		e.addr(unix.RTA_GATEWAY, gw)
		return
	}
	var via [2]byte
	ne.PutUint16(via[:], uint16(gfam))
	e.bytes(unix.RTA_VIA, via[:], gw.AsSlice())
}

func encodeMultipath(fam uint8, hops []NextHop) []byte {
	var b []byte
	for _, h := range hops {
		var in attrEncoder
		if h.Gateway.IsValid() {
			encodeGateway(&in, fam, h.Gateway)
		}
		hdr := make([]byte, sizeofRtnexthop)
		ne.PutUint16(hdr[0:], uint16(sizeofRtnexthop+len(in.b)))
		hdr[2] = h.Flags
		if h.Weight > 1 {
			hdr[3] = uint8(min(h.Weight-1, 255))
		}
		ne.PutUint32(hdr[4:], uint32(h.OutIndex))
		b = append(append(b, hdr...), in.b...)
	}
	return b
}
