package main

import (
	"strconv"
	"unicode/utf8"
)

// A small JSON writer: the link object (§6) and JSON logs need only objects,
// arrays, strings, numbers and booleans, and encoding/json would pull
// reflection into the binary.

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// jsonObj builds one JSON object; fields are written in call order.
type jsonObj struct {
	b     []byte
	first bool
}

func newObj(b []byte) *jsonObj { return &jsonObj{b: append(b, '{'), first: true} }

func (o *jsonObj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObj) Str(k, v string) { o.key(k); o.b = appendJSONString(o.b, v) }

// StrOpt writes the field only when v is not empty.
func (o *jsonObj) StrOpt(k, v string) {
	if v != "" {
		o.Str(k, v)
	}
}

func (o *jsonObj) Int(k string, v int64)   { o.key(k); o.b = strconv.AppendInt(o.b, v, 10) }
func (o *jsonObj) Uint(k string, v uint64) { o.key(k); o.b = strconv.AppendUint(o.b, v, 10) }
func (o *jsonObj) Bool(k string, v bool)   { o.key(k); o.b = strconv.AppendBool(o.b, v) }

// Raw writes an already encoded JSON value.
func (o *jsonObj) Raw(k string, v []byte) { o.key(k); o.b = append(o.b, v...) }

// Strs writes an array of strings.
func (o *jsonObj) Strs(k string, l []string) {
	o.key(k)
	o.b = append(o.b, '[')
	for i, s := range l {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, s)
	}
	o.b = append(o.b, ']')
}

// Close ends the object and returns the buffer.
func (o *jsonObj) Close() []byte { return append(o.b, '}') }
