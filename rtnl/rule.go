package rtnl

import (
	"errors"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// Rule is one routing policy rule (RTM_NEWRULE, struct fib_rule_hdr + FRA_*).
type Rule struct {
	Family   uint8        // AF_INET or AF_INET6
	Priority uint32       // FRA_PRIORITY
	Src      netip.Prefix // FRA_SRC/src_len ("from"); invalid = any
	Dst      netip.Prefix // FRA_DST/dst_len ("to"); invalid = any
	Table    uint32       // FRA_TABLE when present (it supersedes the header's), else the header's
	IIFName  string       // FRA_IIFNAME
	OIFName  string       // FRA_OIFNAME
	Mark     uint32       // FRA_FWMARK
	Mask     uint32       // FRA_FWMASK
	Protocol uint8        // FRA_PROTOCOL, RTPROT_* (who installed it)
	Action   uint8        // header action, FR_ACT_* (to_tbl 1, goto 2, nop 3, blackhole 6, unreachable 7, prohibit 8)
	Invert   bool         // FIB_RULE_INVERT in the header flags ("not")
	TOS      uint8        // header tos
	Goto     uint32       // FRA_GOTO: target priority of a goto rule
	Flags    uint32       // header flags, FIB_RULE_*
	// SuppressPrefixLen is FRA_SUPPRESS_PREFIXLEN; the kernel reports
	// 0xffffffff (-1) when unset.
	SuppressPrefixLen uint32
}

// fibRuleHdr mirrors struct fib_rule_hdr (include/uapi/linux/fib_rules.h):
// family, dst_len, src_len, tos, table, res1, res2, action (u8), flags u32.
// It has rtmsg's layout, which is why RTM_*RULE "decodes" as a route.
const sizeofFibRuleHdr = 12

// decodeRule decodes the payload of an RTM_NEWRULE/RTM_DELRULE message
// into the zero Rule r.
func decodeRule(b []byte, r *Rule) error {
	if len(b) < sizeofFibRuleHdr {
		return shortError("rule", "fib_rule_hdr", sizeofFibRuleHdr, len(b))
	}
	r.Family = b[0]
	dstLen, srcLen := b[1], b[2]
	r.TOS, r.Action = b[3], b[7]
	r.Table = uint32(b[4])
	r.Flags = ne.Uint32(b[8:12])
	r.Invert = r.Flags&unix.FIB_RULE_INVERT != 0
	if err := checkPrefixLens("rule", r.Family, dstLen, srcLen); err != nil {
		return err
	}
	a := newAttrs("rule", b[sizeofFibRuleHdr:])
	for a.Next() {
		switch a.Type() {
		case unix.FRA_SRC:
			r.Src = netip.PrefixFrom(a.Addr(r.Family), int(srcLen))
		case unix.FRA_DST:
			r.Dst = netip.PrefixFrom(a.Addr(r.Family), int(dstLen))
		case unix.FRA_PRIORITY:
			r.Priority = a.Uint32()
		case unix.FRA_TABLE:
			r.Table = a.Uint32()
		case unix.FRA_IIFNAME:
			r.IIFName = a.String()
		case unix.FRA_OIFNAME:
			r.OIFName = a.String()
		case unix.FRA_FWMARK:
			r.Mark = a.Uint32()
		case unix.FRA_FWMASK:
			r.Mask = a.Uint32()
		case unix.FRA_PROTOCOL:
			r.Protocol = a.Uint8()
		case unix.FRA_GOTO:
			r.Goto = a.Uint32()
		case unix.FRA_SUPPRESS_PREFIXLEN:
			r.SuppressPrefixLen = a.Uint32()
		case unix.FRA_TUN_ID:
			a.Uint64() // not kept; checked for its 8-byte width (vishvananda/netlink#672)
		}
	}
	if a.Err() == nil && (srcLen > 0 && !r.Src.IsValid() || dstLen > 0 && !r.Dst.IsValid()) {
		return errors.New("rtnl: rule: prefix lengths " + prefixLens(dstLen, srcLen) + " without FRA_DST/FRA_SRC")
	}
	return a.Err()
}

// encodeRule builds the fib_rule_hdr and attributes of a rule request.
// FRA_PRIORITY is sent when non-zero: a zero Priority lets the kernel pick
// one on add (counting down from 32766, protocols.md §4.8: callers should
// set one) and matches any priority on delete. A zero Action with
// a table means FR_ACT_TO_TBL; a zero Table with FR_ACT_TO_TBL on add
// means main.
func encodeRule(r Rule, add bool) ([]byte, error) {
	fam := r.Family
	if fam == afUnspec {
		fam = familyOf(r.Src.Addr())
		if fam == afUnspec {
			fam = familyOf(r.Dst.Addr())
		}
	}
	if fam != afInet && fam != afInet6 {
		return nil, errors.New("rtnl: rule: want family AF_INET or AF_INET6, got " + strconv.Itoa(int(fam)))
	}
	for _, p := range []netip.Prefix{r.Src, r.Dst} {
		if p.IsValid() && familyOf(p.Addr()) != fam {
			return nil, errors.New("rtnl: rule: prefix " + p.String() + " is not of family " + strconv.Itoa(int(fam)))
		}
	}
	action, table := r.Action, r.Table
	if action == 0 && (table != 0 || add) {
		action = unix.FR_ACT_TO_TBL
	}
	if add && action == unix.FR_ACT_TO_TBL && table == 0 {
		table = unix.RT_TABLE_MAIN
	}
	hdr := make([]byte, sizeofFibRuleHdr)
	hdr[0], hdr[3], hdr[4], hdr[7] = fam, r.TOS, headerTable(table), action
	if r.Dst.IsValid() {
		hdr[1] = uint8(r.Dst.Bits())
	}
	if r.Src.IsValid() {
		hdr[2] = uint8(r.Src.Bits())
	}
	flags := r.Flags
	if r.Invert {
		flags |= unix.FIB_RULE_INVERT
	}
	ne.PutUint32(hdr[8:], flags)
	e := attrEncoder{b: hdr}
	if r.Priority != 0 {
		e.uint32(unix.FRA_PRIORITY, r.Priority)
	}
	if r.Src.IsValid() {
		e.addr(unix.FRA_SRC, r.Src.Addr())
	}
	if r.Dst.IsValid() {
		e.addr(unix.FRA_DST, r.Dst.Addr())
	}
	if table != 0 {
		e.uint32(unix.FRA_TABLE, table)
	}
	if r.IIFName != "" {
		e.string(unix.FRA_IIFNAME, r.IIFName)
	}
	if r.OIFName != "" {
		e.string(unix.FRA_OIFNAME, r.OIFName)
	}
	if r.Mark != 0 || r.Mask != 0 {
		e.uint32(unix.FRA_FWMARK, r.Mark)
	}
	if r.Mask != 0 {
		e.uint32(unix.FRA_FWMASK, r.Mask)
	}
	if r.Protocol != 0 {
		e.uint8(unix.FRA_PROTOCOL, r.Protocol)
	}
	if r.Goto != 0 {
		e.uint32(unix.FRA_GOTO, r.Goto)
	}
	return e.b, e.err
}
