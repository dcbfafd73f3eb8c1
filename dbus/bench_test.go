package dbus

import (
	"encoding/binary"
	"testing"
)

// samplePropertiesChanged is the networkd signal of
// testdata/bus-monitor.busctl.jsonl with cookie 5 (link _34 becoming
// routable: four properties in one update).
func samplePropertiesChanged() *Message {
	return &Message{Type: TypeSignal, Flags: FlagNoReplyExpected, Serial: 5, Sender: ":1.14",
		Path: "/org/freedesktop/network1/link/_34", Interface: PropertiesInterface,
		Member: "PropertiesChanged", Signature: "sa{sv}as",
		Body: []any{"org.freedesktop.network1.Link", []DictEntry{
			{"AddressState", Variant{"s", "routable"}},
			{"IPv4AddressState", Variant{"s", "routable"}},
			{"OperationalState", Variant{"s", "routable"}},
			{"OnlineState", Variant{"s", "online"}},
		}, []any{}}}
}

func BenchmarkPropertiesChanged(b *testing.B) {
	m := samplePropertiesChanged()
	wire, err := m.Encode(binary.LittleEndian)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			if _, err := m.Encode(binary.LittleEndian); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			if _, err := DecodeMessage(wire); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := DecodeMessage(wire)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, _, err := ParsePropertiesChanged(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
