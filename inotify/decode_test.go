package inotify

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rec builds one kernel record in host byte order with name padded to pad
// bytes (0 = no name at all).
func rec(wd int32, mask, cookie uint32, name string, pad int) []byte {
	b := make([]byte, headerLen+pad)
	binary.NativeEndian.PutUint32(b[0:], uint32(wd))
	binary.NativeEndian.PutUint32(b[4:], mask)
	binary.NativeEndian.PutUint32(b[8:], cookie)
	binary.NativeEndian.PutUint32(b[12:], uint32(pad))
	copy(b[headerLen:], name)
	return b
}

// encode writes evs back the way the kernel does: names NUL-terminated and
// padded to a multiple of 16.
func encode(evs []RawEvent) []byte {
	var out []byte
	for _, e := range evs {
		pad := 0
		if e.Name != "" {
			pad = (len(e.Name) + headerLen) / headerLen * headerLen
		}
		out = append(out, rec(e.Wd, e.Mask, e.Cookie, e.Name, pad)...)
	}
	return out
}

func TestDecode(t *testing.T) {
	long := strings.Repeat("n", nameMax)
	cases := []struct {
		name    string
		in      []byte
		want    []RawEvent
		wantErr string
	}{
		{name: "empty", in: nil},
		{name: "dir itself", in: rec(1, DeleteSelf, 0, "", 0), want: []RawEvent{{Wd: 1, Mask: DeleteSelf}}},
		{name: "overflow", in: rec(-1, QueueOverflow, 0, "", 0), want: []RawEvent{{Wd: -1, Mask: QueueOverflow}}},
		{name: "padded name", in: rec(2, Create, 0, "leases", 16), want: []RawEvent{{Wd: 2, Mask: Create, Name: "leases"}}},
		{name: "longest name", in: rec(2, Create, 0, long, maxNameLen), want: []RawEvent{{Wd: 2, Mask: Create, Name: long}}},
		{
			name: "rename pair",
			in:   append(rec(1, MovedFrom, 7, "a.tmp", 16), rec(1, MovedTo, 7, "a", 16)...),
			want: []RawEvent{{Wd: 1, Mask: MovedFrom, Cookie: 7, Name: "a.tmp"}, {Wd: 1, Mask: MovedTo, Cookie: 7, Name: "a"}},
		},
		{name: "short header", in: rec(1, Create, 0, "", 0)[:15], wantErr: "offset 0: want 16 header bytes, have 15"},
		{
			name:    "short second header",
			in:      append(rec(1, Create, 0, "a", 16), 1, 2, 3),
			want:    []RawEvent{{Wd: 1, Mask: Create, Name: "a"}},
			wantErr: "offset 32: want 16 header bytes, have 3",
		},
		{name: "len over NAME_MAX", in: rec(1, Create, 0, "a", maxNameLen+16), wantErr: "name length 272 exceeds 256"},
		{name: "len past end", in: rec(1, Create, 0, "a", 32)[:40], wantErr: "name length 32, only 24 bytes left"},
		{name: "huge len", in: func() []byte {
			b := rec(1, Create, 0, "", 0)
			binary.NativeEndian.PutUint32(b[12:], 0xffffffff)
			return b
		}(), wantErr: "name length 4294967295 exceeds 256"},
		{name: "no NUL", in: rec(1, Create, 0, "0123456789abcdef", 16), wantErr: "want NUL terminator"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(c.in)
			if c.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("error: want %q, got %v", c.wantErr, err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// littleEndian reports whether the host matches the recorded samples,
// which were captured on linux/amd64.
func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// TestRecorded decodes the kernel bytes in testdata/ (see
// testdata/README.md) and checks them event by event; with -record it
// captures them afresh first.
func TestRecorded(t *testing.T) {
	if *record {
		for name, b := range map[string][]byte{
			"lease-lifecycle.inotify": recordLeaseScenario(t),
			"overflow.inotify":        recordOverflow(t),
		} {
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !littleEndian() {
		t.Skip("testdata was recorded on a little-endian host")
	}
	type ev struct {
		mask uint32
		name string
	}
	const lease, tmp, sub = "dhclient.eth0.leases", "dhclient.eth0.leases.new", "a-directory-with-a-name-longer-than-sixteen"
	want := []ev{
		{Create, lease}, {Modify, lease}, {CloseWrite, lease}, // create
		{Modify, lease}, {CloseWrite, lease}, // append
		{Modify, lease},                                 // truncate
		{Create, tmp}, {Modify, tmp}, {CloseWrite, tmp}, // temp file
		{MovedFrom, tmp}, {MovedTo, lease}, // rename over
		{Create | IsDir, sub},
		{Delete, lease}, {Delete | IsDir, sub}, // removed one by one
		{DeleteSelf, ""}, {Ignored, ""},
	}
	got := decodeFile(t, "lease-lifecycle.inotify")
	if len(got) != len(want) {
		t.Fatalf("lease-lifecycle: got %d events %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Mask != w.mask || got[i].Name != w.name || got[i].Wd != got[0].Wd {
			t.Errorf("lease-lifecycle event %d: got %+v, want %s %q", i, got[i], MaskString(w.mask), w.name)
		}
	}
	if got[9].Cookie == 0 || got[9].Cookie != got[10].Cookie {
		t.Errorf("rename cookies do not pair: %d, %d", got[9].Cookie, got[10].Cookie)
	}

	got = decodeFile(t, "overflow.inotify")
	if len(got) < 2 {
		t.Fatalf("overflow: want creates then the overflow record, got %+v", got)
	}
	last := got[len(got)-1]
	if last.Wd != -1 || last.Mask != QueueOverflow || last.Name != "" {
		t.Errorf("overflow: last record %+v, want wd -1 Q_OVERFLOW", last)
	}
	for _, e := range got[:len(got)-1] {
		if e.Mask != Create || !strings.HasPrefix(e.Name, "f") {
			t.Errorf("overflow: want creates of f<N> before the overflow record, got %+v", e)
		}
	}
}

func decodeFile(t *testing.T, name string) []RawEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return evs
}

// FuzzDecode feeds Decode arbitrary bytes, seeded with the recorded kernel
// streams. Decode must never panic, and what it accepts must survive a
// round trip through the kernel's encoding.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"lease-lifecycle.inotify", "overflow.inotify"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(rec(1, Create, 0, "0123456789abcdef", 16))
	f.Add(rec(1, Create, 0, "a", 32)[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(encode(evs))
		if err != nil {
			t.Fatalf("re-decoding %+v: %v", evs, err)
		}
		if !slices.Equal(evs, again) {
			t.Fatalf("round trip: %+v became %+v", evs, again)
		}
	})
}
