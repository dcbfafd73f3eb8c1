package dbus

import (
	"errors"
	"strconv"
)

// ObjectPath is a D-Bus object path (type code 'o').
type ObjectPath string

// Valid reports whether p is a syntactically valid object path.
func (p ObjectPath) Valid() bool { return checkObjectPath(string(p)) == nil }

// Signature is a D-Bus type signature (type code 'g'): zero or more complete types.
type Signature string

// Valid reports whether s is a valid signature (syntax, length and depth).
func (s Signature) Valid() bool { return checkSignature(string(s)) == nil }

// Variant is a value together with its own signature (type code 'v').
// Sig must be exactly one complete type.
type Variant struct {
	Sig   Signature
	Value any
}

// String formats the variant for logs, e.g. `s "routable"`.
func (v Variant) String() string { return string(v.Sig) + " " + goSyntax(v.Value) }

// Struct is a STRUCT value: its fields in order.
type Struct []any

// DictEntry is one entry of an a{..} array.
type DictEntry struct {
	Key, Value any
}

// UnixFD is a 'h' value: an index into the message's file descriptors. This
// package never negotiates fd passing, so it only ever carries the raw index.
type UnixFD uint32

// MessageType is the second header byte (message-protocol-messages).
type MessageType byte

// Message types. Other values are valid on the wire and ignored by Conn.
const (
	TypeMethodCall   MessageType = 1
	TypeMethodReturn MessageType = 2
	TypeError        MessageType = 3
	TypeSignal       MessageType = 4
)

// String names the type as the specification does.
func (t MessageType) String() string {
	switch t {
	case TypeMethodCall:
		return "method_call"
	case TypeMethodReturn:
		return "method_return"
	case TypeError:
		return "error"
	case TypeSignal:
		return "signal"
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Header flags (message-protocol-messages). Unknown flags are ignored.
const (
	FlagNoReplyExpected               byte = 0x1
	FlagNoAutoStart                   byte = 0x2
	FlagAllowInteractiveAuthorization byte = 0x4
)

// Error is a D-Bus ERROR reply turned into a Go error.
type Error struct {
	Name    string // e.g. org.freedesktop.DBus.Error.NameHasNoOwner
	Message string // the first body argument when it is a string
}

// Error formats the reply as "dbus: Name: Message".
func (e *Error) Error() string {
	if e.Message == "" {
		return "dbus: " + e.Name
	}
	return "dbus: " + e.Name + ": " + e.Message
}

// textError is an error that is only its text, as errors.New makes. The
// package has some eighty messages: errors.New is inlined at each as an
// allocation and a write barrier, where converting to textError is one
// runtime call.
type textError string

func (e textError) Error() string { return string(e) }

// wrapError reads as fmt.Errorf("prefix: %w", err) did and unwraps to err
// for errors.Is and errors.As. The text is joined when asked for: building
// it inside wrap put that code at every caller.
type wrapError struct {
	prefix string
	err    error
}

func (e *wrapError) Error() string { return e.prefix + ": " + e.err.Error() }
func (e *wrapError) Unwrap() error { return e.err }

// wrap returns an error reading "prefix: " + err.Error() that unwraps to err.
func wrap(prefix string, err error) error {
	return &wrapError{prefix, err}
}

// Well-known error names used by this package and its callers.
const (
	ErrorNoReply         = "org.freedesktop.DBus.Error.NoReply"
	ErrorNameHasNoOwner  = "org.freedesktop.DBus.Error.NameHasNoOwner"
	ErrorServiceUnknown  = "org.freedesktop.DBus.Error.ServiceUnknown"
	ErrorUnknownMethod   = "org.freedesktop.DBus.Error.UnknownMethod"
	ErrorUnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty"
)

// IsError reports whether err is (or wraps) a D-Bus error reply named name.
func IsError(err error, name string) bool {
	var e *Error
	return errors.As(err, &e) && e.Name == name
}
