package dbus

import (
	"math"
	"slices"
	"strconv"
)

// value encodes v as the complete type sig[i:] (sig already validated) and
// returns the index after the type.
func (e *encoder) value(sig string, i int, v any, dp depth) int {
	if e.err != nil {
		return typeEnd(sig, i)
	}
	c := sig[i]
	ok := true
	switch c {
	case 'y', 'b', 'n', 'q', 'i', 'u', 'h', 'x', 't', 'd':
		code, bits := fixedBits(v)
		if ok = code == c; !ok {
			break
		}
		switch alignOf(c) {
		case 1:
			e.u8(byte(bits))
		case 2:
			e.u16(uint16(bits))
		case 4:
			e.u32(uint32(bits))
		case 8:
			e.u64(bits)
		}
	case 's':
		var x string
		if x, ok = v.(string); ok {
			e.str(x, "string")
		}
	case 'o':
		switch x := v.(type) {
		case ObjectPath:
			e.objectPath(string(x))
		case string:
			e.objectPath(x)
		default:
			ok = false
		}
	case 'g':
		switch x := v.(type) {
		case Signature:
			e.sig(string(x))
		case string:
			e.sig(x)
		default:
			ok = false
		}
	case 'v':
		var x Variant
		if x, ok = v.(Variant); ok {
			e.variant(x, dp)
		}
	case 'a':
		return e.array(sig, i, v, dp)
	case '(':
		return e.structure(sig, i, v, dp)
	default:
		e.fail("unexpected type code " + strconv.QuoteRune(rune(c)))
	}
	if !ok {
		e.wrongType("type '"+sig[i:i+1]+"'", goTypeOf(c), v)
	}
	return i + 1
}

// wrongType fails with "<what> wants <want>, got <v's Go type>".
func (e *encoder) wrongType(what, want string, v any) {
	e.fail(what + " wants " + want + ", got " + typeName(v))
}

// fixedBits returns the type code of a fixed-size basic value and its bits
// as the wire holds them, or code 0 for a value of any other Go type.
func fixedBits(v any) (code byte, bits uint64) {
	switch x := v.(type) {
	case byte:
		return 'y', uint64(x)
	case bool:
		if x {
			return 'b', 1
		}
		return 'b', 0
	case int16:
		return 'n', uint64(uint16(x))
	case uint16:
		return 'q', uint64(x)
	case int32:
		return 'i', uint64(uint32(x))
	case uint32:
		return 'u', uint64(x)
	case UnixFD:
		return 'h', uint64(x)
	case int64:
		return 'x', uint64(x)
	case uint64:
		return 't', x
	case float64:
		return 'd', math.Float64bits(x)
	}
	return 0, 0
}

// goTypeOf names the Go type the encoder wants for a single-letter type code.
func goTypeOf(c byte) string {
	switch c {
	case 'y':
		return "byte"
	case 'b':
		return "bool"
	case 'n':
		return "int16"
	case 'q':
		return "uint16"
	case 'i':
		return "int32"
	case 'u':
		return "uint32"
	case 'h':
		return "dbus.UnixFD"
	case 'x':
		return "int64"
	case 't':
		return "uint64"
	case 'd':
		return "float64"
	case 's':
		return "string"
	case 'o':
		return "dbus.ObjectPath"
	case 'g':
		return "dbus.Signature"
	case 'v':
		return "dbus.Variant"
	}
	return ""
}

func (e *encoder) objectPath(p string) {
	if err := checkObjectPath(p); err != nil {
		e.fail(err.Error())
		return
	}
	e.str(p, "object path")
}

func (e *encoder) variant(x Variant, dp depth) {
	if err := checkSingle(string(x.Sig)); err != nil {
		e.fail("variant: " + err.Error())
		return
	}
	dp, err := dp.enterVariant()
	if err != nil {
		e.fail("variant: " + err.Error())
		return
	}
	e.sig(string(x.Sig))
	e.value(string(x.Sig), 0, x.Value, dp)
}

