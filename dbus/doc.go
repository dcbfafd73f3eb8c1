// Package dbus is a minimal D-Bus client: bus addresses, a unix-socket
// transport, SASL EXTERNAL authentication, marshalling driven by signatures,
// method calls with timeouts, signals, match rules and the Properties
// interface.
//
// It follows the D-Bus Specification v0.36; comments name its section ids
// (message-protocol-marshaling, message-protocol-messages, auth-protocol, ...).
//
// # Values
//
// Values are plain Go values chosen by type code:
//
//	y byte      b bool      n int16    q uint16   i int32    u uint32
//	x int64     t uint64    d float64  s string   o ObjectPath
//	g Signature v Variant   h UnixFD   (...) Struct
//	ay []byte   a{..} []DictEntry (wire order kept)   other arrays []any
//
// When marshalling, []string (as), []int32 (ai), []uint32 (au),
// []ObjectPath (ao) and map[string]Variant (a{sv}, written sorted by key) are
// accepted too, and []any is accepted for a struct.
//
// # Connections
//
// Dial("") connects to $DBUS_SYSTEM_BUS_ADDRESS, or to
// unix:path=/run/dbus/system_bus_socket when it is unset. Every call
// has a deadline (DefaultTimeout when the context has none). A lost
// connection closes Done and Signals and fails pending calls; Err says why,
// and the caller reconnects and resynchronises. Signals never block the
// reader: when the queue is full they are dropped, counted by Dropped and
// announced on Overflow, which also means "resynchronise".
//
// The bus puts the sender's unique name in SENDER, never a well-known name:
// track a service's owner with WatchNameOwner and ParseNameOwnerChanged and
// accept its signals only when Message.Sender equals that owner.
//
// # Invariants
//
// Every length is checked against the specification's caps (message 128 MiB,
// array 64 MiB, signature 255 bytes, nesting 32 arrays + 32 structs, 64 in
// total) before any arithmetic that could overflow and before any
// allocation. Decoding never panics; padding must be NUL, strings strict
// UTF-8 without NUL, booleans 0 or 1. Unknown message types, flags and header
// fields are ignored as the specification says; a malformed message drops
// the connection.
package dbus
