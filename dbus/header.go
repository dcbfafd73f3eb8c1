package dbus

import (
	"encoding/binary"
	"strconv"
)

// checkHeader enforces the per-type required fields and the name grammars
// (message-protocol-header-fields, message-protocol-names). Unknown message
// types need nothing.
func (m *Message) checkHeader() error {
	missing := ""
	switch m.Type {
	case TypeMethodCall:
		missing = firstMissing(m.Path == "", "PATH", m.Member == "", "MEMBER")
	case TypeSignal:
		missing = firstMissing(m.Path == "", "PATH", m.Interface == "", "INTERFACE")
		if missing == "" && m.Member == "" {
			missing = "MEMBER"
		}
	case TypeError:
		missing = firstMissing(m.ErrorName == "", "ERROR_NAME", m.ReplySerial == 0, "REPLY_SERIAL")
	case TypeMethodReturn:
		missing = firstMissing(m.ReplySerial == 0, "REPLY_SERIAL", false, "")
	}
	if missing != "" {
		return textError("dbus: " + m.Type.String() + " message without " + missing)
	}
	err := checkIf(string(m.Path), checkObjectPath)
	if err == nil {
		err = checkIf(m.Interface, checkInterface)
	}
	if err == nil {
		err = checkIf(m.Member, checkMember)
	}
	if err == nil {
		err = checkIf(m.ErrorName, checkErrorName)
	}
	if err == nil {
		err = checkIf(m.Destination, checkBusName)
	}
	if err == nil {
		err = checkIf(m.Sender, checkBusName)
	}
	if err == nil {
		err = checkIf(string(m.Signature), checkSignature)
	}
	if err != nil {
		return textError("dbus: " + m.Type.String() + " message: " + err.Error())
	}
	if m.Path == localPath || m.Interface == localInterface {
		return textError("dbus: " + m.Type.String() + " message uses the reserved path or interface org.freedesktop.DBus.Local")
	}
	return nil
}

func firstMissing(aMissing bool, a string, bMissing bool, b string) string {
	switch {
	case aMissing:
		return a
	case bMissing:
		return b
	}
	return ""
}

// checkIf validates set (non-empty) header values only.
func checkIf(v string, check func(string) error) error {
	if v == "" {
		return nil
	}
	return check(v)
}

// Encode marshals m in the given byte order. The body is marshalled by
// m.Signature; the header fields are written in code order, only when set.
func (m *Message) Encode(order binary.ByteOrder) ([]byte, error) {
	if m.Serial == 0 {
		return nil, textError("dbus: encode: serial is 0")
	}
	if m.Type == 0 {
		return nil, textError("dbus: encode: message type 0 is invalid")
	}
	if err := m.checkHeader(); err != nil {
		return nil, err
	}
	endian, err := endianByte(order)
	if err != nil {
		return nil, err
	}
	ao, ok := order.(byteOrder)
	if !ok {
		return nil, textError("dbus: encode: byte order " + order.String() + " cannot append")
	}
	body := encoder{order: ao, buf: make([]byte, 0, 256)}
	if err := encodeBody(&body, string(m.Signature), m.Body); err != nil {
		return nil, err
	}
	e := encoder{order: ao, buf: make([]byte, 0, 128+len(body.buf))}
	e.buf = append(e.buf, endian, byte(m.Type), m.Flags, 1)
	e.u32(uint32(len(body.buf)))
	e.u32(m.Serial)
	m.writeFields(&e)
	e.align(8)
	if e.err != nil {
		return nil, e.err
	}
	if uint64(len(e.buf))+uint64(len(body.buf)) > maxMessageLen {
		return nil, textError("dbus: encode: message of " + strconv.Itoa(len(e.buf)+len(body.buf)) +
			" bytes exceeds " + strconv.Itoa(maxMessageLen))
	}
	return append(e.buf, body.buf...), nil
}

// writeFields writes the a(yv) header-field array directly (no boxing in
// Variant values): the set fields in code order, each struct 8-aligned.
func (m *Message) writeFields(e *encoder) {
	e.u32(0) // array length, patched below
	lenAt := len(e.buf) - 4
	start := len(e.buf) // 16: already 8-aligned for the first struct
	for code := byte(fieldPath); int(code) < len(fieldSig); code++ {
		s, u := m.field(code)
		if s == "" && u == 0 {
			continue // unset
		}
		e.align(8)
		e.buf = append(e.buf, code, 1, fieldSig[code][0], 0)
		switch fieldSig[code] {
		case "u":
			e.u32(u)
		case "g":
			e.sig(s)
		default:
			e.str(s, "header field")
		}
	}
	e.order.PutUint32(e.buf[lenAt:], uint32(len(e.buf)-start))
}

// field returns the value of header field code, a string or (for the 'u'
// fields) a number; both are zero when the field is unset.
func (m *Message) field(code byte) (string, uint32) {
	switch code {
	case fieldPath:
		return string(m.Path), 0
	case fieldInterface:
		return m.Interface, 0
	case fieldMember:
		return m.Member, 0
	case fieldErrorName:
		return m.ErrorName, 0
	case fieldReplySerial:
		return "", m.ReplySerial
	case fieldDestination:
		return m.Destination, 0
	case fieldSender:
		return m.Sender, 0
	case fieldSignature:
		return string(m.Signature), 0
	case fieldUnixFDs:
		return "", m.UnixFDs
	}
	return "", 0
}

// endianByte probes order instead of comparing it, so binary.NativeEndian
// works too.
func endianByte(order binary.ByteOrder) (byte, error) {
	switch order {
	case nil:
		return 0, textError("dbus: encode: no byte order")
	case binary.LittleEndian:
		return 'l', nil
	case binary.BigEndian:
		return 'B', nil
	}
	var b [2]byte
	order.PutUint16(b[:], 0x0102)
	switch b {
	case [2]byte{2, 1}:
		return 'l', nil
	case [2]byte{1, 2}:
		return 'B', nil
	}
	return 0, textError("dbus: encode: byte order " + order.String() + " is neither little nor big endian")
}
