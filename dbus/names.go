package dbus

import (
	"strconv"
	"strings"
)

// Name rules from message-protocol-names and message-protocol-marshaling-object-path.

const maxNameLen = 255

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// badName is the error of a failed check of s: `kind "s": msg`. Every check
// builds its message here rather than at each of its many returns.
func badName(kind, s, msg string) error {
	return textError(kind + " " + strconv.Quote(s) + ": " + msg)
}

// quoted returns before + strconv.Quote(s) + after, the shape of most
// messages that show a bad value. Quoting inlines a good deal of code, so
// it is done here once rather than at each message.
func quoted(before, s, after string) string {
	return before + strconv.Quote(s) + after
}

// badByte names an offending byte c at index i for badName: `byte 3 ('-')`.
func badByte(i int, c byte) string {
	return "byte " + strconv.Itoa(i) + " (" + strconv.QuoteRune(rune(c)) + ")"
}

// checkObjectPath: "/" or "/"-separated non-empty [A-Za-z0-9_] elements.
func checkObjectPath(p string) error {
	if p == "/" {
		return nil
	}
	bad := func(msg string) error { return badName("object path", p, msg) }
	if p == "" || p[0] != '/' {
		return bad("must start with '/'")
	}
	if p[len(p)-1] == '/' {
		return bad("trailing '/'")
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c == '/' {
			if p[i-1] == '/' {
				return bad("empty element")
			}
			continue
		}
		if !isAlnum(c) {
			return bad(badByte(i, c) + " not in [A-Za-z0-9_/]")
		}
	}
	return nil
}

// checkElements validates dot-separated elements shared by interface, error
// and bus names. dash allows '-', digitStart allows elements to start with a
// digit (unique names only).
func checkElements(kind, s string, dash, digitStart bool) error {
	bad := func(msg string) error { return badName(kind, s, msg) }
	if len(s) == 0 || len(s) > maxNameLen {
		return bad("length " + strconv.Itoa(len(s)) + " not in 1.." + strconv.Itoa(maxNameLen))
	}
	elems := 1
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if start {
				return bad("empty element")
			}
			elems++
			start = true
			continue
		case isDigit(c) && start && !digitStart:
			return bad("element starts with a digit")
		case isAlnum(c), dash && c == '-':
		default:
			return bad(badByte(i, c) + " not allowed")
		}
		start = false
	}
	if start {
		return bad("empty element")
	}
	if elems < 2 {
		return bad("needs at least two elements")
	}
	return nil
}

// checkInterface validates an interface name (also used for error names).
func checkInterface(s string) error { return checkElements("interface name", s, false, false) }

// checkErrorName validates an error name: same grammar as an interface.
func checkErrorName(s string) error { return checkElements("error name", s, false, false) }

// checkBusName validates a unique (":1.42") or well-known bus name.
func checkBusName(s string) error {
	if strings.HasPrefix(s, ":") {
		return checkElements("unique bus name", s[1:], true, true)
	}
	return checkElements("bus name", s, true, false)
}

// checkMember validates a member (method or signal) name: one element.
func checkMember(s string) error {
	bad := func(msg string) error { return badName("member name", s, msg) }
	if len(s) == 0 || len(s) > maxNameLen {
		return bad("length " + strconv.Itoa(len(s)) + " not in 1.." + strconv.Itoa(maxNameLen))
	}
	if isDigit(s[0]) {
		return bad("starts with a digit")
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return bad(badByte(i, s[i]) + " not in [A-Za-z0-9_]")
		}
	}
	return nil
}

// Reserved by message-protocol-names: never sent by a conforming peer.
const (
	localPath      = "/org/freedesktop/DBus/Local"
	localInterface = "org.freedesktop.DBus.Local"
)

// PathEscape turns an arbitrary string into one object path element the way
// sd_bus_path_encode does: bytes outside [A-Za-z0-9], and a leading digit,
// become _XX (lower-case hex); "" becomes "_". networkd's link paths use it
// (ifindex 2 -> "_32").
func PathEscape(s string) string {
	if s == "" {
		return "_"
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) && i > 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
