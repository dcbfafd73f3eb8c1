package dbus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
)

// goSyntax and typeName stand in for fmt's %#v and %T in error messages:
// they must print what fmt printed.
func TestGoSyntaxMatchesFmt(t *testing.T) {
	type foreign struct{ A int }
	values := []any{
		nil, true, false, 0, -3, uint(7), byte(0), byte(0xff), int16(-2), uint16(9), int32(-5),
		uint32(0), uint32(0xdeadbeef), int64(math.MinInt64), uint64(math.MaxUint64), UnixFD(3),
		0.0, math.Copysign(0, -1), 1.0, 1.5, 1e6, 1e20, 1e21, 1e-5, 123456789.0, math.Inf(1), math.Inf(-1), math.NaN(),
		"", "routable", "q\"uote\\", "x\x00y\t\n", "\xff\xfe", "héllo \u2028 \U0001F600",
		ObjectPath("/org/x"), Signature("a{sv}"),
		Variant{}, Variant{Sig: "s", Value: "routable"}, Variant{Sig: "v", Value: Variant{Sig: "ay", Value: []byte{1, 2}}},
		DictEntry{}, DictEntry{Key: "k", Value: Variant{Sig: "u", Value: uint32(1)}},
		[]byte(nil), []byte{}, []byte{0, 10, 255},
		[]any(nil), []any{}, []any{nil, "s", []byte{1}, []any{int32(1)}, Struct{"a", uint16(2)}},
		Struct(nil), Struct{}, Struct{[]byte(nil), ObjectPath("/")},
		[]DictEntry(nil), []DictEntry{{Key: "a", Value: int32(1)}, {Key: uint32(2), Value: nil}},
		[]string(nil), []string{"a", "b\""}, []int32{1, -2}, []uint32{1, 300}, []ObjectPath{"/a", "/b"},
		map[string]Variant(nil), map[string]Variant{}, map[string]Variant{"b": {Sig: "b", Value: true}, "a": {Sig: "d", Value: 2.5}},
	}
	for _, v := range values {
		if got, want := goSyntax(v), fmt.Sprintf("%#v", v); got != want {
			t.Errorf("goSyntax:\n got %s\nwant %s", got, want)
		}
		if got, want := goSyntax([]any{v}), fmt.Sprintf("%#v", []any{v}); got != want {
			t.Errorf("goSyntax nested:\n got %s\nwant %s", got, want)
		}
		if got, want := typeName(v), fmt.Sprintf("%T", v); got != want {
			t.Errorf("typeName: got %s, want %s", got, want)
		}
		if got, want := (Variant{Sig: "v", Value: v}).String(), fmt.Sprintf("%s %#v", Signature("v"), v); got != want {
			t.Errorf("Variant.String:\n got %s\nwant %s", got, want)
		}
	}
	for _, v := range []any{foreign{1}, &foreign{}, int8(1), float32(1), []int{1}, map[string]int{}, func() {}, errors.New("x")} {
		if got, want := typeName(v), "an unsupported type"; got != want {
			t.Errorf("typeName(%T): got %s, want %s", v, got, want)
		}
		if got, want := goSyntax(v), "an unsupported type"; got != want {
			t.Errorf("goSyntax(%T): got %s, want %s", v, got, want)
		}
	}
}

func TestWrapUnwraps(t *testing.T) {
	err := wrap("dbus: call a.b on c", context.DeadlineExceeded)
	if err.Error() != "dbus: call a.b on c: context deadline exceeded" || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %q, Is %v", err, errors.Is(err, context.DeadlineExceeded))
	}
	var de *Error
	if err := wrap("dbus: x", &Error{Name: ErrorNoReply}); !errors.As(err, &de) || !IsError(err, ErrorNoReply) {
		t.Errorf("%v does not unwrap to *Error", err)
	}
	if err := wrap("dbus: auth", io.ErrUnexpectedEOF); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%v does not unwrap", err)
	}
}

// A byte order that is neither little nor big endian is named by its String.
func TestOddByteOrderMessage(t *testing.T) {
	m := &Message{Type: TypeSignal, Serial: 1, Path: "/a", Interface: "a.b", Member: "C"}
	_, err := m.Encode(oddOrder{binary.LittleEndian})
	want := fmt.Sprintf("dbus: encode: byte order %v is neither little nor big endian", oddOrder{binary.LittleEndian})
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

type oddOrder struct{ binary.ByteOrder }

func (oddOrder) PutUint16(b []byte, _ uint16) { b[0], b[1] = 0, 0 }
func (oddOrder) String() string               { return "OddEndian" }
