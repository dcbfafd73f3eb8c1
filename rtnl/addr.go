package rtnl

import (
	"errors"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// Address is one interface address (RTM_NEWADDR, struct ifaddrmsg + IFA_*).
type Address struct {
	Family    uint8      // AF_INET or AF_INET6
	Index     int32      // ifa_index
	Addr      netip.Addr // IFA_LOCAL when present, else IFA_ADDRESS
	PrefixLen uint8      // ifa_prefixlen
	// Peer is the other end of a point-to-point address: IFA_ADDRESS when
	// it differs from IFA_LOCAL (IPv4 sends both; ADDRESS is the peer).
	Peer         netip.Addr
	Broadcast    netip.Addr // IFA_BROADCAST
	Label        string     // IFA_LABEL (IPv4 only)
	Scope        uint8      // ifa_scope, RT_SCOPE_*
	Flags        uint32     // IFA_FLAGS when present (it supersedes ifa_flags), else ifa_flags
	ValidLft     uint32     // IFA_CACHEINFO ifa_valid, seconds; 0xffffffff = forever
	PreferredLft uint32     // IFA_CACHEINFO ifa_prefered, seconds; 0xffffffff = forever
	Metric       uint32     // IFA_RT_PRIORITY: metric of the prefix route
}

// Prefix is the address with its prefix length, e.g. 192.0.2.1/24.
func (a Address) Prefix() netip.Prefix { return netip.PrefixFrom(a.Addr, int(a.PrefixLen)) }

// ifaddrmsg mirrors struct ifaddrmsg (include/uapi/linux/if_addr.h):
// family, prefixlen, flags, scope (u8), index u32.
const sizeofIfAddrmsg = 8

// ifa_cacheinfo: ifa_prefered, ifa_valid, cstamp, tstamp (u32 each).
const sizeofIfaCacheinfo = 16

// decodeAddress decodes the payload of an RTM_NEWADDR/RTM_DELADDR message
// into the zero Address ad.
func decodeAddress(b []byte, ad *Address) error {
	if len(b) < sizeofIfAddrmsg {
		return shortError("address", "ifaddrmsg", sizeofIfAddrmsg, len(b))
	}
	ad.Family, ad.PrefixLen, ad.Scope = b[0], b[1], b[3]
	ad.Flags = uint32(b[2])
	ad.Index = int32(ne.Uint32(b[4:8]))
	if addrLen(ad.Family) == 0 {
		return errors.New("rtnl: address: unsupported family " + strconv.Itoa(int(ad.Family)))
	}
	if int(ad.PrefixLen) > 8*addrLen(ad.Family) {
		return errors.New("rtnl: address: prefix length " + strconv.Itoa(int(ad.PrefixLen)) + " too long for family " + strconv.Itoa(int(ad.Family)))
	}
	var local, address netip.Addr
	a := newAttrs("address", b[sizeofIfAddrmsg:])
	for a.Next() {
		switch a.Type() {
		case unix.IFA_LOCAL:
			local = a.Addr(ad.Family)
		case unix.IFA_ADDRESS:
			address = a.Addr(ad.Family)
		case unix.IFA_BROADCAST:
			ad.Broadcast = a.Addr(ad.Family)
		case unix.IFA_LABEL:
			ad.Label = a.String()
		case unix.IFA_FLAGS:
			ad.Flags = a.Uint32()
		case unix.IFA_RT_PRIORITY:
			ad.Metric = a.Uint32()
		case unix.IFA_CACHEINFO:
			if len(a.Data()) != sizeofIfaCacheinfo {
				a.fail("16 bytes of ifa_cacheinfo")
				break
			}
			ad.PreferredLft = ne.Uint32(a.Data()[0:4])
			ad.ValidLft = ne.Uint32(a.Data()[4:8])
		}
	}
	if a.Err() == nil && !local.IsValid() && !address.IsValid() {
		return errors.New("rtnl: address: neither IFA_LOCAL nor IFA_ADDRESS (index " + strconv.Itoa(int(ad.Index)) + ")")
	}
	ad.Addr = address
	if local.IsValid() {
		ad.Addr = local
		if address.IsValid() && address != local {
			ad.Peer = address
		}
	}
	return a.Err()
}
