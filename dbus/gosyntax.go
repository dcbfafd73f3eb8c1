package dbus

import "strconv"

// fmt's %#v and %T, rebuilt for the values of this package so that error
// messages and Variant.String read as before without linking fmt and reflect.

// goSyntax is fmt's %#v for the Go types of the package doc (and int, uint).
// A value of any other type shows as "an unsupported type".
func goSyntax(v any) string {
	switch v.(type) {
	case nil:
		return "<nil>"
	case []byte:
		// fmt names a top-level []byte as written; nested, it is []uint8.
		items, _ := elements(v)
		return string(appendList(nil, "[]byte", items))
	}
	return string(appendGoSyntax(nil, v))
}

// appendGoSyntax formats v as fmt does inside a container.
func appendGoSyntax(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "interface {}(nil)"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case string:
		return strconv.AppendQuote(b, x)
	case ObjectPath:
		return strconv.AppendQuote(b, string(x))
	case Signature:
		return strconv.AppendQuote(b, string(x))
	case Variant:
		b = strconv.AppendQuote(append(b, "dbus.Variant{Sig:"...), string(x.Sig))
		b = appendGoSyntax(append(b, ", Value:"...), x.Value)
		return append(b, '}')
	case DictEntry:
		b = appendGoSyntax(append(b, "dbus.DictEntry{Key:"...), x.Key)
		b = appendGoSyntax(append(b, ", Value:"...), x.Value)
		return append(b, '}')
	case map[string]Variant:
		b = append(b, "map[string]dbus.Variant"...)
		if x == nil {
			return append(b, "(nil)"...)
		}
		b = append(b, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(strconv.AppendQuote(b, k), ':')
			b = appendGoSyntax(b, x[k])
		}
		return append(b, '}')
	}
	// fmt writes unsigned integers in hex under %#v.
	if u, ok := unsigned(v); ok {
		return strconv.AppendUint(append(b, "0x"...), u, 16)
	}
	if items, ok := elements(v); ok {
		return appendList(b, typeName(v), items)
	}
	return append(b, typeName(v)...)
}

func appendList(b []byte, typ string, items []any) []byte {
	b = append(b, typ...)
	if items == nil {
		return append(b, "(nil)"...)
	}
	b = append(b, '{')
	for i, item := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendGoSyntax(b, item)
	}
	return append(b, '}')
}

// unsigned returns the value of an unsigned integer of the package's types.
func unsigned(v any) (uint64, bool) {
	switch x := v.(type) {
	case byte:
		return uint64(x), true
	case uint:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case UnixFD:
		return uint64(x), true
	}
	return 0, false
}

// elements returns the items of a slice of the package's types, boxed:
// formatting is for errors and logs, where the copy does not matter.
func elements(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case Struct:
		return x, true
	case []DictEntry:
		return boxAll(x), true
	case []byte:
		return boxAll(x), true
	case []string:
		return boxAll(x), true
	case []int32:
		return boxAll(x), true
	case []uint32:
		return boxAll(x), true
	case []ObjectPath:
		return boxAll(x), true
	}
	return nil, false
}

// boxAll copies s into a []any, nil for nil: fmt tells the two apart.
func boxAll[T any](s []T) []any {
	if s == nil {
		return nil
	}
	items := make([]any, len(s))
	for i, v := range s {
		items[i] = v
	}
	return items
}

// typeName is fmt's %T for the Go types of the package doc; any other
// type, which the encoder rejects anyway, is "an unsupported type".
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "<nil>"
	case bool:
		return "bool"
	case int:
		return "int"
	case int16:
		return "int16"
	case int32:
		return "int32"
	case int64:
		return "int64"
	case byte:
		return "uint8"
	case uint:
		return "uint"
	case uint16:
		return "uint16"
	case uint32:
		return "uint32"
	case uint64:
		return "uint64"
	case UnixFD:
		return "dbus.UnixFD"
	case float64:
		return "float64"
	case string:
		return "string"
	case ObjectPath:
		return "dbus.ObjectPath"
	case Signature:
		return "dbus.Signature"
	case Variant:
		return "dbus.Variant"
	case DictEntry:
		return "dbus.DictEntry"
	case []any:
		return "[]interface {}"
	case Struct:
		return "dbus.Struct"
	case []DictEntry:
		return "[]dbus.DictEntry"
	case []byte:
		return "[]uint8"
	case []string:
		return "[]string"
	case []int32:
		return "[]int32"
	case []uint32:
		return "[]uint32"
	case []ObjectPath:
		return "[]dbus.ObjectPath"
	case map[string]Variant:
		return "map[string]dbus.Variant"
	}
	return "an unsupported type"
}
