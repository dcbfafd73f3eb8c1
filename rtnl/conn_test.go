package rtnl

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeTransport answers each request with datagrams built by reply,
// which sees the request's header and payload.
type fakeTransport struct {
	pid     uint32
	reply   func(h header, payload []byte) [][]byte
	sent    []message
	pending [][]byte
	trunc   bool
}

func (f *fakeTransport) send(b []byte) error {
	msgs, err := splitMessages(b)
	if err != nil || len(msgs) != 1 {
		return errors.New("fake: bad request")
	}
	f.sent = append(f.sent, msgs[0])
	f.pending = append(f.pending, f.reply(msgs[0].header, msgs[0].Data)...)
	return nil
}

func (f *fakeTransport) recv() ([]byte, bool, error) {
	if len(f.pending) == 0 {
		return nil, false, errors.New("fake: nothing to receive")
	}
	b := f.pending[0]
	f.pending = f.pending[1:]
	return b, f.trunc, nil
}

func (f *fakeTransport) portID() uint32 { return f.pid }
func (f *fakeTransport) close() error   { return nil }

// reply builds one message answering h.
func reply(h header, typ, flags uint16, payload []byte) []byte {
	b := encodeMessage(typ, flags, h.Seq, payload)
	ne.PutUint32(b[12:], h.Pid)
	return b
}

func ruleMsg(prio uint32) []byte {
	return cat([]byte{afInet, 0, 0, 0, unix.RT_TABLE_MAIN, 0, 0, unix.FR_ACT_TO_TBL, 0, 0, 0, 0}, attr(unix.FRA_PRIORITY, u32(prio)))
}

// newFake gives a Conn over a fake whose replies carry our port id and
// the request's seq, as the kernel's do.
func newFake(answer func(h header, payload []byte) [][]byte) (*Conn, *fakeTransport) {
	f := &fakeTransport{pid: 4242}
	f.reply = func(h header, p []byte) [][]byte { h.Pid = f.pid; return answer(h, p) }
	return &Conn{s: f}, f
}

func TestDumpRetriedOnInterrupt(t *testing.T) {
	calls := 0
	c, f := newFake(func(h header, _ []byte) [][]byte {
		calls++
		intr := uint16(0)
		if calls == 1 {
			intr = unix.NLM_F_DUMP_INTR
		}
		return [][]byte{
			cat(reply(h, unix.RTM_NEWRULE, unix.NLM_F_MULTI, ruleMsg(uint32(calls))),
				reply(h, unix.RTM_NEWRULE, unix.NLM_F_MULTI|intr, ruleMsg(100))),
			reply(h, unix.NLMSG_DONE, unix.NLM_F_MULTI|intr, u32(0)),
		}
	})
	rules, err := c.Rules(afInet)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.sent) != 2 || len(rules) != 2 || rules[0].Priority != 2 {
		t.Fatalf("sent %d requests, got %+v; want a retry and the second dump", len(f.sent), rules)
	}
	if f.sent[0].Seq == f.sent[1].Seq || f.sent[0].Flags != unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_DUMP {
		t.Fatalf("requests %+v %+v: want fresh seqs and REQUEST|ACK|DUMP", f.sent[0].header, f.sent[1].header)
	}
}

func TestDumpInterruptRetriesBounded(t *testing.T) {
	c, f := newFake(func(h header, _ []byte) [][]byte {
		return [][]byte{cat(
			reply(h, unix.RTM_NEWRULE, unix.NLM_F_MULTI|unix.NLM_F_DUMP_INTR, ruleMsg(7)),
			reply(h, unix.NLMSG_DONE, unix.NLM_F_MULTI, u32(0)))}
	})
	rules, err := c.Rules(afInet)
	if !errors.Is(err, ErrDumpInterrupted) {
		t.Fatalf("err %v, want ErrDumpInterrupted", err)
	}
	if len(f.sent) != 1+dumpRetries || len(rules) != 1 || rules[0].Priority != 7 {
		t.Fatalf("sent %d, got %+v; want %d tries and the last result", len(f.sent), rules, 1+dumpRetries)
	}
}

