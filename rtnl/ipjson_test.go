package rtnl

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"network-broker/internal/nstest"
)

// Comparison of the library's dumps with `ip -d -j ...` in the same
// namespace. Both sides are rendered to one canonical line per object, so
// a mismatch shows the two lines side by side.

// ipJSON runs `ip -n NS args...` and decodes its JSON array of objects.
func ipJSON(t *testing.T, ns *nstest.NS, args ...string) []map[string]any {
	t.Helper()
	out := ns.IP(t, args...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(m[k])
}

func num(m map[string]any, k string) uint64 {
	f, _ := m[k].(float64)
	return uint64(f)
}

func strList(m map[string]any, k string) []string {
	var out []string
	l, _ := m[k].([]any)
	for _, v := range l {
		out = append(out, fmt.Sprint(v))
	}
	slices.Sort(out)
	return out
}

func has(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// compareSets fails with the lines only one side has.
func compareSets(t *testing.T, what string, ours, theirs []string) {
	t.Helper()
	slices.Sort(ours)
	slices.Sort(theirs)
	if slices.Equal(ours, theirs) {
		return
	}
	var b strings.Builder
	for _, l := range ours {
		if !slices.Contains(theirs, l) {
			fmt.Fprintf(&b, "\n  only rtnl: %s", l)
		}
	}
	for _, l := range theirs {
		if !slices.Contains(ours, l) {
			fmt.Fprintf(&b, "\n  only ip:   %s", l)
		}
	}
	t.Errorf("%s differ (rtnl %d, ip %d):%s", what, len(ours), len(theirs), b.String())
}

// linkFlagNames are the IFF_* names `ip` prints, by bit.
var linkFlagNames = []struct {
	bit  uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"}, {unix.IFF_DEBUG, "DEBUG"}, {unix.IFF_DYNAMIC, "DYNAMIC"},
	{unix.IFF_AUTOMEDIA, "AUTOMEDIA"}, {unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_UP, "UP"},
	{unix.IFF_LOWER_UP, "LOWER_UP"}, {unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

func linkLine(l Link, names map[int32]string) string {
	var flags []string
	for _, f := range linkFlagNames {
		if l.Flags&f.bit != 0 {
			flags = append(flags, f.name)
		}
	}
	if l.Flags&unix.IFF_UP != 0 && l.Flags&unix.IFF_RUNNING == 0 {
		flags = append(flags, "NO-CARRIER")
	}
	slices.Sort(flags)
	parent := ""
	switch {
	case l.ParentNetNSID != nil:
		parent = fmt.Sprintf("%d@nsid%d", l.ParentIndex, *l.ParentNetNSID)
	case l.ParentIndex != 0 && l.ParentIndex != l.Index:
		parent = names[l.ParentIndex]
	}
	return fmt.Sprintf("%d %s flags=%v mtu=%d oper=%s master=%s mac=%s brd=%s txqlen=%d kind=%s parent=%s",
		l.Index, l.Name, flags, l.MTU, strings.ToUpper(l.OperState.String()), names[l.Master],
		hexColon(l.HardwareAddr), hexColon(l.Broadcast), l.TxQLen, l.Kind, parent)
}

func ipLinkLine(m map[string]any) string {
	kind := ""
	if li, ok := m["linkinfo"].(map[string]any); ok {
		kind = str(li, "info_kind")
	}
	parent := str(m, "link")
	if has(m, "link_netnsid") {
		parent = fmt.Sprintf("%d@nsid%d", num(m, "link_index"), num(m, "link_netnsid"))
	}
	return fmt.Sprintf("%d %s flags=%v mtu=%d oper=%s master=%s mac=%s brd=%s txqlen=%d kind=%s parent=%s",
		num(m, "ifindex"), str(m, "ifname"), strList(m, "flags"), num(m, "mtu"), str(m, "operstate"),
		str(m, "master"), str(m, "address"), str(m, "broadcast"), num(m, "txqlen"), kind, parent)
}

func hexColon(b []byte) string {
	var s []string
	for _, c := range b {
		s = append(s, fmt.Sprintf("%02x", c))
	}
	return strings.Join(s, ":")
}

// addrFlagNames are the IFA_F_* names `ip -j` prints as true booleans;
// bit 0x01 is "secondary" for IPv4 and "temporary" for IPv6, and
// "dynamic" is printed for the absence of IFA_F_PERMANENT.
var addrFlagNames = []struct {
	bit  uint32
	name string
}{
	{unix.IFA_F_NODAD, "nodad"}, {unix.IFA_F_OPTIMISTIC, "optimistic"}, {unix.IFA_F_DADFAILED, "dadfailed"},
	{unix.IFA_F_HOMEADDRESS, "home"}, {unix.IFA_F_DEPRECATED, "deprecated"}, {unix.IFA_F_TENTATIVE, "tentative"},
	{unix.IFA_F_MANAGETEMPADDR, "mngtmpaddr"}, {unix.IFA_F_NOPREFIXROUTE, "noprefixroute"},
	{unix.IFA_F_MCAUTOJOIN, "autojoin"}, {unix.IFA_F_STABLE_PRIVACY, "stable-privacy"},
}

func addrLine(a Address) string {
	var flags []string
	for _, f := range addrFlagNames {
		if a.Flags&f.bit != 0 {
			flags = append(flags, f.name)
		}
	}
	if a.Flags&unix.IFA_F_SECONDARY != 0 {
		flags = append(flags, map[uint8]string{afInet: "secondary", afInet6: "temporary"}[a.Family])
	}
	if a.Flags&unix.IFA_F_PERMANENT == 0 {
		flags = append(flags, "dynamic")
	}
	slices.Sort(flags)
	fam := map[uint8]string{afInet: "inet", afInet6: "inet6"}[a.Family]
	return fmt.Sprintf("%d %s %s/%d peer=%s brd=%s scope=%s label=%s metric=%d flags=%v",
		a.Index, fam, a.Addr, a.PrefixLen, addrStr(a.Peer), addrStr(a.Broadcast), ScopeName(a.Scope), a.Label, a.Metric, flags)
}

func ipAddrLine(index uint64, m map[string]any) string {
	var flags []string
	for _, name := range []string{"nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative", "mngtmpaddr",
		"noprefixroute", "autojoin", "stable-privacy", "secondary", "temporary", "dynamic"} {
		if m[name] == true {
			flags = append(flags, name)
		}
	}
	slices.Sort(flags)
	return fmt.Sprintf("%d %s %s/%d peer=%s brd=%s scope=%s label=%s metric=%d flags=%v",
		index, str(m, "family"), str(m, "local"), num(m, "prefixlen"), str(m, "address"), str(m, "broadcast"),
		str(m, "scope"), str(m, "label"), num(m, "metric"), flags)
}

func addrStr[T interface {
	IsValid() bool
	String() string
}](a T) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// routeFlagNames are the RTNH_F_* names `ip` prints in "flags".
var routeFlagNames = map[uint32]string{
	unix.RTNH_F_DEAD: "dead", unix.RTNH_F_PERVASIVE: "pervasive", unix.RTNH_F_ONLINK: "onlink",
	unix.RTNH_F_OFFLOAD: "offload", unix.RTNH_F_LINKDOWN: "linkdown", unix.RTNH_F_UNRESOLVED: "unresolved",
}

func flagList(flags uint32) []string {
	out := []string{}
	for bit, name := range routeFlagNames {
		if flags&bit != 0 {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func knownFlags(l []string) []string {
	out := []string{}
	for _, f := range l {
		for _, name := range routeFlagNames {
			if f == name {
				out = append(out, f)
			}
		}
	}
	return out
}

var prefNames = map[uint8]string{0: "medium", 1: "high", 3: "low"}

func routeLine(r Route, names map[int32]string) string {
	var hops []string
	for _, h := range r.Multipath {
		hops = append(hops, fmt.Sprintf("%s@%s*%d%v", addrStr(h.Gateway), names[h.OutIndex], h.Weight, flagList(uint32(h.Flags))))
	}
	pref := ""
	if r.Family == afInet6 {
		pref = prefNames[r.Pref]
	}
	return fmt.Sprintf("%s %s table=%s proto=%s scope=%s metric=%d gw=%s dev=%s prefsrc=%s src=%s nh=%v flags=%v pref=%s",
		TypeName(r.Type), r.Dst, TableName(r.Table), ProtocolName(r.Protocol), ScopeName(r.Scope), r.Priority,
		addrStr(r.Gateway), names[r.OutIndex], addrStr(r.PrefSrc), addrStr(r.Src), hops, flagList(r.Flags), pref)
}

// fullPrefix turns ip's "default", "10.0.0.1" or "10.0.0.0/8" into a prefix.
func fullPrefix(s string, family uint8) string {
	switch {
	case s == "default":
		return map[uint8]string{afInet: "0.0.0.0/0", afInet6: "::/0"}[family]
	case s == "" || strings.Contains(s, "/"):
		return s
	}
	return fmt.Sprintf("%s/%d", s, 8*addrLen(family))
}

func ipRouteLine(m map[string]any, family uint8) string {
	var hops []string
	if l, ok := m["nexthops"].([]any); ok {
		for _, v := range l {
			h := v.(map[string]any)
			w := num(h, "weight")
			if w == 0 {
				w = 1
			}
			hops = append(hops, fmt.Sprintf("%s@%s*%d%v", str(h, "gateway"), str(h, "dev"), w, knownFlags(strList(h, "flags"))))
		}
	}
	src := str(m, "src")
	if src != "" {
		src = strings.TrimSuffix(fullPrefix(src, family), fmt.Sprintf("/%d", 8*addrLen(family)))
	}
	table := str(m, "table")
	if table == "" {
		table = "main"
	}
	return fmt.Sprintf("%s %s table=%s proto=%s scope=%s metric=%d gw=%s dev=%s prefsrc=%s src=%s nh=%v flags=%v pref=%s",
		str(m, "type"), fullPrefix(str(m, "dst"), family), table, str(m, "protocol"), str(m, "scope"), num(m, "metric"),
		str(m, "gateway"), str(m, "dev"), str(m, "prefsrc"), src, hops, knownFlags(strList(m, "flags")), str(m, "pref"))
}

func ruleLine(r Rule) string {
	from, to := "all", "all"
	if r.Src.IsValid() {
		from = r.Src.String()
	}
	if r.Dst.IsValid() {
		to = r.Dst.String()
	}
	mark := ""
	if r.Mark != 0 || r.Mask != 0 {
		mark = fmt.Sprintf("%#x/%#x", r.Mark, r.Mask)
	}
	action := ActionName(r.Action)
	switch r.Action {
	case unix.FR_ACT_TO_TBL:
		action = "table:" + TableName(r.Table)
	case unix.FR_ACT_GOTO:
		action = fmt.Sprintf("goto:%d", r.Goto)
	}
	return fmt.Sprintf("%d not=%v from=%s to=%s iif=%s oif=%s fwmark=%s %s proto=%s",
		r.Priority, r.Invert, from, to, r.IIFName, r.OIFName, mark, action, ProtocolName(r.Protocol))
}

func ipRuleLine(m map[string]any, family uint8) string {
	bits := uint64(8 * addrLen(family))
	prefix := func(addrKey, lenKey string) string {
		a := str(m, addrKey)
		if a == "" || a == "all" {
			return "all"
		}
		l := bits
		if has(m, lenKey) {
			l = num(m, lenKey)
		}
		return fmt.Sprintf("%s/%d", a, l)
	}
	mark := ""
	if has(m, "fwmark") {
		mask := str(m, "fwmask")
		if mask == "" {
			mask = "0xffffffff"
		}
		mark = str(m, "fwmark") + "/" + mask
	}
	action := str(m, "action")
	switch {
	case has(m, "table"):
		action = "table:" + str(m, "table")
	case has(m, "goto"):
		action = "goto:" + str(m, "goto")
	}
	return fmt.Sprintf("%d not=%v from=%s to=%s iif=%s oif=%s fwmark=%s %s proto=%s",
		num(m, "priority"), has(m, "not"), prefix("src", "srclen"), prefix("dst", "dstlen"),
		str(m, "iif"), str(m, "oif"), mark, action, str(m, "protocol"))
}
