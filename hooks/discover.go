package hooks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Script is a hook script that passed the checks at discovery. The checks
// are made again on the opened file when it runs.
type Script struct {
	Name string // the entry's name in its directory, e.g. "50-update-dns"
	Path string // directory joined with Name; may be a symlink
	Real string // the file's real path when it was checked (symlinks resolved)
}

// Discover lists the scripts of dir in byte order of their names, and the
// entries it refused with the reason for each. A missing dir is not an
// error: it has no scripts. Other errors reading dir are returned.
func Discover(dir string) ([]*Script, []Skip, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		// ReadDir returns the entries read before the error; a partial
		// list would silently leave scripts out, so refuse the whole dir.
		return nil, nil, fmt.Errorf("hooks: reading directory %s: %w", dir, err)
	}
	var scripts []*Script
	var skips []Skip
	for _, e := range entries { // os.ReadDir sorts by name, byte-wise
		s, reason := check(dir, e.Name())
		if reason != "" {
			skips = append(skips, Skip{Name: e.Name(), Reason: reason})
			continue
		}
		scripts = append(scripts, s)
	}
	return scripts, skips, nil
}

// check applies the name rules and the file checks to one entry.
func check(dir, name string) (*Script, string) {
	if reason := nameReason(name); reason != "" {
		return nil, reason
	}
	path := filepath.Join(dir, name)
	f, reason, err := openChecked(path)
	if err != nil {
		return nil, err.Error()
	}
	if reason != "" {
		return nil, reason
	}
	f.Close()
	return &Script{Name: name, Path: path, Real: f.Name()}, ""
}