// TestRepliesFiltered: messages with another seq (late replies) or
// another port id are not ours.
func TestRepliesFiltered(t *testing.T) {
	c, _ := newFake(func(h header, _ []byte) [][]byte {
		stale, other := h, h
		stale.Seq--
		other.Pid = 99
		return [][]byte{
			reply(stale, unix.RTM_NEWRULE, unix.NLM_F_MULTI, ruleMsg(1)),
			cat(reply(other, unix.RTM_NEWRULE, unix.NLM_F_MULTI, ruleMsg(2)),
				reply(h, unix.RTM_NEWRULE, unix.NLM_F_MULTI, ruleMsg(3)),
				reply(stale, unix.NLMSG_DONE, unix.NLM_F_MULTI, u32(0))),
			reply(h, unix.NLMSG_DONE, unix.NLM_F_MULTI, u32(0)),
		}
	})
	rules, err := c.Rules(afInet)
	if err != nil || len(rules) != 1 || rules[0].Priority != 3 {
		t.Fatalf("got %+v, %v; want only priority 3", rules, err)
	}
}

func TestDumpErrors(t *testing.T) {
	done := func(h header, _ []byte) [][]byte {
		return [][]byte{reply(h, unix.NLMSG_DONE, unix.NLM_F_MULTI|unix.NLM_F_ACK_TLVS,
			cat(errCode(unix.EOPNOTSUPP), attr(unix.NLMSGERR_ATTR_MSG, []byte("no dump\x00"))))}
	}
	c, _ := newFake(done)
	_, err := c.Links()
	var e *Error
	if !errors.As(err, &e) || e.Errno != unix.EOPNOTSUPP || e.Msg != "no dump" || e.Op != "dump links" {
		t.Fatalf("DONE with error: %v", err)
	}

	c, _ = newFake(func(h header, _ []byte) [][]byte {
		return [][]byte{reply(h, unix.RTM_NEWLINK, unix.NLM_F_MULTI, make([]byte, 4)), reply(h, unix.NLMSG_DONE, unix.NLM_F_MULTI, u32(0))}
	})
	if _, err := c.Links(); err == nil || !strings.Contains(err.Error(), "ifinfomsg") {
		t.Fatalf("malformed reply: %v", err)
	}

	c, f := newFake(func(h header, _ []byte) [][]byte { return [][]byte{reply(h, unix.NLMSG_DONE, 0, u32(0))} })
	f.trunc = true
	if _, err := c.Links(); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("MSG_TRUNC: %v", err)
	}
	if _, err := c.Routes(7); err == nil {
		t.Fatal("family 7 accepted")
	}
}

// TestRequestEncoding checks flags and that the payload the kernel would
// see decodes back to the rule or route asked for, defaults filled in.
func TestRequestEncoding(t *testing.T) {
	ack := func(h header, p []byte) [][]byte {
		return [][]byte{reply(h, unix.NLMSG_ERROR, unix.NLM_F_CAPPED, cat(u32(0), make([]byte, 16)))}
	}
	c, f := newFake(ack)
	rule := Rule{Priority: 1100, Src: pfx("192.0.2.7/32"), Table: 1003, IIFName: "eth1", Mark: 3, Mask: 0xf, Protocol: unix.RTPROT_STATIC, Invert: true}
	route := Route{Dst: pfx("10.9.0.0/16"), Gateway: ip("2001:db8::1"), Table: 1003, OutIndex: 3, Priority: 9,
		Multipath: []NextHop{{Gateway: ip("192.0.2.1"), OutIndex: 4, Weight: 3}, {OutIndex: 5}}}
	steps := []struct {
		do    func() error
		typ   uint16
		flags uint16
	}{
		{func() error { return c.AddRule(rule) }, unix.RTM_NEWRULE, unix.NLM_F_CREATE | unix.NLM_F_EXCL},
		{func() error { return c.DeleteRule(rule) }, unix.RTM_DELRULE, 0},
		{func() error { return c.AddRoute(route) }, unix.RTM_NEWROUTE, unix.NLM_F_CREATE | unix.NLM_F_EXCL},
		{func() error { return c.ReplaceRoute(route) }, unix.RTM_NEWROUTE, unix.NLM_F_CREATE | unix.NLM_F_REPLACE},
		{func() error { return c.DeleteRoute(route) }, unix.RTM_DELROUTE, 0},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		m := f.sent[i]
		if m.Type != st.typ || m.Flags != unix.NLM_F_REQUEST|unix.NLM_F_ACK|st.flags {
			t.Fatalf("step %d: type %d flags %#x", i, m.Type, m.Flags)
		}
	}
	gotRule, err := decoded(decodeRule, f.sent[0].Data)
	wantRule := rule
	wantRule.Family, wantRule.Action, wantRule.Flags = afInet, unix.FR_ACT_TO_TBL, unix.FIB_RULE_INVERT
	if err != nil || !reflect.DeepEqual(gotRule, wantRule) {
		t.Fatalf("add rule payload:\n got %+v %v\nwant %+v", gotRule, err, wantRule)
	}
	if f.sent[0].Data[4] != unix.RT_TABLE_UNSPEC {
		t.Fatalf("rule header table %d for table 1003, want RT_TABLE_UNSPEC", f.sent[0].Data[4])
	}
	gotRoute, err := decoded(decodeRoute, f.sent[2].Data)
	wantRoute := route
	wantRoute.Family, wantRoute.Protocol, wantRoute.Type = afInet, unix.RTPROT_BOOT, unix.RTN_UNICAST
	wantRoute.Multipath = []NextHop{{Gateway: ip("192.0.2.1"), OutIndex: 4, Weight: 3}, {OutIndex: 5, Weight: 1}}
	if err != nil || !reflect.DeepEqual(gotRoute, wantRoute) {
		t.Fatalf("add route payload:\n got %+v %v\nwant %+v", gotRoute, err, wantRoute)
	}
	del, _ := decoded(decodeRoute, f.sent[4].Data)
	if del.Scope != unix.RT_SCOPE_NOWHERE || del.Protocol != 0 || del.Type != 0 {
		t.Fatalf("delete route: scope %d protocol %d type %d, want nowhere/any/any", del.Scope, del.Protocol, del.Type)
	}
}

