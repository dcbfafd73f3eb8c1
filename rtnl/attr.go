package rtnl

import (
	"errors"
	"net/netip"
	"strconv"
)

// rtattr/nlattr type bits that are flags, not part of the type
// (include/uapi/linux/netlink.h):
//
//	#define NLA_F_NESTED		(1 << 15)
//	#define NLA_F_NET_BYTEORDER	(1 << 14)
//	#define NLA_TYPE_MASK		~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)
const nlaTypeMask = 0x3fff

// attrs walks the attributes (struct rtattr: len u16, type u16, data,
// padding to 4) of one message with a sticky error: after the first problem
// Next returns false and Err says what and where.
type attrs struct {
	what string // message kind, for errors: "link", "route", ...
	b    []byte
	off  int
	typ  uint16
	data []byte
	err  error
}

func newAttrs(what string, b []byte) *attrs { return &attrs{what: what, b: b} }

// Next moves to the next attribute; false at the end or on an error.
func (a *attrs) Next() bool {
	if a.err != nil || a.off >= len(a.b) {
		return false
	}
	rest := len(a.b) - a.off
	if rest < 4 {
		a.err = truncatedRecord(a.what+": attribute", a.off, 4, "header bytes", rest)
		return false
	}
	l := int(ne.Uint16(a.b[a.off:]))
	if l < 4 || l > rest {
		a.err = badRecordLength(a.what+": attribute", a.off, l, 4, rest)
		return false
	}
	a.typ = ne.Uint16(a.b[a.off+2:]) & nlaTypeMask
	a.data = a.b[a.off+4 : a.off+l]
	a.off = min(a.off+rtaAlign(l), len(a.b))
	return true
}

// Type is the current attribute's type with the flag bits masked off.
func (a *attrs) Type() uint16 { return a.typ }

// Data is the current attribute's payload.
func (a *attrs) Data() []byte { return a.data }

// Err is the first error met, if any.
func (a *attrs) Err() error { return a.err }

func (a *attrs) fail(want string) {
	a.failWith(errors.New("rtnl: " + a.what + ": attribute " + strconv.Itoa(int(a.typ)) + ": want " + want + ", got " + strconv.Itoa(len(a.data)) + " bytes"))
}

// failWith keeps err unless an earlier error is kept already.
func (a *attrs) failWith(err error) {
	if a.err == nil {
		a.err = err
	}
}

// Uint8 reads a 1-byte attribute.
func (a *attrs) Uint8() uint8 {
	if len(a.data) != 1 {
		a.fail("1 byte (u8)")
		return 0
	}
	return a.data[0]
}

// Uint16 reads a 2-byte attribute.
func (a *attrs) Uint16() uint16 {
	if len(a.data) != 2 {
		a.fail("2 bytes (u16)")
		return 0
	}
	return ne.Uint16(a.data)
}

// Uint32 reads a 4-byte attribute.
func (a *attrs) Uint32() uint32 {
	if len(a.data) != 4 {
		a.fail("4 bytes (u32)")
		return 0
	}
	return ne.Uint32(a.data)
}

// Uint64 reads an 8-byte attribute.
func (a *attrs) Uint64() uint64 {
	if len(a.data) != 8 {
		a.fail("8 bytes (u64)")
		return 0
	}
	return ne.Uint64(a.data)
}

// String reads a NUL-terminated string; the text ends at the first NUL.
func (a *attrs) String() string {
	if len(a.data) == 0 || a.data[len(a.data)-1] != 0 {
		a.fail("a NUL-terminated string")
		return ""
	}
	b := a.data
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	return string(b)
}

// Bytes returns a copy of the payload, so results never alias the
// receive buffer.
func (a *attrs) Bytes() []byte { return append([]byte(nil), a.data...) }

// Addr reads an address of the family's size (4 or 16 bytes).
func (a *attrs) Addr(family uint8) netip.Addr {
	ip, ok := addrFrom(family, a.data)
	if !ok {
		a.fail("an address of family " + strconv.Itoa(int(family)))
	}
	return ip
}

// addrLen is the address size of a family: AF_INET (and RTNL_FAMILY_IPMR)
// 4, AF_INET6 (and RTNL_FAMILY_IP6MR) 16, else 0.
func addrLen(family uint8) int {
	switch family {
	case afInet, familyIPMR:
		return 4
	case afInet6, familyIP6MR:
		return 16
	}
	return 0
}

func addrFrom(family uint8, b []byte) (netip.Addr, bool) {
	n := addrLen(family)
	if n == 0 || len(b) != n {
		return netip.Addr{}, false
	}
	if n == 4 {
		return netip.AddrFrom4([4]byte(b)), true
	}
	return netip.AddrFrom16([16]byte(b)), true
}

// attrEncoder appends attributes (with padding) to a request payload.
// err is sticky: an attribute too long for its 16-bit length field (a
// multipath route of thousands of hops, a huge name) would otherwise wrap
// and make the kernel read the rest of the request as other attributes.
type attrEncoder struct {
	b   []byte
	err error
}

// bytes appends an attribute whose payload is the concatenation of parts.
func (e *attrEncoder) bytes(typ uint16, parts ...[]byte) {
	l := 4
	for _, p := range parts {
		l += len(p)
	}
	if l > 0xffff {
		if e.err == nil {
			e.err = errors.New("rtnl: attribute " + strconv.Itoa(int(typ)) + ": want at most 65535 bytes, got " + strconv.Itoa(l))
		}
		return
	}
	var h [4]byte
	ne.PutUint16(h[0:], uint16(l))
	ne.PutUint16(h[2:], typ)
	e.b = append(e.b, h[:]...)
	for _, p := range parts {
		e.b = append(e.b, p...)
	}
	for i := l; i < rtaAlign(l); i++ {
		e.b = append(e.b, 0)
	}
}

func (e *attrEncoder) uint8(typ uint16, v uint8) { e.bytes(typ, []byte{v}) }

func (e *attrEncoder) uint32(typ uint16, v uint32) {
	var b [4]byte
	ne.PutUint32(b[:], v)
	e.bytes(typ, b[:])
}

// string appends s with the NUL terminator the kernel expects.
func (e *attrEncoder) string(typ uint16, s string) {
	b := make([]byte, len(s)+1)
	copy(b, s)
	e.bytes(typ, b)
}

func (e *attrEncoder) addr(typ uint16, ip netip.Addr) { e.bytes(typ, ip.AsSlice()) }