func (e *encoder) structure(sig string, i int, v any, dp depth) int {
	end := typeEnd(sig, i)
	var fields []any
	switch x := v.(type) {
	case Struct:
		fields = x
	case []any:
		fields = x
	default:
		e.wrongType("type "+sig[i:end], "dbus.Struct", v)
		return end
	}
	dp, err := dp.enterStruct()
	if err != nil {
		e.fail(err.Error())
		return end
	}
	e.align(8)
	j, n := i+1, 0
	for ; sig[j] != ')' && n < len(fields); n++ {
		j = e.value(sig, j, fields[n], dp)
	}
	if sig[j] != ')' || n != len(fields) {
		e.fail("struct " + sig[i:end] + ": got " + strconv.Itoa(len(fields)) + " fields")
	}
	return end
}

// array writes the length word, the element padding (even when empty), the
// elements, then patches the length; it accepts the Go shapes listed in the
// package documentation.
func (e *encoder) array(sig string, i int, v any, dp depth) int {
	end := typeEnd(sig, i)
	dp, err := dp.enterArray()
	if err != nil {
		e.fail(err.Error())
		return end
	}
	e.u32(0)
	lenAt := len(e.buf) - 4
	e.align(alignOf(sig[i+1]))
	start := len(e.buf)
	if !e.elements(sig, i+1, v, dp) {
		e.fail("type " + sig[i:end] + ": cannot encode " + typeName(v))
	}
	n := len(e.buf) - start
	if n > maxArrayLen {
		e.fail("array " + sig[i:end] + " of " + strconv.Itoa(n) + " bytes exceeds " + strconv.Itoa(maxArrayLen))
	}
	if e.err == nil {
		e.order.PutUint32(e.buf[lenAt:], uint32(n))
	}
	return end
}

// elements encodes the array body for element type sig[j:]; false means the
// Go type does not fit.
func (e *encoder) elements(sig string, j int, v any, dp depth) bool {
	elem := sig[j:typeEnd(sig, j)]
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			e.element(sig, j, item, dp)
		}
	case []DictEntry:
		if sig[j] != '{' {
			return false
		}
		for _, item := range x {
			e.dictEntry(sig, j, item, dp)
		}
	case []byte:
		if elem != "y" {
			return false
		}
		e.buf = append(e.buf, x...)
	case []string:
		if elem != "s" {
			return false
		}
		for _, s := range x {
			e.str(s, "string")
		}
	case []int32:
		if elem != "i" {
			return false
		}
		for _, n := range x {
			e.u32(uint32(n))
		}
	case []uint32:
		if elem != "u" {
			return false
		}
		for _, n := range x {
			e.u32(n)
		}
	case []ObjectPath:
		if elem != "o" {
			return false
		}
		for _, p := range x {
			e.objectPath(string(p))
		}
	case map[string]Variant:
		if elem != "{sv}" {
			return false
		}
		for _, k := range sortedKeys(x) {
			e.dictEntry(sig, j, DictEntry{Key: k, Value: x[k]}, dp)
		}
	default:
		return false
	}
	return true
}

// sortedKeys returns the keys of m in order: encoding and formatting must
// not depend on map iteration order.
func sortedKeys(m map[string]Variant) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// element encodes one array element; dict entries are 8-aligned pairs.
func (e *encoder) element(sig string, j int, item any, dp depth) {
	if sig[j] != '{' {
		e.value(sig, j, item, dp)
		return
	}
	de, ok := item.(DictEntry)
	if !ok {
		e.wrongType("dict entry "+sig[j:typeEnd(sig, j)], "dbus.DictEntry", item)
		return
	}
	e.dictEntry(sig, j, de, dp)
}

// dictEntry encodes "{KV}" at sig[j:] (taking DictEntry by value avoids
// boxing it in an interface per element).
func (e *encoder) dictEntry(sig string, j int, de DictEntry, dp depth) {
	dp, err := dp.enterStruct()
	if err != nil {
		e.fail(err.Error())
		return
	}
	e.align(8)
	k := e.value(sig, j+1, de.Key, dp)
	e.value(sig, k, de.Value, dp)
}

// encodeBody marshals args by sig into a buffer that starts 8-aligned.
func encodeBody(e *encoder, sig string, args []any) error {
	if err := checkSignature(sig); err != nil {
		return textError("dbus: encode: " + err.Error())
	}
	if n := countTypes(sig); n != len(args) {
		return textError(quoted("dbus: encode: signature ", sig,
			" has "+strconv.Itoa(n)+" types, got "+strconv.Itoa(len(args))+" arguments"))
	}
	for i, k := 0, 0; i < len(sig); k++ {
		i = e.value(sig, i, args[k], depth{})
	}
	return e.err
}
