package rtnl

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// seedPayloads adds the payload of every recorded message whose type is
// in types (testdata/*.bin, recorded from the kernel: see its README).
func seedPayloads(f *testing.F, types ...uint16) {
	files, err := filepath.Glob("testdata/*.bin")
	if err != nil || len(files) == 0 {
		f.Fatalf("no testdata/*.bin seeds: %v", err)
	}
	n := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		msgs, err := splitMessages(b)
		if err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, m := range msgs {
			for _, typ := range types {
				if m.Type == typ {
					f.Add(append([]byte(nil), m.Data...))
					n++
				}
			}
		}
	}
	if n == 0 {
		f.Fatalf("no recorded messages of types %v", types)
	}
}

// decoded runs a decoder that fills a zero struct and returns the struct.
func decoded[T any](dec func([]byte, *T) error, b []byte) (T, error) {
	var v T
	err := dec(b, &v)
	return v, err
}

func FuzzLink(f *testing.F) {
	seedPayloads(f, unix.RTM_NEWLINK, unix.RTM_DELLINK)
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := decoded(decodeLink, b)
		if err == nil && len(b) < sizeofIfInfomsg {
			t.Fatalf("accepted %d bytes, shorter than ifinfomsg", len(b))
		}
		if err == nil && int32(ne.Uint32(b[4:8])) != l.Index {
			t.Fatalf("index %d, header says %d", l.Index, int32(ne.Uint32(b[4:8])))
		}
	})
}

func FuzzAddress(f *testing.F) {
	seedPayloads(f, unix.RTM_NEWADDR, unix.RTM_DELADDR)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decoded(decodeAddress, b)
		if err != nil {
			return
		}
		if a.Addr.IsValid() && a.Addr.BitLen() != 8*addrLen(a.Family) {
			t.Fatalf("family %d with address %v", a.Family, a.Addr)
		}
		if int(a.PrefixLen) > 8*addrLen(a.Family) {
			t.Fatalf("prefix length %d for family %d", a.PrefixLen, a.Family)
		}
	})
}

// FuzzRoute decodes, and for what decodes, encodes as a delete request and
// decodes again: the fields a request carries must survive.
func FuzzRoute(f *testing.F) {
	seedPayloads(f, unix.RTM_NEWROUTE, unix.RTM_DELROUTE)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decoded(decodeRoute, b)
		if err != nil {
			return
		}
		if !r.Dst.IsValid() {
			t.Fatalf("decoded route without a valid Dst: %+v", r)
		}
		if r.Family != afInet && r.Family != afInet6 {
			return // multicast-routing families decode but are not requests
		}
		enc, err := encodeRoute(r, false)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", r, err)
		}
		again, err := decoded(decodeRoute, enc)
		if err != nil {
			t.Fatalf("decode of re-encoded %+v: %v", r, err)
		}
		again.Scope, r.Scope = 0, 0 // delete requests widen scope to "nowhere"
		if !reflect.DeepEqual(comparableRoute(again), comparableRoute(r)) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", again, r)
		}
	})
}

// comparableRoute drops what a request does not carry (RTA_PREF) and
// gives a nil Multipath one shape.
func comparableRoute(r Route) Route {
	r.Pref = 0
	if len(r.Multipath) == 0 {
		r.Multipath = nil
	}
	return r
}

func FuzzRule(f *testing.F) {
	seedPayloads(f, unix.RTM_NEWRULE, unix.RTM_DELRULE)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decoded(decodeRule, b)
		if err != nil || (r.Family != afInet && r.Family != afInet6) {
			return
		}
		enc, err := encodeRule(r, false)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", r, err)
		}
		again, err := decoded(decodeRule, enc)
		if err != nil {
			t.Fatalf("decode of re-encoded %+v: %v", r, err)
		}
		// Not carried by requests: kernel-reported suppress_prefixlen, and
		// a zero action the encoder turns into to_tbl when a table is set.
		again.SuppressPrefixLen, r.SuppressPrefixLen = 0, 0
		if r.Action == 0 {
			again.Action = 0
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", again, r)
		}
	})
}

func FuzzMessages(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.bin")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := DecodeMessages(b)
		for _, e := range evs {
			n := 0
			for _, set := range []bool{e.Link != nil, e.Addr != nil, e.Route != nil, e.Rule != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("event of type %d with %d payloads", e.Type, n)
			}
		}
		if err == nil && len(b) > 0 && len(b) < nlmsgHdrLen {
			t.Fatalf("accepted %d bytes, shorter than a header", len(b))
		}
	})
}
