package hooks

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ReadDirNames must list what os.ReadDir lists, in the same order, with
// the same errors; 600 long names need several getdents calls.
func TestReadDirNamesMatchesOSReadDir(t *testing.T) {
	dir := t.TempDir()
	for i := range 600 {
		name := strconv.Itoa(i*7919%600) + "-" + strings.Repeat("x", i%200)
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink("nowhere", filepath.Join(dir, "\xff link"))
	file := filepath.Join(dir, "0-")
	for _, d := range []string{dir, filepath.Join(dir, "missing"), file, ""} {
		got, gerr := ReadDirNames(d)
		entries, werr := os.ReadDir(d)
		var want []string
		for _, e := range entries {
			want = append(want, e.Name())
		}
		if !slices.Equal(got, want) || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Errorf("ReadDirNames(%q) = %d names, %v; os.ReadDir: %d names, %v", d, len(got), gerr, len(want), werr)
		}
	}
	if got, _ := ReadDirNames(dir); len(got) != 602 {
		t.Errorf("got %d names, want 602", len(got))
	}
}
