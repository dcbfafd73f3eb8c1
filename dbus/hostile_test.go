package dbus

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestGlibHostileBlobs(t *testing.T) {
	for _, c := range glibHostile {
		m, err := DecodeMessage(c.data)
		if err == nil {
			t.Errorf("%s: accepted: %#v", c.name, m)
			continue
		}
		t.Logf("%s: %v", c.name, err)
	}
}

// validMessage is a signal carrying every type of allValues.
func validMessage(t testing.TB, order binary.ByteOrder) []byte {
	t.Helper()
	m := &Message{Type: TypeSignal, Flags: FlagNoReplyExpected, Serial: 42,
		Path: "/org/example/Peer", Interface: peerIface, Member: "All",
		Sender: ":1.7", Destination: ":1.8", Signature: allSig, Body: allValues()}
	b, err := m.Encode(order)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEveryPrefixFails: no proper prefix of a valid message decodes (the
// glib test_message_parse_truncated technique), in both byte orders.
func TestEveryPrefixFails(t *testing.T) {
	for _, order := range orders {
		b := validMessage(t, order)
		if _, err := DecodeMessage(b); err != nil {
			t.Fatalf("%v: the whole message fails: %v", order, err)
		}
		for i := range len(b) {
			if m, err := DecodeMessage(b[:i]); err == nil {
				t.Fatalf("%v: prefix of %d/%d bytes accepted: %#v", order, i, len(b), m)
			}
		}
		if _, err := DecodeMessage(append(b, 0)); err == nil {
			t.Errorf("%v: trailing byte accepted", order)
		}
	}
}

// rawMessage builds a little-endian message from header fields (already encoded
// a(yv) content) and a body, fixing up the lengths.
func rawMessage(typ byte, flags byte, fields []byte, body []byte) []byte {
	b := []byte{'l', typ, flags, 1}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(fields)))
	b = append(b, fields...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return append(b, body...)
}

// field encodes one (yv) header field at an 8-aligned offset.
func field(code byte, sig string, val []byte) []byte {
	f := []byte{code, byte(len(sig))}
	f = append(f, sig...)
	f = append(f, 0)
	return append(f, val...)
}

func pad8(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

func leStr(s string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(s)))
	return append(append(b, s...), 0)
}

func TestRawHelpers(t *testing.T) {
	if _, err := DecodeMessage(rawMessage(4, 0, signalFields(""), nil)); err != nil {
		t.Fatalf("helper message invalid: %v", err)
	}
}

// signalFields: PATH /a, INTERFACE a.b, MEMBER c, SIGNATURE sig (when
// not empty), then the extra fields, each 8-aligned.
func signalFields(sig string, extra ...[]byte) []byte {
	var f []byte
	f = append(pad8(f), field(1, "o", leStr("/a"))...)
	f = append(pad8(f), field(2, "s", leStr("a.b"))...)
	f = append(pad8(f), field(3, "s", leStr("c"))...)
	if sig != "" {
		f = append(pad8(f), field(8, "g", append([]byte{byte(len(sig))}, append([]byte(sig), 0)...))...)
	}
	for _, e := range extra {
		f = append(pad8(f), e...)
	}
	return f
}

