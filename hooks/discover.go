package hooks

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
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
	names, err := ReadDirNames(dir)
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

// ReadDirNames lists the entries of dir in byte order of their names, as
// os.ReadDir does, with the same errors. It reads the raw directory
// entries itself: os.ReadDir's DirEntry values and their generic sort
// keep code in a binary that only needs the names.
func ReadDirNames(dir string) ([]string, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 8<<10)
	for {
		n, err := ignoringEINTR(func() (int, error) { return unix.ReadDirent(fd, buf) })
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names) // leaves out . and ..
	}
	slices.Sort(names)
	return names, nil
}

func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
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
