package dbus

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

// FuzzDecodeMessage: DecodeMessage must never panic; whatever it accepts
// must encode again, and that encoding must decode and re-encode to the
// same bytes (unknown header fields are dropped, so the first encoding may
// differ from the input). Seeds: the 414 real messages of the samples in
// both byte orders, the every-type message, the GLib hostile blobs and
// the bytes dbus-send (libdbus) sent in TestLibdbusBytes.
func FuzzDecodeMessage(f *testing.F) {
	for _, m := range loadSamples(f) {
		for _, order := range orders {
			b, err := m.Encode(order)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, order := range orders {
		f.Add(validMessage(f, order))
	}
	for _, c := range glibHostile {
		f.Add(c.data)
	}
	if b, err := os.ReadFile(libdbusCapture); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		enc, err := m.Encode(m.Order)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v\n%#v", err, m)
		}
		m2, err := DecodeMessage(enc)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		enc2, err := m2.Encode(m2.Order)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable (%v)", err)
		}
		if m.Order == binary.ByteOrder(nil) {
			t.Fatal("Order not set")
		}
	})
}
