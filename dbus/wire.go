package dbus

import (
	"encoding/binary"
	"strconv"
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

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = textError("dbus: offset " + strconv.Itoa(d.pos) + ": " + msg)
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
		d.fail("want " + strconv.Itoa(pad) + " padding bytes, have " + strconv.Itoa(d.remaining()))
		return
	}
	for _, c := range d.buf[d.pos : d.pos+pad] {
		if c != 0 {
			d.fail("padding byte is 0x" + strconv.FormatUint(uint64(c), 16) + ", want 0")
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
		d.fail(what + ": want " + strconv.Itoa(n) + " bytes, have " + strconv.Itoa(d.remaining()))
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
		d.fail("boolean is " + strconv.FormatUint(uint64(v), 10) + ", want 0 or 1")
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
		d.fail(what + " length " + strconv.FormatUint(n, 10) + " exceeds the " + strconv.Itoa(d.remaining()) + " bytes left")
		return ""
	}
	b := d.take(int(n)+1, what)
	if b[n] != 0 {
		d.fail(what + " not terminated by NUL")
		return ""
	}
	b = b[:n]
	for _, c := range b {
		if c == 0 {
			d.fail(what + " contains NUL")
			return ""
		}
	}
	if !utf8.Valid(b) {
		d.fail(what + " is not valid UTF-8")
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
			d.fail(err.Error())
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

func (e *encoder) fail(msg string) {
	if e.err == nil {
		e.err = encodeError(msg)
	}
}

// encodeError is an encoder's error. Its text gets the "dbus: encode: "
// prefix when asked for, not in fail, which is inlined at every check.
type encodeError string

func (e encodeError) Error() string { return "dbus: encode: " + string(e) }

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

// text validates and appends a string-like value without its length.
func (e *encoder) text(s, what string) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			e.fail(quoted(what+" ", s, " contains NUL"))
			return
		}
	}
	if !utf8.ValidString(s) {
		e.fail(quoted(what+" ", s, " is not valid UTF-8"))
		return
	}
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

func (e *encoder) str(s, what string) {
	if uint64(len(s)) > maxMessageLen {
		e.fail(what + " of " + strconv.Itoa(len(s)) + " bytes exceeds the message limit")
		return
	}
	e.u32(uint32(len(s)))
	e.text(s, what)
}

func (e *encoder) sig(s string) {
	if err := checkSignature(s); err != nil {
		e.fail(err.Error())
		return
	}
	e.u8(byte(len(s)))
	e.text(s, "signature")
}
