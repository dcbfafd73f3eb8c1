package hooks

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
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
	names, err := readNames(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		// Reading can fail part-way; a partial list would silently
		// leave scripts out, so refuse the whole dir.
		return nil, nil, wrap("hooks: reading directory "+dir+": ", err)
	}
	var scripts []*Script
	var skips []Skip
	for _, name := range names {
		s, reason := check(dir, name)
		if reason != "" {
			skips = append(skips, Skip{Name: name, Reason: reason})
			continue
		}
		scripts = append(scripts, s)
	}
	return scripts, skips, nil
}

// readNames lists dir as os.ReadDir does, with the same errors, but sorts
// the names as a []string: sorting []fs.DirEntry, as os.ReadDir does,
// adds an instantiation of the generic sort to the binary.
func readNames(dir string) ([]string, error) {
	f, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	slices.Sort(names) // byte-wise, as os.ReadDir sorts
	return names, nil
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
