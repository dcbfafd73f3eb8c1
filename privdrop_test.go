package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookupUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passwd")
	data := "root:x:0:0:root:/root:/bin/bash\n#broker:x:1:1::/:/bin/false\n+broker:x:2:2::/:\n" +
		"broker:x:5:5\nbroker:x:998:997:network-broker:/nonexistent:/usr/sbin/nologin\nbad:x:12a:5::/:\n" +
		"bad:x:-1:5::/:\nbad:x:13:13::/:\n  sp:x:7:8::/:  \nshort:x:9:9\nbig:x:4294967294:4294967294::/:"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		uid, gid int
		err      string
	}{
		{"root", 0, 0, ""},
		{"broker", 998, 997, ""},
		{"big", 4294967294, 4294967294, ""},
		{"bad", 13, 13, ""}, // non-numeric and negative uids are skipped, as os/user does
		{"sp", 7, 8, ""},
		{"short", 0, 0, "unknown user short"}, // fewer than seven fields
		{"nobody", 0, 0, "unknown user nobody in " + path},
		{"", 0, 0, "unknown user"},
	} {
		uid, gid, err := lookupUser(path, c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("lookupUser(%q) = %d, %d, %v; want error %q", c.name, uid, gid, err, c.err)
			}
			continue
		}
		if err != nil || uid != c.uid || gid != c.gid {
			t.Errorf("lookupUser(%q) = %d, %d, %v; want %d, %d", c.name, uid, gid, err, c.uid, c.gid)
		}
	}
	if _, _, err := lookupUser(filepath.Join(t.TempDir(), "missing"), "root"); !os.IsNotExist(err) {
		t.Errorf("lookupUser on a missing file: %v, want not-exist", err)
	}
}
