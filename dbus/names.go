package dbus

import (
	"fmt"
	"strings"
)

// Name rules from message-protocol-names and message-protocol-marshaling-object-path.

const maxNameLen = 255

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// checkObjectPath: "/" or "/"-separated non-empty [A-Za-z0-9_] elements.
func checkObjectPath(p string) error {
	if p == "/" {
		return nil
	}
	if p == "" || p[0] != '/' {
		return fmt.Errorf("object path %q: must start with '/'", p)
	}
	if p[len(p)-1] == '/' {
		return fmt.Errorf("object path %q: trailing '/'", p)
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c == '/' {
			if p[i-1] == '/' {
				return fmt.Errorf("object path %q: empty element", p)
			}
			continue
		}
		if !isAlnum(c) {
			return fmt.Errorf("object path %q: byte %d (%q) not in [A-Za-z0-9_/]", p, i, c)
		}
	}
	return nil
}

// checkElements validates dot-separated elements shared by interface, error
// and bus names. dash allows '-', digitStart allows elements to start with a
// digit (unique names only).
func checkElements(kind, s string, dash, digitStart bool) error {
	if len(s) == 0 || len(s) > maxNameLen {
		return fmt.Errorf("%s %q: length %d not in 1..%d", kind, s, len(s), maxNameLen)
	}
	elems := 1
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if start {
				return fmt.Errorf("%s %q: empty element", kind, s)
			}
			elems++
			start = true
			continue
		case isDigit(c) && start && !digitStart:
			return fmt.Errorf("%s %q: element starts with a digit", kind, s)
		case isAlnum(c), dash && c == '-':
		default:
			return fmt.Errorf("%s %q: byte %d (%q) not allowed", kind, s, i, c)
		}
		start = false
	}
	if start {
		return fmt.Errorf("%s %q: empty element", kind, s)
	}
	if elems < 2 {
		return fmt.Errorf("%s %q: needs at least two elements", kind, s)
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
	if len(s) == 0 || len(s) > maxNameLen {
		return fmt.Errorf("member name %q: length %d not in 1..%d", s, len(s), maxNameLen)
	}
	if isDigit(s[0]) {
		return fmt.Errorf("member name %q: starts with a digit", s)
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return fmt.Errorf("member name %q: byte %d (%q) not in [A-Za-z0-9_]", s, i, s[i])
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
