package rtnl

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Builders for hand-made messages, in host byte order like the kernel's.

func nlmsg(typ uint16, payload []byte) []byte {
	return encodeMessage(typ, 0, 0, payload)
}

// pad appends zeros up to the next 4-byte boundary.
func pad(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func attr(typ uint16, data []byte) []byte {
	b := ne.AppendUint16(nil, uint16(4+len(data)))
	b = ne.AppendUint16(b, typ)
	return pad(append(b, data...))
}

func u32(v uint32) []byte { return ne.AppendUint32(nil, v) }

// errCode is the -errno int of struct nlmsgerr.
func errCode(e unix.Errno) []byte {
	n := -int32(e)
	return u32(uint32(n))
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// ifinfo is an ifinfomsg for index 7, flags UP.
func ifinfo() []byte {
	b := make([]byte, sizeofIfInfomsg)
	ne.PutUint32(b[4:], 7)
	ne.PutUint32(b[8:], unix.IFF_UP)
	return b
}

func rtmsgHdr(family, dstLen uint8) []byte {
	return []byte{family, dstLen, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, 0, unix.RTN_UNICAST, 0, 0, 0, 0}
}

func TestDecodeMessagesMalformed(t *testing.T) {
	link := nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(unix.IFLA_IFNAME, []byte("eth0\x00"))))
	tests := []struct {
		name string
		in   []byte
		want string // substring of the error; "" = success
	}{
		{"empty", nil, ""},
		{"short header", link[:10], "want 16 header bytes, have 10"},
		{"len below header", func() []byte { b := cat(link); ne.PutUint32(b, 8); return b }(), "nlmsg_len 8 below header size"},
		{"len beyond datagram", func() []byte { b := cat(link); ne.PutUint32(b, 400); return b }(), "nlmsg_len 400 exceeds"},
		{"trailing bytes", cat(link, []byte{1, 2, 3}), "want 16 header bytes, have 3"},
		{"short ifinfomsg", nlmsg(unix.RTM_NEWLINK, make([]byte, 8)), "want 16 bytes of ifinfomsg, have 8"},
		{"short ifaddrmsg", nlmsg(unix.RTM_NEWADDR, []byte{2, 24, 0, 0}), "want 8 bytes of ifaddrmsg, have 4"},
		{"short rtmsg", nlmsg(unix.RTM_NEWROUTE, []byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "want 12 bytes of rtmsg, have 11"},
		{"short fib_rule_hdr", nlmsg(unix.RTM_DELRULE, []byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "want 12 bytes of fib_rule_hdr, have 11"},
		{"attribute len below 4", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), []byte{2, 0, 3, 0})), "length 2 outside 4..4"},
		{"attribute len beyond message", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), []byte{40, 0, 3, 0, 'x', 0, 0, 0})), "length 40 outside 4..8"},
		{"attribute header cut", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), []byte{8, 0})), "want 4 header bytes, have 2"},
		{"mtu 2 bytes", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(unix.IFLA_MTU, []byte{0, 5}))), "attribute 4: want 4 bytes (u32), got 2"},
		{"operstate 4 bytes", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(unix.IFLA_OPERSTATE, u32(6)))), "want 1 byte (u8), got 4"},
		{"name without NUL", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(unix.IFLA_IFNAME, []byte("eth0")))), "want a NUL-terminated string"},
		{"bad nested linkinfo", nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(unix.IFLA_LINKINFO, []byte{9, 0, 1, 0}))), "link info: attribute at offset 0: length 9"},
		{"address without address", nlmsg(unix.RTM_NEWADDR, []byte{2, 24, 0, 0, 1, 0, 0, 0}), "neither IFA_LOCAL nor IFA_ADDRESS"},
		{"rule src_len without FRA_SRC", nlmsg(unix.RTM_NEWRULE, []byte{2, 0, 24, 0, 0, 0, 0, 1, 0, 0, 0, 0}), "prefix lengths 0/24 without"},
		{"address family 7 skipped", nlmsg(unix.RTM_NEWADDR, []byte{7, 24, 0, 0, 1, 0, 0, 0}), ""},
		{"address prefix 33", nlmsg(unix.RTM_NEWADDR, []byte{2, 33, 0, 0, 1, 0, 0, 0}), "prefix length 33 too long"},
		{"address v6 in v4", nlmsg(unix.RTM_NEWADDR, cat([]byte{2, 24, 0, 0, 1, 0, 0, 0}, attr(unix.IFA_LOCAL, make([]byte, 16)))), "want an address of family 2, got 16 bytes"},
		{"cacheinfo 8 bytes", nlmsg(unix.RTM_NEWADDR, cat([]byte{2, 24, 0, 0, 1, 0, 0, 0}, attr(unix.IFA_CACHEINFO, make([]byte, 8)))), "want 16 bytes of ifa_cacheinfo"},
		{"route gateway 5 bytes", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_GATEWAY, make([]byte, 5)))), "attribute 5: want an address of family 2, got 5 bytes"},
		{"route dst_len 33", nlmsg(unix.RTM_NEWROUTE, rtmsgHdr(2, 33)), "prefix lengths 33/0 too long"},
		{"route dst_len without RTA_DST", nlmsg(unix.RTM_NEWROUTE, rtmsgHdr(2, 24)), "rtm_dst_len 24 without RTA_DST"},
		{"route table 2 bytes", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_TABLE, []byte{1, 0}))), "attribute 15: want 4 bytes (u32), got 2"},
		{"nexthop len below 8", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_MULTIPATH, []byte{4, 0, 0, 0, 1, 0, 0, 0}))), "nexthop at offset 0: length 4 outside 8..8"},
		{"nexthop len beyond", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_MULTIPATH, []byte{16, 0, 0, 0, 1, 0, 0, 0}))), "length 16 outside 8..8"},
		{"nexthop cut", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_MULTIPATH, []byte{8, 0, 0, 0}))), "want 8 bytes, have 4"},
		{"nexthop bad gateway", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_MULTIPATH, cat([]byte{16, 0, 0, 0, 1, 0, 0, 0}, attr(unix.RTA_GATEWAY, []byte{1, 2, 3}))))), "route nexthop: attribute 5"},
		{"via too short", nlmsg(unix.RTM_NEWROUTE, cat(rtmsgHdr(2, 0), attr(unix.RTA_VIA, []byte{10}))), "struct rtvia"},
		{"rule tun_id 4 bytes", nlmsg(unix.RTM_NEWRULE, cat(rtmsgHdr(2, 0), attr(unix.FRA_TUN_ID, u32(1)))), "attribute 12: want 8 bytes (u64), got 4"},
		{"rule protocol 4 bytes", nlmsg(unix.RTM_NEWRULE, cat(rtmsgHdr(2, 0), attr(unix.FRA_PROTOCOL, u32(4)))), "want 1 byte (u8), got 4"},
		{"rule src 16 bytes in v4", nlmsg(unix.RTM_NEWRULE, cat([]byte{2, 0, 32, 0, 0, 0, 0, 1, 0, 0, 0, 0}, attr(unix.FRA_SRC, make([]byte, 16)))), "want an address of family 2, got 16 bytes"},
		{"error message", nlmsg(unix.NLMSG_ERROR, cat(errCode(unix.ENOENT), make([]byte, 16))), "no such file or directory"},
		{"error code cut", nlmsg(unix.NLMSG_ERROR, []byte{1, 2}), "want 4 bytes of error code, have 2"},
		{"ack skipped", nlmsg(unix.NLMSG_ERROR, make([]byte, 20)), ""},
		{"unknown type skipped", nlmsg(99, []byte{1, 2, 3}), ""},
		{"multicast route family skipped", nlmsg(unix.RTM_NEWROUTE, rtmsgHdr(familyIPMR, 0)), ""},
		{"done and noop skipped", cat(nlmsg(unix.NLMSG_NOOP, nil), nlmsg(unix.NLMSG_DONE, u32(0))), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeMessages(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestUnalignedLastMessage: the last message may end on an unaligned
// length without padding (mdlayher/netlink#116); earlier ones are padded.
func TestUnalignedLastMessage(t *testing.T) {
	body := cat(ifinfo(), attr(unix.IFLA_IFNAME, []byte("a\x00")), attr(unix.IFLA_OPERSTATE, []byte{6}))
	msg := nlmsg(unix.RTM_NEWLINK, body[:len(body)-3]) // drop the operstate padding: len 41
	if len(msg)%4 == 0 {
		t.Fatalf("test message is aligned (%d bytes)", len(msg))
	}
	for name, in := range map[string][]byte{
		"alone":         msg,
		"after another": cat(pad(cat(msg)), msg),
	} {
		evs, err := DecodeMessages(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		last := evs[len(evs)-1].Link
		if last.Name != "a" || last.OperState != OperUp || last.Index != 7 {
			t.Fatalf("%s: got %+v", name, last)
		}
	}
}

// TestAttributeFlagsMasked: NLA_F_NESTED and NLA_F_NET_BYTEORDER are not
// part of the type; unknown attributes are skipped.
func TestAttributeFlagsMasked(t *testing.T) {
	info := attr(unix.IFLA_LINKINFO|0x8000, attr(unix.IFLA_INFO_KIND, []byte("veth\x00")))
	in := nlmsg(unix.RTM_NEWLINK, cat(ifinfo(), attr(0x3ff0, []byte{1, 2, 3}), info, attr(unix.IFLA_CARRIER, []byte{0})))
	evs, err := DecodeMessages(in)
	if err != nil {
		t.Fatal(err)
	}
	l := evs[0].Link
	if l.Kind != "veth" || l.Carrier == nil || *l.Carrier {
		t.Fatalf("got kind %q carrier %v, want veth and false", l.Kind, l.Carrier)
	}
}

func TestAddressFlagsSupersede(t *testing.T) {
	hdr := []byte{afInet6, 64, unix.IFA_F_PERMANENT, 0, 2, 0, 0, 0}
	ne.PutUint32(hdr[4:], 2)
	a16 := []byte{0x20, 1, 0xd, 0xb8, 15: 1}
	without, err := decoded(decodeAddress, cat(hdr, attr(unix.IFA_ADDRESS, a16)))
	if err != nil || without.Flags != unix.IFA_F_PERMANENT {
		t.Fatalf("without IFA_FLAGS: flags %#x, %v", without.Flags, err)
	}
	with, err := decoded(decodeAddress, cat(hdr, attr(unix.IFA_ADDRESS, a16), attr(unix.IFA_FLAGS, u32(unix.IFA_F_NOPREFIXROUTE|unix.IFA_F_PERMANENT))))
	if err != nil || with.Flags != unix.IFA_F_NOPREFIXROUTE|unix.IFA_F_PERMANENT {
		t.Fatalf("with IFA_FLAGS: flags %#x, %v", with.Flags, err)
	}
	if with.Addr.String() != "2001:db8::1" || with.Peer.IsValid() {
		t.Fatalf("IPv6 with IFA_ADDRESS only: addr %v peer %v", with.Addr, with.Peer)
	}
	if _, err := decoded(decodeAddress, cat([]byte{7, 24, 0, 0, 1, 0, 0, 0}, attr(unix.IFA_ADDRESS, []byte{1, 2, 3, 4}))); err == nil || !strings.Contains(err.Error(), "unsupported family 7") {
		t.Fatalf("family 7: %v", err)
	}
}

func TestErrorDecoding(t *testing.T) {
	req := encodeMessage(unix.RTM_NEWRULE, unix.NLM_F_REQUEST, 5, make([]byte, 12))
	ext := attr(unix.NLMSGERR_ATTR_MSG, []byte("bad rule\x00"))
	code := errCode(unix.EEXIST)
	tests := []struct {
		name  string
		flags uint16
		data  []byte
		errno unix.Errno
		msg   string
	}{
		{"ack", 0, cat(u32(0), req), 0, ""},
		{"plain", 0, cat(code, req), unix.EEXIST, ""},
		{"capped with tlvs", unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, cat(code, req[:16], ext), unix.EEXIST, "bad rule"},
		{"echo with tlvs", unix.NLM_F_ACK_TLVS, cat(code, req, ext), unix.EEXIST, "bad rule"},
		{"echo length lies", unix.NLM_F_ACK_TLVS, cat(code, func() []byte { b := cat(req); ne.PutUint32(b, 999); return b }(), ext), unix.EEXIST, ""},
		{"tlvs malformed", unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, cat(code, req[:16], []byte{200, 0, 1, 0}), unix.EEXIST, ""},
		{"tlvs flag without room", unix.NLM_F_ACK_TLVS, code, unix.EEXIST, ""},
	}
	for _, tt := range tests {
		m := message{header: header{Type: unix.NLMSG_ERROR, Flags: tt.flags}, Data: tt.data}
		err := decodeError(m, "add rule")
		if tt.errno == 0 {
			if err != nil {
				t.Errorf("%s: %v, want nil", tt.name, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Errno != tt.errno || e.Msg != tt.msg || !errors.Is(err, tt.errno) {
			t.Errorf("%s: got %v, want errno %v msg %q", tt.name, err, tt.errno, tt.msg)
		}
	}
	if got := (&Error{Errno: unix.EEXIST, Msg: "bad rule", Op: "add rule"}).Error(); got != "rtnl: add rule: file exists: bad rule" {
		t.Errorf("Error() = %q", got)
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ScopeName(0), "global"}, {ScopeName(253), "link"}, {ScopeName(254), "host"}, {ScopeName(17), "17"},
		{ProtocolName(2), "kernel"}, {ProtocolName(16), "dhcp"}, {ProtocolName(77), "77"},
		{TypeName(6), "blackhole"}, {TypeName(1), "unicast"}, {ActionName(2), "goto"}, {ActionName(1), "to_tbl"},
		{TableName(254), "main"}, {TableName(1000), "1000"}, {OperState(6).String(), "up"},
		{OperState(3).String(), "lowerlayerdown"}, {OperState(9).String(), "9"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
