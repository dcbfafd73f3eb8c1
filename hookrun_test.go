package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHookDirEmpty checks which hook directories count as having nothing
// to run: a file where the directory should be is one (it used to be, and
// logging an error on every state change would only be noise).
func TestHookDirEmpty(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(dir, "empty.d"), 0o755))
	must(os.Mkdir(filepath.Join(dir, "full.d"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "full.d", "50-x"), nil, 0o755))
	must(os.WriteFile(filepath.Join(dir, "file.d"), nil, 0o644))
	cfg := &Config{Dir: dir}
	h := &hookRunner{cfg: func() *Config { return cfg }}
	for name, want := range map[string]bool{"empty.d": true, "missing.d": true, "file.d": true, "full.d": false} {
		if got := h.empty(name); got != want {
			t.Errorf("empty(%s) = %v, want %v", name, got, want)
		}
	}
}
