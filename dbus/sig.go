package dbus

import (
	"strconv"
)

// Limits from message-protocol-marshaling and message-protocol-messages.
const (
	maxSignatureLen = 255
	maxArrayDepth   = 32
	maxStructDepth  = 32
	maxTotalDepth   = 64      // arrays + structs + variants
	maxArrayLen     = 1 << 26 // 64 MiB of elements
	maxMessageLen   = 1 << 27 // 128 MiB, header and body
)

// depth counts the containers around a value, as a value passed down the
// recursion (the zbus container_depths.rs idea): every enter* fails at the
// limit, so recursion on hostile input is bounded by the caps.
type depth struct {
	array, strct, variant int
}

func (d depth) total() int { return d.array + d.strct + d.variant }

func (d depth) enterArray() (depth, error) {
	d.array++
	if d.array > maxArrayDepth {
		return d, textError("more than " + strconv.Itoa(maxArrayDepth) + " nested arrays")
	}
	return d, d.checkTotal()
}

func (d depth) enterStruct() (depth, error) {
	d.strct++
	if d.strct > maxStructDepth {
		return d, textError("more than " + strconv.Itoa(maxStructDepth) + " nested structs")
	}
	return d, d.checkTotal()
}

func (d depth) enterVariant() (depth, error) {
	d.variant++
	return d, d.checkTotal()
}

func (d depth) checkTotal() error {
	if d.total() > maxTotalDepth {
		return textError("more than " + strconv.Itoa(maxTotalDepth) + " nested containers")
	}
	return nil
}

// isBasic reports whether c is a basic type code (valid as a dict key).
func isBasic(c byte) bool {
	switch c {
	case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 's', 'o', 'g', 'h':
		return true
	}
	return false
}

// alignOf is the wire alignment of the type starting with code c.
func alignOf(c byte) int {
	switch c {
	case 'n', 'q':
		return 2
	case 'b', 'i', 'u', 's', 'o', 'h', 'a':
		return 4
	case 'x', 't', 'd', '(', '{':
		return 8
	}
	return 1 // y g v
}

// checkSignature validates a whole signature: zero or more complete types.
func checkSignature(s string) error {
	if len(s) > maxSignatureLen {
		return textError("signature of " + strconv.Itoa(len(s)) + " bytes exceeds " + strconv.Itoa(maxSignatureLen))
	}
	for i := 0; i < len(s); {
		next, err := parseType(s, i, depth{})
		if err != nil {
			return err
		}
		i = next
	}
	return nil
}

// checkSingle validates a signature holding exactly one complete type, as a
// variant's signature must.
func checkSingle(s string) error {
	if err := checkSignature(s); err != nil {
		return err
	}
	if s == "" {
		return textError("signature is empty, want one complete type")
	}
	if end, _ := parseType(s, 0, depth{}); end != len(s) {
		return textError(quoted("signature ", s, " holds more than one complete type"))
	}
	return nil
}

// parseType checks the complete type at s[i:] and returns the index after it.
func parseType(s string, i int, d depth) (int, error) {
	if i >= len(s) {
		return i, badSignature(s, "missing type at byte "+strconv.Itoa(i))
	}
	c := s[i]
	switch {
	case isBasic(c) || c == 'v':
		return i + 1, nil
	case c == 'a':
		d, err := d.enterArray()
		if err != nil {
			return i, badSignature(s, err.Error())
		}
		if i+1 < len(s) && s[i+1] == '{' {
			return parseDictEntry(s, i+1, d)
		}
		return parseType(s, i+1, d)
	case c == '(':
		d, err := d.enterStruct()
		if err != nil {
			return i, badSignature(s, err.Error())
		}
		j := i + 1
		if j < len(s) && s[j] == ')' {
			return j, badSignature(s, "empty struct at byte "+strconv.Itoa(i))
		}
		for j < len(s) && s[j] != ')' {
			if j, err = parseType(s, j, d); err != nil {
				return j, err
			}
		}
		if j >= len(s) {
			return j, badSignature(s, "struct at byte "+strconv.Itoa(i)+" not closed")
		}
		return j + 1, nil
	case c == '{':
		return i, badSignature(s, "dict entry at byte "+strconv.Itoa(i)+" outside an array")
	}
	return i, badSignature(s, "invalid type code "+strconv.QuoteRune(rune(c))+" at byte "+strconv.Itoa(i))
}

func badSignature(s, msg string) error { return badName("signature", s, msg) }

// parseDictEntry checks "{KV}" at s[i:], where the caller saw the 'a'.
func parseDictEntry(s string, i int, d depth) (int, error) {
	d, err := d.enterStruct()
	if err != nil {
		return i, badSignature(s, err.Error())
	}
	j := i + 1
	if j >= len(s) || !isBasic(s[j]) {
		return j, badSignature(s, "dict entry at byte "+strconv.Itoa(i)+" needs a basic key type")
	}
	if j+1 < len(s) && s[j+1] == '}' {
		return j, badSignature(s, "dict entry at byte "+strconv.Itoa(i)+" needs exactly two types, has one")
	}
	if j, err = parseType(s, j+1, d); err != nil {
		return j, err
	}
	if j >= len(s) || s[j] != '}' {
		return j, badSignature(s, "dict entry at byte "+strconv.Itoa(i)+" needs exactly two types and '}'")
	}
	return j + 1, nil
}

// typeEnd returns the index after the complete type at s[i:] of a signature
// already validated; it does no checking.
func typeEnd(s string, i int) int {
	switch s[i] {
	case 'a':
		return typeEnd(s, i+1)
	case '(', '{':
		j := i + 1
		for s[j] != ')' && s[j] != '}' {
			j = typeEnd(s, j)
		}
		return j + 1
	}
	return i + 1
}

// countTypes returns the number of complete types in a validated signature.
func countTypes(s string) int {
	n := 0
	for i := 0; i < len(s); i = typeEnd(s, i) {
		n++
	}
	return n
}
