package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"network-broker/hooks"
)

// The broker reads and makes files without os.Stat, os.ReadFile,
// os.MkdirAll and filepath.Glob: each returns or checks an fs.FileInfo,
// and the FileInfo and directory-entry code they keep in the binary is
// larger than these few lines (see the size notes in the Makefile).

// readFile is os.ReadFile without its Stat for the buffer size.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// mkdirAll makes dir and its missing parents with mode 0755. An existing
// dir is not an error.
func mkdirAll(dir string) error {
	err := unix.Mkdir(dir, 0o755)
	if err == unix.ENOENT && filepath.Dir(dir) != dir {
		if err = mkdirAll(filepath.Dir(dir)); err == nil {
			err = unix.Mkdir(dir, 0o755)
		}
	}
	if err != nil && err != unix.EEXIST {
		return &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

// regularFile returns the modification time (Unix nanoseconds) of the
// regular file at path, following symlinks.
func regularFile(path string) (mtime int64, ok bool) {
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return 0, false
	}
	return st.Mtim.Nano(), true
}

// globBase is filepath.Glob for a pattern whose metacharacters are all in
// the last element, as the configuration requires of lease files. A
// pattern without metacharacters is returned as it is, existing or not:
// the caller checks the files.
func globBase(pattern string) []string {
	dir, base := filepath.Split(pattern)
	if !strings.ContainsAny(base, `*?[\`) {
		return []string{pattern}
	}
	names, _ := hooks.ReadDirNames(dir)
	var out []string
	for _, n := range names {
		if ok, _ := filepath.Match(base, n); ok {
			out = append(out, dir+n)
		}
	}
	return out
}