func TestHostileBodies(t *testing.T) {
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	cases := []struct {
		name, sig string
		body      []byte
		want      string // substring of the error
	}{
		{"boolean 2", "b", u32(2), "boolean is 2"},
		{"string without NUL", "s", append(u32(3), 'a', 'b', 'c', 'd'), "not terminated"},
		{"string with NUL", "s", append(u32(3), 'a', 0, 'c', 0), "contains NUL"},
		{"bad UTF-8", "s", append(u32(2), 0xc3, 0x28, 0), "UTF-8"},
		{"overlong UTF-8", "s", append(u32(2), 0xc0, 0xaf, 0), "UTF-8"},
		{"surrogate", "s", append(u32(3), 0xed, 0xa0, 0x80, 0), "UTF-8"},
		{"above U+10FFFF", "s", append(u32(4), 0xf4, 0x90, 0x80, 0x80, 0), "UTF-8"},
		{"string length 2^32-1", "s", append(u32(0xffffffff), 'a', 0), "exceeds"},
		{"bad object path", "o", append(u32(3), '/', '/', 'a', 0), "object path"},
		{"bad signature value", "g", []byte{2, '(', 'i', 0}, "not closed"},
		{"bad padding", "yu", []byte{1, 0, 1, 0, 5, 0, 0, 0}, "padding byte"},
		{"array length over 2^26", "ay", u32(1<<26 + 1), "exceeds"},
		{"array length 2^32-1", "ay", u32(0xffffffff), "exceeds"},
		{"array past the end", "ay", append(u32(8), 1, 2), "exceeds"},
		{"partial element", "ai", append(u32(6), 1, 0, 0, 0, 2, 0, 0, 0), "past the array"},
		{"fixed array not multiple", "ai", append(u32(6), 1, 0, 0, 0, 2, 0), "32-bit"},
		{"missing array padding", "at", append(u32(8), 5, 0, 0, 0, 0, 0, 0, 0), "padding"},
		{"variant with two types", "v", []byte{2, 'y', 'y', 0, 1, 2}, "more than one"},
		{"variant empty signature", "v", []byte{0, 0}, "empty"},
		{"trailing bytes", "y", []byte{1, 0}, "after the body"},
		{"fd index without UNIX_FDS", "h", u32(0), "unix fd index"},
		{"short body", "u", []byte{1, 0}, "32-bit"},
	}
	for _, c := range cases {
		b := rawMessage(4, 0, signalFields(c.sig), c.body)
		_, err := DecodeMessage(b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestHostileHeaders(t *testing.T) {
	u32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		{"field twice", rawMessage(4, 0, signalFields("", field(3, "s", leStr("d"))), nil), "twice"},
		{"field code 0", rawMessage(4, 0, signalFields("", field(0, "y", []byte{1})), nil), "code 0"},
		{"PATH typed s", rawMessage(1, 0, append(pad8(field(1, "s", leStr("/a"))), field(3, "s", leStr("c"))...), nil), "want signature"},
		{"call without MEMBER", rawMessage(1, 0, field(1, "o", leStr("/a")), nil), "without MEMBER"},
		{"signal without INTERFACE", rawMessage(4, 0, append(pad8(field(1, "o", leStr("/a"))), field(3, "s", leStr("c"))...), nil), "without INTERFACE"},
		{"error without REPLY_SERIAL", rawMessage(3, 0, field(4, "s", leStr("a.b")), nil), "without REPLY_SERIAL"},
		{"return with REPLY_SERIAL 0", rawMessage(2, 0, field(5, "u", u32(0)), nil), "without REPLY_SERIAL"},
		{"body without SIGNATURE", rawMessage(4, 0, signalFields(""), []byte{1}), "no SIGNATURE"},
		{"bad member name", rawMessage(4, 0, append(pad8(field(1, "o", leStr("/a"))), append(pad8(field(2, "s", leStr("a.b"))), field(3, "s", leStr("9c"))...)...), nil), "member name"},
		{"bad interface", rawMessage(4, 0, append(pad8(field(1, "o", leStr("/a"))), append(pad8(field(2, "s", leStr("ab"))), field(3, "s", leStr("c"))...)...), nil), "interface"},
		{"bad sender", rawMessage(4, 0, signalFields("", field(7, "s", leStr(":1..2"))), nil), "bus name"},
		{"local interface", rawMessage(4, 0, append(pad8(field(1, "o", leStr("/a"))), append(pad8(field(2, "s", leStr(localInterface))), field(3, "s", leStr("c"))...)...), nil), "reserved"},
		{"field array past the end", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			binary.LittleEndian.PutUint32(b[12:], 1000)
			return b
		}(), "header says"},
		{"field array length 2^32-1", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			binary.LittleEndian.PutUint32(b[12:], 0xffffffff)
			return b
		}(), "exceeds"},
		{"body length 2^32-1", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			binary.LittleEndian.PutUint32(b[4:], 0xffffffff)
			return b
		}(), "exceeds"},
		{"128 MiB + 1", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			binary.LittleEndian.PutUint32(b[4:], uint32(maxMessageLen-len(b)+1))
			return b
		}(), "exceeds 134217728"},
		{"serial 0", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			binary.LittleEndian.PutUint32(b[8:], 0)
			return b
		}(), "serial is 0"},
		{"type 0", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			b[1] = 0
			return b
		}(), "type 0"},
		{"version 2", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			b[3] = 2
			return b
		}(), "protocol version"},
		{"endianness x", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			b[0] = 'x'
			return b
		}(), "endianness"},
		{"header padding not NUL", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			b[len(b)-1] = 1
			return b
		}(), "padding"},
	}
	for _, c := range cases {
		_, err := DecodeMessage(c.msg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// Exactly 128 MiB passes the length check (dbus-broker test_size).
	b := rawMessage(4, 0, signalFields(""), nil)
	binary.LittleEndian.PutUint32(b[4:], uint32(maxMessageLen-len(b)))
	if n, err := MessageLength(b); err != nil || n != maxMessageLen {
		t.Errorf("MessageLength at the cap = %d, %v", n, err)
	}
}

// TestExtensionPoints: unknown types, flags and header fields are valid and
// ignored (message-protocol-messages), unlike godbus's validateHeader.
func TestExtensionPoints(t *testing.T) {
	unknownField := field(0x20, "a{sv}", []byte{0, 0, 0, 0, 0, 0, 0, 0})
	cases := []struct {
		name string
		msg  []byte
	}{
		{"type 123", rawMessage(123, 0, nil, nil)},
		{"flags 0xff", rawMessage(4, 0xff, signalFields(""), nil)},
		{"unknown field a{sv}", rawMessage(4, 0, signalFields("", unknownField), nil)},
		{"UNIX_FDS 0", rawMessage(4, 0, signalFields("", field(9, "u", []byte{0, 0, 0, 0})), nil)},
		{"h below UNIX_FDS", rawMessage(4, 0, signalFields("h", field(9, "u", []byte{2, 0, 0, 0})), []byte{1, 0, 0, 0})},
	}
	for _, c := range cases {
		m, err := DecodeMessage(c.msg)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.name == "type 123" && m.Type != 123 {
			t.Errorf("type 123 decoded as %v", m.Type)
		}
	}
}

// TestDepthLimits: 32 arrays and 32 structs and 64 containers in total are
// the caps (systemd test-bus-signature.c; dbus-daemon forwards 64 nested
// variants, not 65).
func TestDepthLimits(t *testing.T) {
	nestV := func(n int) any {
		var v any = byte(7)
		sig := Signature("y")
		for range n {
			v = Variant{sig, v}
			sig = "v"
		}
		return v
	}
	for _, c := range []struct {
		n  int
		ok bool
	}{{64, true}, {65, false}} {
		// Build the bytes by hand so the decoder, not the encoder, is tested.
		var body []byte
		for range c.n - 1 {
			body = append(body, 1, 'v', 0)
		}
		body = append(body, 1, 'y', 0, 7)
		_, err := DecodeMessage(rawMessage(4, 0, signalFields("v"), body))
		if (err == nil) != c.ok {
			t.Errorf("%d nested variants: err %v, want ok=%v", c.n, err, c.ok)
		}
		e := &encoder{order: binary.LittleEndian}
		err = encodeBody(e, "v", []any{nestV(c.n)})
		if (err == nil) != c.ok {
			t.Errorf("encoding %d nested variants: err %v, want ok=%v", c.n, err, c.ok)
		}
	}
}
