package dbus

import (
	"math"
	"strconv"
)

// value decodes the complete type sig[i:] (sig already validated) and
// returns the value and the index after the type.
func (d *decoder) value(sig string, i int, dp depth) (any, int) {
	c := sig[i]
	switch c {
	case 'y':
		return d.u8(), i + 1
	case 'b':
		return d.boolean(), i + 1
	case 'n':
		return int16(d.u16()), i + 1
	case 'q':
		return d.u16(), i + 1
	case 'i':
		return int32(d.u32()), i + 1
	case 'u':
		return d.u32(), i + 1
	case 'h':
		fd := d.u32()
		if d.err == nil && fd >= d.fds {
			d.fail("unix fd index " + strconv.FormatUint(uint64(fd), 10) + ", but the message carries " +
				strconv.FormatUint(uint64(d.fds), 10) + " fds")
		}
		return UnixFD(fd), i + 1
	case 'x':
		return int64(d.u64()), i + 1
	case 't':
		return d.u64(), i + 1
	case 'd':
		return math.Float64frombits(d.u64()), i + 1
	case 's':
		return d.str("string"), i + 1
	case 'o':
		return d.objectPath(), i + 1
	case 'g':
		return Signature(d.sig()), i + 1
	case 'v':
		return d.variant(dp), i + 1
	case 'a':
		return d.array(sig, i, dp)
	case '(':
		return d.structure(sig, i, dp)
	}
	// Unreachable for a validated signature; kept so hostile input can't panic.
	d.fail("unexpected type code " + strconv.QuoteRune(rune(c)))
	return nil, len(sig)
}

func (d *decoder) objectPath() ObjectPath {
	p := d.str("object path")
	if d.err == nil {
		if err := checkObjectPath(p); err != nil {
			d.fail(err.Error())
		}
	}
	return ObjectPath(p)
}

func (d *decoder) variant(dp depth) Variant {
	s := d.sig()
	if d.err != nil {
		return Variant{}
	}
	if err := checkSingle(s); err != nil {
		d.fail("variant: " + err.Error())
		return Variant{}
	}
	dp, err := dp.enterVariant()
	if err != nil {
		d.fail("variant: " + err.Error())
		return Variant{}
	}
	v, _ := d.value(s, 0, dp)
	return Variant{Sig: Signature(s), Value: v}
}

func (d *decoder) structure(sig string, i int, dp depth) (any, int) {
	dp, err := dp.enterStruct()
	if err != nil {
		d.fail(err.Error())
		return nil, len(sig)
	}
	d.align(8)
	var fields Struct
	j := i + 1
	for sig[j] != ')' {
		var v any
		v, j = d.value(sig, j, dp)
		fields = append(fields, v)
	}
	return fields, j + 1
}

// array decodes sig[i:] = 'a' + element type. The length is checked against
// the cap and the bytes left before anything is allocated; elements must end
// exactly at the declared length (no partial element, CVE-2022-42011 class).
func (d *decoder) array(sig string, i int, dp depth) (any, int) {
	end := typeEnd(sig, i)
	dp, err := dp.enterArray()
	if err != nil {
		d.fail(err.Error())
		return nil, end
	}
	n := d.u32()
	elem, elemAlign := sig[i+1], alignOf(sig[i+1])
	d.align(elemAlign) // present even when the array is empty
	if d.err != nil {
		return nil, end
	}
	if n > maxArrayLen {
		d.fail("array length " + strconv.FormatUint(uint64(n), 10) + " exceeds " + strconv.Itoa(maxArrayLen))
		return nil, end
	}
	if int(n) > d.remaining() {
		d.fail("array length " + strconv.FormatUint(uint64(n), 10) + " exceeds the " + strconv.Itoa(d.remaining()) + " bytes left")
		return nil, end
	}
	stop := d.pos + int(n)
	// A capacity guess, never above 64 elements whatever the length claims:
	// append grows it when elements are smaller than the guess assumed.
	guess := 0
	if n > 0 {
		guess = min(int(n)/(2*elemAlign)+1, 64)
	}
	switch elem {
	case 'y':
		b := d.take(int(n), "byte array")
		return append([]byte{}, b...), end
	case '{':
		entries := make([]DictEntry, 0, guess)
		for d.err == nil && d.pos < stop {
			entries = append(entries, d.dictEntry(sig, i+1, dp))
		}
		d.checkArrayEnd(stop)
		return entries, end
	}
	items := make([]any, 0, guess)
	for d.err == nil && d.pos < stop {
		v, _ := d.value(sig, i+1, dp)
		items = append(items, v)
	}
	d.checkArrayEnd(stop)
	return items, end
}

func (d *decoder) checkArrayEnd(stop int) {
	if d.err == nil && d.pos != stop {
		d.fail("array element runs " + strconv.Itoa(d.pos-stop) + " bytes past the array's end")
	}
}

// dictEntry decodes "{KV}" at sig[i:].
func (d *decoder) dictEntry(sig string, i int, dp depth) DictEntry {
	dp, err := dp.enterStruct()
	if err != nil {
		d.fail(err.Error())
		return DictEntry{}
	}
	d.align(8)
	k, j := d.value(sig, i+1, dp)
	v, _ := d.value(sig, j, dp)
	return DictEntry{Key: k, Value: v}
}
