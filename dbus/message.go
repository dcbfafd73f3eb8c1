package dbus

import (
	"encoding/binary"
	"strconv"
)

// Message is one D-Bus message (message-protocol-messages). Body holds the
// arguments described by Signature, with the Go types of the package doc.
type Message struct {
	Type        MessageType
	Flags       byte
	Serial      uint32
	ReplySerial uint32
	Path        ObjectPath
	Interface   string
	Member      string
	ErrorName   string
	Destination string
	Sender      string
	Signature   Signature
	Body        []any

	// UnixFDs is the UNIX_FDS header field: how many fds travel with the
	// message. This package never negotiates fd passing, so it is only
	// kept to validate 'h' indexes and to re-encode faithfully.
	UnixFDs uint32

	// Order is the byte order the message arrived in; set by
	// DecodeMessage, ignored by Encode.
	Order binary.ByteOrder
}

// Header field codes (message-protocol-header-fields).
const (
	fieldPath        = 1
	fieldInterface   = 2
	fieldMember      = 3
	fieldErrorName   = 4
	fieldReplySerial = 5
	fieldDestination = 6
	fieldSender      = 7
	fieldSignature   = 8
	fieldUnixFDs     = 9
)

// fieldSig is the type each known header field must have.
var fieldSig = [...]string{fieldPath: "o", fieldInterface: "s", fieldMember: "s",
	fieldErrorName: "s", fieldReplySerial: "u", fieldDestination: "s",
	fieldSender: "s", fieldSignature: "g", fieldUnixFDs: "u"}

// headerLen is the fixed part: yyyyuu plus the header-field array length.
const headerLen = 16

// MessageLength reads the fixed 16-byte header start and returns the length
// of the whole message, checking the caps in uint64 before any arithmetic
// in int (a stream reader uses it to know how much more to read).
func MessageLength(hdr []byte) (int, error) {
	if len(hdr) < headerLen {
		return 0, textError("dbus: message header: want " + strconv.Itoa(headerLen) + " bytes, have " + strconv.Itoa(len(hdr)))
	}
	var order binary.ByteOrder
	switch hdr[0] {
	case 'l':
		order = binary.LittleEndian
	case 'B':
		order = binary.BigEndian
	default:
		return 0, textError("dbus: message header: endianness byte 0x" + strconv.FormatUint(uint64(hdr[0]), 16) +
			", want 'l' or 'B'")
	}
	if hdr[3] != 1 {
		return 0, textError("dbus: message header: protocol version " + strconv.Itoa(int(hdr[3])) + ", want 1")
	}
	body := uint64(order.Uint32(hdr[4:]))
	fields := uint64(order.Uint32(hdr[12:]))
	if fields > maxArrayLen {
		return 0, textError("dbus: message header: field array of " + strconv.FormatUint(fields, 10) +
			" bytes exceeds " + strconv.Itoa(maxArrayLen))
	}
	total := (headerLen+fields+7)&^7 + body
	if total > maxMessageLen {
		return 0, textError("dbus: message of " + strconv.FormatUint(total, 10) + " bytes exceeds " + strconv.Itoa(maxMessageLen))
	}
	return int(total), nil
}

// DecodeMessage decodes exactly one whole message, validating everything
// the specification requires; trailing bytes are an error. Unknown header
// fields are skipped, unknown types and flags are kept as they are.
func DecodeMessage(b []byte) (*Message, error) {
	total, err := MessageLength(b)
	if err != nil {
		return nil, err
	}
	if total != len(b) {
		return nil, textError("dbus: message header says " + strconv.Itoa(total) + " bytes, have " + strconv.Itoa(len(b)))
	}
	if b[1] == 0 {
		return nil, textError("dbus: message type 0 is invalid")
	}
	m := &Message{Type: MessageType(b[1]), Flags: b[2]}
	d := &decoder{buf: b, order: binary.LittleEndian}
	if b[0] == 'B' {
		d.order = binary.BigEndian
	}
	m.Order = d.order
	d.pos = 4
	bodyLen := int(d.u32())
	m.Serial = d.u32()
	if m.Serial == 0 {
		return nil, textError("dbus: message serial is 0")
	}
	hasSig := d.fields(m)
	d.align(8)
	if d.err != nil {
		return nil, d.err
	}
	if err := m.checkHeader(); err != nil {
		return nil, err
	}
	if !hasSig && bodyLen != 0 {
		return nil, textError("dbus: message has a " + strconv.Itoa(bodyLen) + "-byte body but no SIGNATURE field")
	}
	sig := string(m.Signature)
	if sig != "" {
		m.Body = make([]any, 0, countTypes(sig))
	}
	for i := 0; i < len(sig) && d.err == nil; {
		var v any
		v, i = d.value(sig, i, depth{})
		m.Body = append(m.Body, v)
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.pos != len(b) {
		return nil, textError(quoted("dbus: offset "+strconv.Itoa(d.pos)+": "+strconv.Itoa(len(b)-d.pos)+
			" bytes after the body of signature ", sig, ""))
	}
	return m, nil
}

// fields decodes the a(yv) header-field array into m; it reports whether a
// SIGNATURE field was present. Known fields are decoded straight into m;
// unknown ones are decoded as variants (so they are validated) and dropped.
func (d *decoder) fields(m *Message) bool {
	n := d.u32()
	if d.err != nil {
		return false
	}
	d.align(8)
	if uint64(n) > uint64(d.remaining()) {
		d.fail("header field array of " + strconv.FormatUint(uint64(n), 10) + " bytes exceeds the " +
			strconv.Itoa(d.remaining()) + " bytes left")
		return false
	}
	stop := d.pos + int(n)
	var seen [256]bool
	dp, _ := depth{}.enterArray()
	dp, _ = dp.enterStruct()
	for d.err == nil && d.pos < stop {
		d.align(8)
		code := d.u8()
		switch {
		case d.err != nil:
		case code == 0:
			d.fail("header field code 0 is invalid")
		case seen[code]:
			d.fail("header field " + strconv.Itoa(int(code)) + " appears twice")
		case int(code) >= len(fieldSig):
			d.variant(dp) // unknown field: validate, then skip
		default:
			d.knownField(m, code)
		}
		seen[code] = true
	}
	d.checkArrayEnd(stop)
	return seen[fieldSignature]
}

// knownField decodes the variant of a known header field, whose signature
// must be the field's type (message-protocol-header-fields).
func (d *decoder) knownField(m *Message, code byte) {
	sig := d.sig()
	if d.err == nil && sig != fieldSig[code] {
		d.fail("header field " + strconv.Itoa(int(code)) + quoted(": want signature ", fieldSig[code], "") +
			quoted(", got ", sig, ""))
	}
	if d.err != nil {
		return
	}
	switch code {
	case fieldPath:
		m.Path = d.objectPath()
	case fieldInterface:
		m.Interface = d.str("INTERFACE")
	case fieldMember:
		m.Member = d.str("MEMBER")
	case fieldErrorName:
		m.ErrorName = d.str("ERROR_NAME")
	case fieldReplySerial:
		m.ReplySerial = d.u32()
	case fieldDestination:
		m.Destination = d.str("DESTINATION")
	case fieldSender:
		m.Sender = d.str("SENDER")
	case fieldSignature:
		m.Signature = Signature(d.sig())
	case fieldUnixFDs:
		m.UnixFDs = d.u32()
		d.fds = m.UnixFDs // bounds the 'h' indexes of the body
	}
}
