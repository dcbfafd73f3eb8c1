package hooks

import "strings"

// leftoverSuffixes are name endings of files that editors, patch and
// package managers leave next to the real script. The list follows
// systemd's hidden_or_backup_file() (src/basic/dirent-util.c), plus vim's
// other swap names and patch's *.orig.
var leftoverSuffixes = []string{
	"~", ".swp", ".swo", ".swx", ".bak", ".old", ".new", ".orig",
	".rpmnew", ".rpmsave", ".rpmorig",
}

// leftoverInfixes mark families of leftovers: *.dpkg-old, *.dpkg-dist,
// *.dpkg-new, *.dpkg-tmp, *.ucf-old, *.rpm* and so on.
var leftoverInfixes = []string{".dpkg-", ".ucf-", ".rpm"}

// nameReason returns why a directory entry is refused by its name alone,
// or "" when the name is acceptable.
func nameReason(name string) string {
	switch {
	case name == "":
		return reasonEmptyName
	case name[0] == '.':
		return reasonHidden
	case len(name) > 1 && name[0] == '#' && name[len(name)-1] == '#':
		return reasonLeftover // Emacs auto-save file
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			// A newline in a name would forge log lines.
			return reasonControl
		}
	}
	for _, s := range leftoverSuffixes {
		if strings.HasSuffix(name, s) {
			return reasonLeftover
		}
	}
	for _, s := range leftoverInfixes {
		if strings.Contains(name, s) {
			return reasonLeftover
		}
	}
	return ""
}
