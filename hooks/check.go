package hooks

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Skip is a directory entry that was refused, and why.
type Skip struct {
	Name   string // the entry's name in the hook directory
	Reason string // a short human-readable reason, e.g. "writable by group or others"
}

// SkipError is the error of a run refused by the checks at run time, for
// example because the script was replaced after discovery.
type SkipError struct {
	Skip Skip
}

// Error implements error.
func (e *SkipError) Error() string {
	return "hooks: " + e.Skip.Name + ": refused: " + e.Skip.Reason
}

// wrapError adds context to an error and unwraps to it, as fmt.Errorf
// with %w does; fmt would pull reflect into the binary.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// wrap returns an error reading prefix followed by err's message, which
// errors.Is and errors.As see through to err.
func wrap(prefix string, err error) error {
	return &wrapError{msg: prefix + err.Error(), err: err}
}

// Reasons given in Skip.Reason. Reasons about owners and directories
// append details to these prefixes.
const (
	reasonEmptyName  = "empty name"
	reasonHidden     = "hidden file"
	reasonLeftover   = "editor or package-manager leftover"
	reasonControl    = "control character in name"
	reasonMasked     = "masked (symlink to /dev/null)"
	reasonNotRegular = "not a regular file"
	reasonNotExec    = "not executable by its owner"
	reasonSetid      = "setuid or setgid"
	reasonOwner      = "not owned by root or the running user"
	reasonWritable   = "writable by group or others"
	reasonDirOwner   = "directory not owned by root or the running user"
	reasonDirWrite   = "directory writable by group or others"
	reasonOpen       = "cannot open"
)

// trustedOwner reports whether files owned by uid may be run: root's and
// the daemon's own.
func trustedOwner(uid uint32) bool {
	return uid == 0 || int(uid) == os.Geteuid()
}

// statReason returns why the file described by st must not run, or "".
func statReason(st *unix.Stat_t) string {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFCHR:
		if st.Rdev == unix.Mkdev(1, 3) {
			return reasonMasked
		}
		return reasonNotRegular
	default:
		return reasonNotRegular
	}
	switch {
	case st.Mode&unix.S_IXUSR == 0:
		return reasonNotExec
	case st.Mode&(unix.S_ISUID|unix.S_ISGID) != 0:
		return reasonSetid
	case !trustedOwner(st.Uid):
		return reasonOwner + " (owner uid " + strconv.FormatUint(uint64(st.Uid), 10) + ")"
	case st.Mode&(unix.S_IWGRP|unix.S_IWOTH) != 0:
		return reasonWritable + " (mode " + octalMode(st.Mode) + ")"
	}
	return ""
}

// dirsReason checks every directory from dir up to "/": whoever may write
// to one of them could have swapped the script before we opened it. A
// sticky directory (/tmp) is accepted: others cannot rename or remove
// entries they do not own there. dir must be absolute and free of symlinks
// (it comes from /proc/self/fd). Returns "" when all are acceptable.
func dirsReason(dir string) string {
	for {
		var st unix.Stat_t
		if err := unix.Lstat(dir, &st); err != nil {
			return reasonOpen + ": directory " + dir + ": " + err.Error()
		}
		if !trustedOwner(st.Uid) {
			return reasonDirOwner + ": " + dir + " (owner uid " + strconv.FormatUint(uint64(st.Uid), 10) + ")"
		}
		if st.Mode&(unix.S_IWGRP|unix.S_IWOTH) != 0 && st.Mode&unix.S_ISVTX == 0 {
			return reasonDirWrite + ": " + dir + " (mode " + octalMode(st.Mode) + ")"
		}
		if dir == "/" {
			return ""
		}
		dir = filepath.Dir(dir)
	}
}

// openChecked opens path (following symlinks) with O_PATH, so that opening
// has no side effects even on devices or FIFOs, and checks the opened file
// and the directories above its real path. It returns the open file, or a
// refusal reason, or an error when the check itself could not be made.
// The caller owns the returned file; its Name is the real path.
func openChecked(path string) (*os.File, string, error) {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, reasonOpen + ": " + err.Error(), nil
	}
	real, reason, err := checkFD(fd, path)
	if reason != "" || err != nil {
		unix.Close(fd)
		return nil, reason, err
	}
	return os.NewFile(uintptr(fd), real), "", nil
}

// checkFD checks the opened file fd and returns its real path.
func checkFD(fd int, path string) (real, reason string, err error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "", "", wrap("hooks: fstat "+path+": ", err)
	}
	if reason := statReason(&st); reason != "" {
		return "", reason, nil
	}
	real, err = os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return "", "", wrap("hooks: "+path+": resolving the opened file needs /proc: ", err)
	}
	if !strings.HasPrefix(real, "/") || strings.HasSuffix(real, " (deleted)") {
		return "", reasonOpen + ": removed while checking (" + real + ")", nil
	}
	if reason := dirsReason(filepath.Dir(real)); reason != "" {
		return "", reason, nil
	}
	return real, "", nil
}

// octalMode writes the permission bits of mode as %04o does.
func octalMode(mode uint32) string {
	s := strconv.FormatUint(uint64(mode&07777), 8)
	return strings.Repeat("0", 4-len(s)) + s
}
