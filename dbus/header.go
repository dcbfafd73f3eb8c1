package dbus

import (
	"encoding/binary"
	"fmt"
)

// checkHeader enforces the per-type required fields and the name grammars
// (message-protocol-header-fields, message-protocol-names). Unknown message
// types need nothing.
func (m *Message) checkHeader() error {
	need := func(ok bool, field string) error {
		if !ok {
			return fmt.Errorf("dbus: %s message without %s", m.Type, field)
		}
		return nil
	}
	var errs []error
	switch m.Type {
	case TypeMethodCall:
		errs = append(errs, need(m.Path != "", "PATH"), need(m.Member != "", "MEMBER"))
	case TypeSignal:
		errs = append(errs, need(m.Path != "", "PATH"), need(m.Interface != "", "INTERFACE"),
			need(m.Member != "", "MEMBER"))
	case TypeError:
		errs = append(errs, need(m.ErrorName != "", "ERROR_NAME"), need(m.ReplySerial != 0, "REPLY_SERIAL"))
	case TypeMethodReturn:
		errs = append(errs, need(m.ReplySerial != 0, "REPLY_SERIAL"))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	checks := []struct {
		val   string
		check func(string) error
	}{
		{string(m.Path), checkObjectPath},
		{m.Interface, checkInterface},
		{m.Member, checkMember},
		{m.ErrorName, checkErrorName},
		{m.Destination, checkBusName},
		{m.Sender, checkBusName},
		{string(m.Signature), checkSignature},
	}
	for _, c := range checks {
		if c.val == "" {
			continue
		}
		if err := c.check(c.val); err != nil {
			return fmt.Errorf("dbus: %s message: %v", m.Type, err)
		}
	}
	if m.Path == localPath || m.Interface == localInterface {
		return fmt.Errorf("dbus: %s message uses the reserved path or interface org.freedesktop.DBus.Local", m.Type)
	}
	return nil
}

// Encode marshals m in the given byte order. The body is marshalled by
// m.Signature; the header fields are written in code order, only when set.
func (m *Message) Encode(order binary.ByteOrder) ([]byte, error) {
	if m.Serial == 0 {
		return nil, fmt.Errorf("dbus: encode: serial is 0")
	}
	if m.Type == 0 {
		return nil, fmt.Errorf("dbus: encode: message type 0 is invalid")
	}
	if err := m.checkHeader(); err != nil {
		return nil, err
	}
	body := &encoder{order: order}
	if err := encodeBody(body, string(m.Signature), m.Body); err != nil {
		return nil, err
	}
	e := &encoder{order: order, buf: make([]byte, 0, 128+len(body.buf))}
	endian, err := endianByte(order)
	if err != nil {
		return nil, err
	}
	e.buf = append(e.buf, endian, byte(m.Type), m.Flags, 1)
	e.u32(uint32(len(body.buf)))
	e.u32(m.Serial)
	e.array("a(yv)", 0, m.headerFields(), depth{})
	e.align(8)
	if e.err != nil {
		return nil, e.err
	}
	if uint64(len(e.buf))+uint64(len(body.buf)) > maxMessageLen {
		return nil, fmt.Errorf("dbus: encode: message of %d bytes exceeds %d", len(e.buf)+len(body.buf), maxMessageLen)
	}
	return append(e.buf, body.buf...), nil
}

// headerFields lists the set fields as a(yv) structs.
func (m *Message) headerFields() []any {
	var f []any
	add := func(code byte, sig Signature, v any) {
		f = append(f, Struct{code, Variant{Sig: sig, Value: v}})
	}
	if m.Path != "" {
		add(fieldPath, "o", m.Path)
	}
	if m.Interface != "" {
		add(fieldInterface, "s", m.Interface)
	}
	if m.Member != "" {
		add(fieldMember, "s", m.Member)
	}
	if m.ErrorName != "" {
		add(fieldErrorName, "s", m.ErrorName)
	}
	if m.ReplySerial != 0 {
		add(fieldReplySerial, "u", m.ReplySerial)
	}
	if m.Destination != "" {
		add(fieldDestination, "s", m.Destination)
	}
	if m.Sender != "" {
		add(fieldSender, "s", m.Sender)
	}
	if m.Signature != "" {
		add(fieldSignature, "g", m.Signature)
	}
	if f == nil {
		f = []any{}
	}
	return f
}

// endianByte probes order instead of comparing it, so binary.NativeEndian
// works too.
func endianByte(order binary.ByteOrder) (byte, error) {
	if order == nil {
		return 0, fmt.Errorf("dbus: encode: no byte order")
	}
	var b [2]byte
	order.PutUint16(b[:], 0x0102)
	switch b {
	case [2]byte{2, 1}:
		return 'l', nil
	case [2]byte{1, 2}:
		return 'B', nil
	}
	return 0, fmt.Errorf("dbus: encode: byte order %v is neither little nor big endian", order)
}
