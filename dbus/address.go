package dbus

import (
	"os"
	"strconv"
	"strings"
)

// DefaultSystemBusAddress is used when DBUS_SYSTEM_BUS_ADDRESS is unset
// (message-bus-types-system names /var/run/dbus/...; /run is where it
// really lives, and minimal images often lack the /var/run symlink).
const DefaultSystemBusAddress = "unix:path=/run/dbus/system_bus_socket"

// Address is one entry of a server address (addresses): a transport and
// its unescaped key/value parameters.
type Address struct {
	Transport string
	Params    map[string]string
}

// SystemBusAddress returns $DBUS_SYSTEM_BUS_ADDRESS or the default.
func SystemBusAddress() string {
	if a := os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"); a != "" {
		return a
	}
	return DefaultSystemBusAddress
}

// ParseAddress splits a ';'-separated list of "transport:key=value,..."
// entries and unescapes the %xx sequences of the values. Like libdbus it
// requires every byte outside [-0-9A-Za-z_/.\*] to be escaped, and rejects
// empty keys and duplicate keys. Empty entries are skipped.
func ParseAddress(s string) ([]Address, error) {
	var out []Address
	for _, entry := range strings.Split(s, ";") {
		if entry == "" {
			continue
		}
		bad := func(msg string) error { return badName("dbus: address", entry, msg) }
		transport, rest, ok := strings.Cut(entry, ":")
		if !ok || transport == "" {
			return nil, bad("want transport:key=value")
		}
		a := Address{Transport: transport, Params: map[string]string{}}
		if rest != "" {
			for _, kv := range strings.Split(rest, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return nil, bad(quoted("parameter ", kv, ": want key=value"))
				}
				if _, dup := a.Params[k]; dup {
					return nil, bad(quoted("key ", k, " given twice"))
				}
				u, err := unescapeValue(v)
				if err != nil {
					return nil, bad(quoted("key ", k, ": "+err.Error()))
				}
				a.Params[k] = u
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, badName("dbus: address", s, "no entries")
	}
	return out, nil
}

func optionallyEscaped(c byte) bool {
	return isAlnum(c) || c == '-' || c == '/' || c == '.' || c == '\\' || c == '*'
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unescapeValue(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !optionallyEscaped(c) {
			if c != '%' {
				return "", textError(badByte(i, c) + " must be %-escaped")
			}
			if i+2 >= len(v) {
				return "", textError("byte " + strconv.Itoa(i) + ": truncated %-escape")
			}
			hi, ok1 := unhex(v[i+1])
			lo, ok2 := unhex(v[i+2])
			if !ok1 || !ok2 {
				return "", textError(quoted("byte "+strconv.Itoa(i)+": bad %-escape ", v[i:i+3], ""))
			}
			c = hi<<4 | lo
			i += 2
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// EscapeValue %-escapes a value for use in an address.
func EscapeValue(v string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if optionallyEscaped(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
