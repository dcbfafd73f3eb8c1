package rtnl

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// littleEndian reports the host byte order; testdata/ was recorded on a
// little-endian host and netlink is host-endian.
var littleEndian = ne.Uint16([]byte{1, 0}) == 1

// readTestdata returns a recorded file (testdata/README.md says how they
// were made), skipping on big-endian hosts where the bytes mean otherwise.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	if !littleEndian {
		t.Skip("testdata/ holds little-endian kernel bytes; this host is big-endian")
	}
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeFile(t *testing.T, name string) []Event {
	t.Helper()
	evs, err := DecodeMessages(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return evs
}

func TestRecordedLinks(t *testing.T) {
	evs := decodeFile(t, "dump-links.bin")
	byName := map[string]Link{}
	for _, e := range evs {
		if e.Type != unix.RTM_NEWLINK || e.Link == nil {
			t.Fatalf("unexpected event %+v", e)
		}
		byName[e.Link.Name] = *e.Link
	}
	if len(byName) != 4 {
		t.Fatalf("got links %v, want lo cap0 cap1 capbr", byName)
	}
	cap0, cap1, br, lo := byName["cap0"], byName["cap1"], byName["capbr"], byName["lo"]
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("cap0 index", cap0.Index, int32(3))
	check("cap0 mtu", cap0.MTU, uint32(1400))
	check("cap0 mac", cap0.HardwareAddr, []byte{2, 0, 0, 0, 0, 1})
	check("cap0 broadcast", cap0.Broadcast, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	check("cap0 kind", cap0.Kind, "veth")
	check("cap0 peer", cap0.ParentIndex, int32(2))
	check("cap0 operstate", cap0.OperState.String(), "up")
	check("cap0 up", cap0.Flags&unix.IFF_UP != 0, true)
	check("cap0 carrier", cap0.Carrier != nil && *cap0.Carrier, true)
	check("cap1 master", cap1.Master, br.Index)
	check("capbr kind", br.Kind, "bridge")
	check("capbr operstate", br.OperState, OperDown)
	check("lo type", lo.Type, uint16(unix.ARPHRD_LOOPBACK))
	check("lo flags", lo.Flags&(unix.IFF_LOOPBACK|unix.IFF_UP), uint32(unix.IFF_LOOPBACK|unix.IFF_UP))
}

func TestRecordedAddresses(t *testing.T) {
	var got []Address
	for _, e := range decodeFile(t, "dump-addrs.bin") {
		if e.Addr.Index == 3 && e.Addr.Scope == unix.RT_SCOPE_UNIVERSE {
			got = append(got, *e.Addr)
		}
	}
	forever := ^uint32(0)
	want := []Address{
		{Family: afInet, Index: 3, Addr: ip("192.0.2.1"), PrefixLen: 32, Peer: ip("192.0.2.2"), Label: "cap0",
			Flags: unix.IFA_F_PERMANENT, ValidLft: forever, PreferredLft: forever},
		{Family: afInet, Index: 3, Addr: ip("198.51.100.1"), PrefixLen: 24, Broadcast: ip("198.51.100.255"),
			Label: "cap0:one", ValidLft: 300, PreferredLft: 200},
		{Family: afInet6, Index: 3, Addr: ip("2001:db8::1"), PrefixLen: 64, Flags: unix.IFA_F_NODAD,
			ValidLft: 600, PreferredLft: 400},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("global addresses of cap0:\n got %+v\nwant %+v", got, want)
	}
}

func TestRecordedRoutes(t *testing.T) {
	var got []Route
	for _, f := range []string{"dump-routes4.bin", "dump-routes6.bin"} {
		for _, e := range decodeFile(t, f) {
			if e.Route.Table != unix.RT_TABLE_MAIN && e.Route.Table != unix.RT_TABLE_LOCAL {
				got = append(got, *e.Route)
			}
		}
	}
	want := []Route{
		{Family: afInet, Dst: pfx("10.20.0.0/16"), Table: 100, Protocol: unix.RTPROT_BOOT, Type: unix.RTN_UNICAST,
			Multipath: []NextHop{{Gateway: ip("198.51.100.253"), OutIndex: 3, Weight: 2}, {Gateway: ip("198.51.100.252"), OutIndex: 3, Weight: 3}}},
		{Family: afInet, Dst: pfx("10.30.0.0/16"), Table: 5000, Protocol: unix.RTPROT_BOOT, Type: unix.RTN_BLACKHOLE},
		{Family: afInet, Dst: pfx("0.0.0.0/0"), Gateway: ip("198.51.100.254"), Table: 1000, Protocol: unix.RTPROT_BOOT,
			Type: unix.RTN_UNICAST, OutIndex: 3},
		{Family: afInet, Dst: pfx("10.10.0.0/16"), Gateway: ip("198.51.100.254"), Table: 1000, Protocol: unix.RTPROT_STATIC,
			Type: unix.RTN_UNICAST, Priority: 50, OutIndex: 3},
		{Family: afInet6, Dst: pfx("2001:db8:dead::/48"), Table: 5000, Protocol: unix.RTPROT_BOOT, Type: unix.RTN_UNREACHABLE,
			Priority: 1024, OutIndex: 1},
		{Family: afInet6, Dst: pfx("2001:db8:1::/48"), Gateway: ip("2001:db8::fe"), Table: 1000, Protocol: unix.RTPROT_BOOT,
			Type: unix.RTN_UNICAST, Priority: 7, OutIndex: 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("routes outside main/local:\n got %+v\nwant %+v", got, want)
	}
}

// TestRecordedTableCompat checks that a table id above 255 comes from
// RTA_TABLE: the kernel puts RT_TABLE_COMPAT (252) in rtm_table.
func TestRecordedTableCompat(t *testing.T) {
	msgs, err := splitMessages(readTestdata(t, "dump-routes4.bin"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, m := range msgs {
		if m.Type != unix.RTM_NEWROUTE {
			continue
		}
		r, err := decoded(decodeRoute, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if r.Table == 1000 || r.Table == 5000 {
			seen++
			if m.Data[4] != unix.RT_TABLE_COMPAT {
				t.Errorf("route %v: rtm_table %d, want RT_TABLE_COMPAT", r.Dst, m.Data[4])
			}
		}
	}
	if seen != 3 {
		t.Fatalf("found %d routes in tables 1000/5000, want 3", seen)
	}
}

func TestRecordedRules(t *testing.T) {
	var got []Rule
	for _, f := range []string{"dump-rules4.bin", "dump-rules6.bin"} {
		for _, e := range decodeFile(t, f) {
			if e.Rule.Protocol != unix.RTPROT_KERNEL {
				r := *e.Rule
				r.SuppressPrefixLen = 0 // the kernel's "unset" -1, checked below
				got = append(got, r)
				if e.Rule.SuppressPrefixLen != ^uint32(0) {
					t.Errorf("rule %d: suppress_prefixlen %d, want unset (-1)", r.Priority, e.Rule.SuppressPrefixLen)
				}
			}
		}
	}
	want := []Rule{
		{Family: afInet, Priority: 100, Src: pfx("192.0.2.1/32"), Table: 1000, Action: unix.FR_ACT_TO_TBL},
		{Family: afInet, Priority: 200, Dst: pfx("10.0.0.0/8"), IIFName: "cap0", Mark: 0x10, Mask: 0xff, Table: 5000,
			Protocol: unix.RTPROT_STATIC, Action: unix.FR_ACT_TO_TBL},
		{Family: afInet, Priority: 300, Src: pfx("198.51.100.0/24"), Table: unix.RT_TABLE_MAIN, Action: unix.FR_ACT_TO_TBL,
			Invert: true, Flags: unix.FIB_RULE_INVERT},
		{Family: afInet, Priority: 400, Action: unix.FR_ACT_BLACKHOLE},
		{Family: afInet, Priority: 401, Action: unix.FR_ACT_GOTO, Goto: 500},
		{Family: afInet, Priority: 500, Src: pfx("203.0.113.0/24"), Table: 7, Action: unix.FR_ACT_TO_TBL},
		{Family: afInet6, Priority: 100, Src: pfx("2001:db8::1/128"), OIFName: "cap0", Table: 1000, Action: unix.FR_ACT_TO_TBL},
		{Family: afInet6, Priority: 150, Dst: pfx("2001:db8:1::/48"), Table: 5000, Action: unix.FR_ACT_TO_TBL},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rules not installed by the kernel:\n got %+v\nwant %+v", got, want)
	}
}

func TestRecordedNotifications(t *testing.T) {
	one := func(file string) Event {
		t.Helper()
		evs := decodeFile(t, file)
		if len(evs) != 1 {
			t.Fatalf("%s: %d events, want 1", file, len(evs))
		}
		return evs[0]
	}
	if e := one("notify-newlink.bin"); e.Type != unix.RTM_NEWLINK || e.Link.Name != "capx" || e.Link.MTU != 1300 || e.Link.Kind != "veth" {
		t.Errorf("newlink: %d %+v", e.Type, e.Link)
	}
	if e := one("notify-dellink.bin"); e.Type != unix.RTM_DELLINK || e.Link.Name != "capx" {
		t.Errorf("dellink: %d %+v", e.Type, e.Link)
	}
	if e := one("notify-newaddr4.bin"); e.Type != unix.RTM_NEWADDR || e.Addr.Prefix() != pfx("203.0.113.9/28") || e.Addr.Label != "capx:nine" {
		t.Errorf("newaddr4: %d %+v", e.Type, e.Addr)
	}
	if e := one("notify-newaddr6.bin"); e.Type != unix.RTM_NEWADDR || e.Addr.Prefix() != pfx("2001:db8:9::9/80") ||
		e.Addr.Flags != unix.IFA_F_NODAD|unix.IFA_F_PERMANENT {
		t.Errorf("newaddr6: %d %+v", e.Type, e.Addr)
	}
	wantMP := []NextHop{{Gateway: ip("198.51.100.251"), OutIndex: 3, Weight: 4}, {Gateway: ip("198.51.100.250"), OutIndex: 3, Weight: 1}}
	for file, typ := range map[string]uint16{"notify-newroute-multipath.bin": unix.RTM_NEWROUTE, "notify-delroute.bin": unix.RTM_DELROUTE} {
		e := one(file)
		if e.Type != typ || e.Route.Dst != pfx("10.40.0.0/16") || e.Route.Table != 4000 || !reflect.DeepEqual(e.Route.Multipath, wantMP) {
			t.Errorf("%s: %d %+v", file, e.Type, e.Route)
		}
	}
	if e := one("notify-newrule6.bin"); e.Type != unix.RTM_NEWRULE || e.Rule.Family != afInet6 || e.Rule.Src != pfx("2001:db8:9::/48") || e.Rule.Table != 4000 {
		t.Errorf("newrule6: %d %+v", e.Type, e.Rule)
	}
	if e := one("notify-delrule4.bin"); e.Type != unix.RTM_DELRULE || e.Rule.Priority != 100 || e.Rule.Src != pfx("192.0.2.1/32") {
		t.Errorf("delrule4: %d %+v", e.Type, e.Rule)
	}
}

// TestRecordedErrors decodes the kernel's error acks, with and without
// NETLINK_CAP_ACK, down to the extended-ack text.
func TestRecordedErrors(t *testing.T) {
	for _, file := range []string{"ack-error-capped.bin", "ack-error-echo.bin"} {
		msgs, err := splitMessages(readTestdata(t, file))
		if err != nil || len(msgs) != 1 || msgs[0].Type != unix.NLMSG_ERROR {
			t.Fatalf("%s: %d messages, %v", file, len(msgs), err)
		}
		err = decodeError(msgs[0], "add route")
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, unix.EINVAL) || e.Msg != "Invalid route type" {
			t.Errorf("%s: got %#v (%v), want EINVAL with \"Invalid route type\"", file, e, err)
		}
		capped := msgs[0].Flags&unix.NLM_F_CAPPED != 0
		if capped != bytes.Contains([]byte(file), []byte("capped")) {
			t.Errorf("%s: NLM_F_CAPPED = %v", file, capped)
		}
	}
	if _, err := DecodeMessages(readTestdata(t, "ack-error-capped.bin")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("DecodeMessages of an error ack: %v, want EINVAL", err)
	}
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
