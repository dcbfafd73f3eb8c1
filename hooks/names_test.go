package hooks

import "testing"

func TestNameReason(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"50-dns", ""},
		{"update", ""},
		{"a.sh", ""},
		{"rpm-helper", ""}, // ".rpm" needs the dot
		{"new-routes", ""}, // ".new" is a suffix rule
		{"#draft", ""},     // not closed by '#'
		{"", reasonEmptyName},
		{".hidden", reasonHidden},
		{".50-dns.swp", reasonHidden},
		{"50-dns~", reasonLeftover},
		{"50-dns.swp", reasonLeftover},
		{"50-dns.swo", reasonLeftover},
		{"#50-dns#", reasonLeftover},
		{"50-dns.dpkg-old", reasonLeftover},
		{"50-dns.dpkg-dist", reasonLeftover},
		{"50-dns.dpkg-new", reasonLeftover},
		{"50-dns.ucf-old", reasonLeftover},
		{"50-dns.rpmnew", reasonLeftover},
		{"50-dns.rpmsave", reasonLeftover},
		{"50-dns.rpmorig", reasonLeftover},
		{"50-dns.rpm", reasonLeftover},
		{"50-dns.bak", reasonLeftover},
		{"50-dns.orig", reasonLeftover},
		{"50-dns.old", reasonLeftover},
		{"50\ndns", reasonControl},
		{"50-dns\x1b[2J", reasonControl},
		{"50-dns\x7f", reasonControl},
	}
	for _, tt := range tests {
		if got := nameReason(tt.name); got != tt.want {
			t.Errorf("nameReason(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzNameReason checks that any name gets a verdict without panicking,
// and that accepted names are safe to log and to join to a directory.
func FuzzNameReason(f *testing.F) {
	for _, s := range []string{"50-dns", ".x", "a~", "#a#", "a.dpkg-old", "a\nb", "", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if nameReason(name) != "" {
			return
		}
		if name == "" || name[0] == '.' {
			t.Fatalf("accepted %q", name)
		}
		for i := 0; i < len(name); i++ {
			if name[i] < 0x20 || name[i] == 0x7f {
				t.Fatalf("accepted %q with a control character", name)
			}
		}
	})
}
