package hooks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDiscoverOrder(t *testing.T) {
	dir := t.TempDir()
	names := []string{"b", "10-x", "02-y", "A", "a", "_u", "Z", "2", "é", "10-x.sh"}
	for _, n := range names {
		writeScript(t, dir, n, "exit 0")
	}
	scripts, skips, err := Discover(dir)
	if err != nil || len(skips) != 0 {
		t.Fatalf("Discover: err %v, skips %v", err, skips)
	}
	var got []string
	for _, s := range scripts {
		got = append(got, s.Name)
		if s.Path != filepath.Join(dir, s.Name) || s.Real != s.Path {
			t.Errorf("%s: Path %q Real %q, want both %q", s.Name, s.Path, s.Real, filepath.Join(dir, s.Name))
		}
	}
	want := slices.Clone(names)
	slices.Sort(want) // Go compares strings byte-wise: the order we promise
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestDiscoverMissingDir(t *testing.T) {
	scripts, skips, err := Discover(filepath.Join(t.TempDir(), "no-such.d"))
	if err != nil || scripts != nil || skips != nil {
		t.Errorf("missing dir: got %v %v %v, want nothing and no error", scripts, skips, err)
	}
}

func TestDiscoverNotADir(t *testing.T) {
	path := writeScript(t, t.TempDir(), "file", "exit 0")
	if _, _, err := Discover(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Discover(a file) = %v, want an error naming it", err)
	}
}

// TestDiscoverSkips makes one entry per refusal reason and checks that
// each is refused for that reason, and only the good ones are kept.
func TestDiscoverSkips(t *testing.T) {
	needRoot(t) // chown
	dir := t.TempDir()
	other := t.TempDir()
	good := writeScript(t, dir, "50-good", "exit 0")
	writeScript(t, dir, ".hidden", "exit 0")
	writeScript(t, dir, "50-good~", "exit 0")
	writeScript(t, dir, "50-good.swp", "exit 0")
	writeScript(t, dir, "50-good.dpkg-old", "exit 0")
	writeScript(t, dir, "50-good.rpmnew", "exit 0")
	writeScript(t, dir, "#50-good#", "exit 0")
	writeFile(t, dir, "noexec", "#!/bin/sh\n", 0o644)
	writeFile(t, dir, "groupexec-only", "#!/bin/sh\n", 0o654)
	writeFile(t, dir, "gwrite", "#!/bin/sh\n", 0o775)
	writeFile(t, dir, "owrite", "#!/bin/sh\n", 0o757)
	writeFile(t, dir, "setuid", "#!/bin/sh\n", 0o4755)
	writeFile(t, dir, "setgid", "#!/bin/sh\n", 0o2755)
	notOwned := writeScript(t, dir, "nobody", "exit 0")
	if err := os.Chown(notOwned, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "subdir.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	symlink("/dev/null", "masked")
	symlink(filepath.Join(dir, "no-such-file"), "dangling")
	symlink(good, "link-good")
	symlink(filepath.Join(dir, "gwrite"), "link-gwrite")
	unsafeDir := filepath.Join(other, "world.d")
	if err := os.Mkdir(unsafeDir, 0o777); err != nil {
		t.Fatal(err)
	}
	chmod(t, unsafeDir, 0o777) // no sticky bit
	symlink(writeScript(t, unsafeDir, "s", "exit 0"), "link-via-world-writable-dir")
	nobodyDir := filepath.Join(other, "nobody.d")
	if err := os.Mkdir(nobodyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(writeScript(t, nobodyDir, "s", "exit 0"), "link-via-nobodys-dir")
	if err := os.Chown(nobodyDir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(dir, "fifo"), 0o755); err != nil {
		t.Fatal(err)
	}

	scripts, skips, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, s := range scripts {
		kept = append(kept, s.Name)
	}
	if want := []string{"50-good", "link-good"}; !slices.Equal(kept, want) {
		t.Errorf("kept %q, want %q", kept, want)
	}
	if s := scripts[len(scripts)-1]; s.Real != good {
		t.Errorf("link-good: Real %q, want the target %q", s.Real, good)
	}
	want := map[string]string{
		".hidden":                     reasonHidden,
		"50-good~":                    reasonLeftover,
		"50-good.swp":                 reasonLeftover,
		"50-good.dpkg-old":            reasonLeftover,
		"50-good.rpmnew":              reasonLeftover,
		"#50-good#":                   reasonLeftover,
		"noexec":                      reasonNotExec,
		"groupexec-only":              reasonNotExec,
		"gwrite":                      reasonWritable,
		"owrite":                      reasonWritable,
		"setuid":                      reasonSetid,
		"setgid":                      reasonSetid,
		"nobody":                      reasonOwner,
		"subdir.d":                    reasonNotRegular,
		"fifo":                        reasonNotRegular,
		"masked":                      reasonMasked,
		"dangling":                    reasonOpen,
		"link-gwrite":                 reasonWritable,
		"link-via-world-writable-dir": reasonDirWrite + ": " + unsafeDir,
		"link-via-nobodys-dir":        reasonDirOwner + ": " + nobodyDir,
	}
	got := map[string]string{}
	for _, s := range skips {
		got[s.Name] = s.Reason
	}
	for name, reason := range want {
		if !strings.HasPrefix(got[name], reason) {
			t.Errorf("%s: reason %q, want it to start with %q", name, got[name], reason)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d skips, want %d: %q", len(got), len(want), skips)
	}
	// The skips come in name order too, so logs read like the directory.
	if !slices.IsSortedFunc(skips, func(a, b Skip) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("skips not in name order: %q", skips)
	}
}

// TestDiscoverOwnUser: a file owned by the running user is accepted even
// when that user is not root (the daemon's own hooks).
func TestDiscoverOwnUser(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "mine", "exit 0")
	scripts, skips, err := Discover(dir)
	if err != nil || len(scripts) != 1 || len(skips) != 0 {
		t.Fatalf("got %v %v %v, want one script", scripts, skips, err)
	}
}

// TestDiscoverStickyDir: a world-writable directory with the sticky bit
// (like /tmp) is accepted: others cannot replace entries they do not own.
func TestDiscoverStickyDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sticky.d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	chmod(t, dir, 0o1777)
	writeScript(t, dir, "s", "exit 0")
	scripts, skips, err := Discover(dir)
	if err != nil || len(scripts) != 1 {
		t.Fatalf("got %v %v %v, want one script", scripts, skips, err)
	}
	chmod(t, dir, 0o777)
	scripts, skips, err = Discover(dir)
	if err != nil || len(scripts) != 0 || len(skips) != 1 || !strings.HasPrefix(skips[0].Reason, reasonDirWrite) {
		t.Fatalf("without sticky bit: got %v %v %v, want s skipped (%s)", scripts, skips, err, reasonDirWrite)
	}
}