func TestEncodeDefaults(t *testing.T) {
	b, err := encodeRoute(Route{Dst: pfx("10.1.0.0/16"), OutIndex: 2}, true)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := decoded(decodeRoute, b)
	if r.Table != unix.RT_TABLE_MAIN || r.Scope != unix.RT_SCOPE_LINK || b[4] != unix.RT_TABLE_MAIN {
		t.Fatalf("device route: table %d scope %d", r.Table, r.Scope)
	}
	b, _ = encodeRoute(Route{Family: afInet6}, true)
	if r, _ := decoded(decodeRoute, b); r.Dst != pfx("::/0") || r.Family != afInet6 {
		t.Fatalf("default v6 route: %+v", r)
	}
	for _, bad := range []Route{{}, {Family: afInet, Dst: pfx("2001:db8::/32")}} {
		if _, err := encodeRoute(bad, true); err == nil {
			t.Errorf("route %+v accepted", bad)
		}
	}
	for _, bad := range []Rule{{Table: 5}, {Family: afInet6, Src: pfx("10.0.0.0/8")}} {
		if _, err := encodeRule(bad, true); err == nil {
			t.Errorf("rule %+v accepted", bad)
		}
	}
	b, _ = encodeRule(Rule{Family: afInet6, Priority: 5}, true)
	if r, _ := decoded(decodeRule, b); r.Table != unix.RT_TABLE_MAIN || r.Action != unix.FR_ACT_TO_TBL {
		t.Fatalf("rule defaults: %+v", r)
	}
}

// TestEncodeAttributeLimit checks the boundary of the 16-bit attribute
// length: 4095 IPv4 hops (4 + 4095*16 bytes) fit, 4096 are refused rather
// than written with a wrapped length.
func TestEncodeAttributeLimit(t *testing.T) {
	hops := func(n int) []NextHop {
		h := make([]NextHop, n)
		for i := range h {
			h[i] = NextHop{Gateway: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), OutIndex: 2}
		}
		return h
	}
	b, err := encodeRoute(Route{Dst: pfx("10.9.0.0/16"), Multipath: hops(4095)}, true)
	if err != nil {
		t.Fatalf("4095 hops: %v", err)
	}
	r, err := decoded(decodeRoute, b)
	if err != nil || len(r.Multipath) != 4095 || r.Multipath[4094].Gateway != netip.AddrFrom4([4]byte{10, 0, 15, 254}) {
		t.Fatalf("4095 hops decoded: %d hops, err %v", len(r.Multipath), err)
	}
	if _, err := encodeRoute(Route{Dst: pfx("10.9.0.0/16"), Multipath: hops(4096)}, true); err == nil || !strings.Contains(err.Error(), "want at most 65535 bytes, got 65540") {
		t.Fatalf("4096 hops: err %v, want the length refused", err)
	}
	if _, err := encodeRule(Rule{Family: afInet, IIFName: strings.Repeat("x", 70000)}, true); err == nil {
		t.Fatal("rule with a 70000-byte iif name accepted")
	}
}
