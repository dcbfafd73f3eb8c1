package rtnl

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// Address families and the multicast-routing families of
// include/uapi/linux/rtnetlink.h (RTNL_FAMILY_IPMR 128, RTNL_FAMILY_IP6MR 129).
const (
	afUnspec    = unix.AF_UNSPEC
	afInet      = unix.AF_INET
	afInet6     = unix.AF_INET6
	familyIPMR  = 128
	familyIP6MR = 129
)

// OperState is a link's kernel operational state (IFLA_OPERSTATE, RFC 2863).
type OperState uint8

// The values of enum IF_OPER_* (include/uapi/linux/if.h).
const (
	OperUnknown OperState = iota
	OperNotPresent
	OperDown
	OperLowerLayerDown
	OperTesting
	OperDormant
	OperUp
)

var operNames = [...]string{"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"}

// String names the state as `ip` does, in lower case ("up", "down", ...);
// an unknown value prints as its number.
func (o OperState) String() string {
	if int(o) < len(operNames) {
		return operNames[o]
	}
	return strconv.Itoa(int(o))
}

// Link is one network interface (RTM_NEWLINK, struct ifinfomsg + IFLA_*).
type Link struct {
	Index        int32     // ifi_index
	Name         string    // IFLA_IFNAME
	Type         uint16    // ifi_type, ARPHRD_* (1 ether, 772 loopback)
	Flags        uint32    // ifi_flags, IFF_* (UP 0x1, RUNNING 0x40, LOWER_UP 0x10000, ...)
	OperState    OperState // IFLA_OPERSTATE
	MTU          uint32    // IFLA_MTU
	HardwareAddr []byte    // IFLA_ADDRESS; nil when absent
	Broadcast    []byte    // IFLA_BROADCAST; nil when absent
	Master       int32     // IFLA_MASTER: index of the bridge/bond; 0 = none
	ParentIndex  int32     // IFLA_LINK: index of the peer/lower link; 0 = none
	// ParentNetNSID is IFLA_LINK_NETNSID: set when the parent link lives in
	// another network namespace (this id, as seen from ours), so
	// ParentIndex is an index there. nil = same namespace.
	ParentNetNSID *int32
	Kind          string   // IFLA_LINKINFO/IFLA_INFO_KIND: "veth", "bridge", ...; "" when absent
	Carrier       *bool    // IFLA_CARRIER; nil when absent
	TxQLen        uint32   // IFLA_TXQLEN
	Group         uint32   // IFLA_GROUP
	AltNames      []string // IFLA_PROP_LIST/IFLA_ALT_IFNAME
}

// ifinfomsg mirrors struct ifinfomsg (include/uapi/linux/rtnetlink.h):
// family u8, pad u8, type u16, index i32, flags u32, change u32.
const sizeofIfInfomsg = 16

// decodeLink decodes the payload of an RTM_NEWLINK/RTM_DELLINK message
// into the zero Link l.
func decodeLink(b []byte, l *Link) error {
	if len(b) < sizeofIfInfomsg {
		return shortError("link", "ifinfomsg", sizeofIfInfomsg, len(b))
	}
	l.Type = ne.Uint16(b[2:4])
	l.Index = int32(ne.Uint32(b[4:8]))
	l.Flags = ne.Uint32(b[8:12])
	a := newAttrs("link", b[sizeofIfInfomsg:])
	for a.Next() {
		switch a.Type() {
		case unix.IFLA_IFNAME:
			l.Name = a.String()
		case unix.IFLA_MTU:
			l.MTU = a.Uint32()
		case unix.IFLA_OPERSTATE:
			l.OperState = OperState(a.Uint8())
		case unix.IFLA_ADDRESS:
			l.HardwareAddr = a.Bytes()
		case unix.IFLA_BROADCAST:
			l.Broadcast = a.Bytes()
		case unix.IFLA_MASTER:
			l.Master = int32(a.Uint32())
		case unix.IFLA_LINK:
			l.ParentIndex = int32(a.Uint32())
		case unix.IFLA_LINK_NETNSID:
			id := int32(a.Uint32())
			l.ParentNetNSID = &id
		case unix.IFLA_CARRIER:
			c := a.Uint8() != 0
			l.Carrier = &c
		case unix.IFLA_TXQLEN:
			l.TxQLen = a.Uint32()
		case unix.IFLA_GROUP:
			l.Group = a.Uint32()
		case unix.IFLA_LINKINFO:
			l.Kind = decodeLinkKind(a)
		case unix.IFLA_PROP_LIST:
			l.AltNames = decodeAltNames(a)
		}
	}
	return a.Err()
}

// decodeLinkKind reads IFLA_INFO_KIND out of the nested IFLA_LINKINFO,
// passing any error up to the outer walker.
func decodeLinkKind(outer *attrs) string {
	in := newAttrs("link info", outer.Data())
	var kind string
	for in.Next() {
		if in.Type() == unix.IFLA_INFO_KIND {
			kind = in.String()
		}
	}
	if in.Err() != nil && outer.err == nil {
		outer.err = in.Err()
	}
	return kind
}

func decodeAltNames(outer *attrs) []string {
	in := newAttrs("link prop list", outer.Data())
	var names []string
	for in.Next() {
		if in.Type() == unix.IFLA_ALT_IFNAME {
			names = append(names, in.String())
		}
	}
	if in.Err() != nil && outer.err == nil {
		outer.err = in.Err()
	}
	return names
}
