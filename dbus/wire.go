package dbus

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"
)

// decoder is a read cursor over one whole message. pos is absolute from the
// message start, so alignment follows message-protocol-marshaling directly.
// The first error sticks; after it every read returns zero values, so callers
// check err once (and loops check it to stop).
type decoder struct {
	buf   []byte
	pos   int
	order binary.ByteOrder
	err   error
	fds   uint32 // the UNIX_FDS header field: 'h' values must index below it
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("dbus: offset %d: %s", d.pos, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) remaining() int { return len(d.buf) - d.pos }

// align skips to a multiple of n, requiring NUL padding.
func (d *decoder) align(n int) {
	if d.err != nil {
		return
	}
	pad := (n - d.pos%n) % n
	if pad > d.remaining() {
		d.fail("want %d padding bytes, have %d", pad, d.remaining())
		return
	}
	for _, c := range d.buf[d.pos : d.pos+pad] {
		if c != 0 {
			d.fail("padding byte is %#x, want 0", c)
			return
		}
	}
	d.pos += pad
}

// take returns the next n bytes (aliasing buf) or nil after an error.
func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.fail("%s: want %d bytes, have %d", what, n, d.remaining())
		return nil
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) u8() byte {
	b := d.take(1, "byte")
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) u16() uint16 {
	d.align(2)
	b := d.take(2, "16-bit integer")
	if b == nil {
		return 0
	}
	return d.order.Uint16(b)
}

func (d *decoder) u32() uint32 {
	d.align(4)
	b := d.take(4, "32-bit integer")
	if b == nil {
		return 0
	}
	return d.order.Uint32(b)
}

func (d *decoder) u64() uint64 {
	d.align(8)
	b := d.take(8, "64-bit integer")
	if b == nil {
		return 0
	}
	return d.order.Uint64(b)
}

func (d *decoder) boolean() bool {
	v := d.u32()
	if v > 1 {
		d.fail("boolean is %d, want 0 or 1", v)
	}
	return v == 1
}

// text checks the bytes of a string-like value and its trailing NUL.
func (d *decoder) text(n uint64, what string) string {
	if d.err != nil {
		return ""
	}
	// Compare in uint64 before converting: n may be up to 2^32-1.
	if n >= uint64(d.remaining()) {
		d.fail("%s length %d exceeds the %d bytes left", what, n, d.remaining())
		return ""
	}
	b := d.take(int(n)+1, what)
	if b[n] != 0 {
		d.fail("%s not terminated by NUL", what)
		return ""
	}
	b = b[:n]
	for _, c := range b {
		if c == 0 {
			d.fail("%s contains NUL", what)
			return ""
		}
	}
	if !utf8.Valid(b) {
		d.fail("%s is not valid UTF-8", what)
		return ""
	}
	return string(b)
}

// str reads 's' and 'o' payloads: u32 length, bytes, NUL.
func (d *decoder) str(what string) string {
	n := d.u32()
	return d.text(uint64(n), what)
}

// sig reads a 'g' payload (u8 length) and validates it as a signature.
func (d *decoder) sig() string {
	n := d.u8()
	s := d.text(uint64(n), "signature")
	if d.err == nil {
		if err := checkSignature(s); err != nil {
			d.fail("%v", err)
		}
	}
	return s
}

// encoder appends to buf; len(buf) is the absolute position, so a body
// encoded into its own buffer aligns as it will inside the message (the
// body starts 8-aligned and 8 is the largest alignment).
type encoder struct {
	buf   []byte
	order byteOrder
	err   error
}

// byteOrder is what binary.LittleEndian, BigEndian and NativeEndian all
// are: appending (no temporary buffers) and patching in place.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("dbus: encode: %s", fmt.Sprintf(format, args...))
	}
}

func (e *encoder) align(n int) {
	for len(e.buf)%n != 0 {
		e.buf = append(e.buf, 0)
	}
}

func (e *encoder) u8(v byte) { e.buf = append(e.buf, v) }

func (e *encoder) u16(v uint16) {
	e.align(2)
	e.buf = e.order.AppendUint16(e.buf, v)
}

func (e *encoder) u32(v uint32) {
	e.align(4)
	e.buf = e.order.AppendUint32(e.buf, v)
}

func (e *encoder) u64(v uint64) {
	e.align(8)
	e.buf = e.order.AppendUint64(e.buf, v)
}

func (e *encoder) f64(v float64) { e.u64(math.Float64bits(v)) }

// text validates and appends a string-like value without its length.
func (e *encoder) text(s, what string) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			e.fail("%s %q contains NUL", what, s)
			return
		}
	}
	if !utf8.ValidString(s) {
		e.fail("%s %q is not valid UTF-8", what, s)
		return
	}
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

func (e *encoder) str(s, what string) {
	if uint64(len(s)) > maxMessageLen {
		e.fail("%s of %d bytes exceeds the message limit", what, len(s))
		return
	}
	e.u32(uint32(len(s)))
	e.text(s, what)
}

func (e *encoder) sig(s string) {
	if err := checkSignature(s); err != nil {
		e.fail("%v", err)
		return
	}
	e.u8(byte(len(s)))
	e.text(s, "signature")
}
