// Package inotify watches directories with Linux inotify(7).
//
// It watches directories, never single files: a watch belongs to an inode,
// so a file that is deleted and recreated, or replaced by a rename, would
// silently lose a file watch. Callers watch the directory and filter by
// name.
//
// Invariants:
//   - Read blocks on the runtime poller (the descriptor is non-blocking and
//     wrapped with os.NewFile), so Close unblocks it with ErrClosed.
//   - A queue overflow (IN_Q_OVERFLOW) is reported as ErrOverflow; the
//     watcher keeps working, and the caller must re-read whatever it watches.
//   - A watched directory that is deleted, moved or unwatched by the kernel
//     is reported (DeleteSelf, MoveSelf, Ignored) so the caller can re-arm
//     it with AddDir; after Ignored the watch is forgotten.
//   - Kernel records are decoded by Decode, which checks every length.
package inotify

import (
	"errors"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrOverflow is returned by Read when the kernel queue overflowed
// (IN_Q_OVERFLOW) and events were lost. The watcher stays usable; the
// caller must re-read everything it watches.
var ErrOverflow = errors.New("inotify: event queue overflowed, events lost: re-read all watched state")

// ErrClosed is returned by Read, AddDir and RemoveDir once Close was called.
var ErrClosed = errors.New("inotify: watcher closed")

// wrapError does what fmt.Errorf's %w does, without fmt, which the package
// avoids for the size of the binaries that use it: msg is the whole text,
// and errors.Is and errors.As see err.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// prefixError reads "prefix: err" and unwraps to err. Like os.PathError it
// builds its text only when asked, which keeps the wrap sites small.
type prefixError struct {
	prefix string
	err    error
}

func (e *prefixError) Error() string { return e.prefix + ": " + e.err.Error() }
func (e *prefixError) Unwrap() error { return e.err }

// wrap returns an error reading "prefix: err" that unwraps to err.
func wrap(prefix string, err error) error {
	return &prefixError{prefix: prefix, err: err}
}

// readBufLen holds many records per read(2); it must be at least
// minReadLen or the kernel answers EINVAL.
const readBufLen = 64 * minReadLen

// Event is one change inside a watched directory, or to the directory
// itself (then Name is empty).
type Event struct {
	Dir    string // the watched directory, as given to AddDir
	Name   string // entry name inside Dir; empty when the event is about Dir itself
	Mask   uint32 // event bits (Create, Modify, ..., IsDir)
	Cookie uint32 // non-zero on MovedFrom/MovedTo; equal for the two halves of one rename
}

// String formats e for logs as "dir/name MASK|BITS".
func (e Event) String() string {
	p := e.Dir
	if e.Name != "" {
		p += "/" + e.Name
	}
	return p + " " + MaskString(e.Mask)
}

// Watcher is one inotify instance. AddDir, RemoveDir and Close may be
// called from any goroutine, also while Read blocks; Read itself must be
// called from one goroutine at a time.
type Watcher struct {
	f   *os.File
	buf []byte

	mu      sync.Mutex
	dirs    map[int32]string // watch descriptor -> directory
	wds     map[string]int32 // directory -> watch descriptor
	closing bool
}

// New opens an inotify instance with IN_NONBLOCK|IN_CLOEXEC.
func New() (*Watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, wrap("inotify: inotify_init1", err)
	}
	return &Watcher{
		f:    os.NewFile(uintptr(fd), "inotify"),
		buf:  make([]byte, readBufLen),
		dirs: make(map[int32]string),
		wds:  make(map[string]int32),
	}, nil
}

// AddDir watches directory dir for the events in mask, or DefaultMask when
// mask is 0. It fails with ENOTDIR when dir is not a directory
// (IN_ONLYDIR). Adding a directory again replaces its mask. The kernel
// keys watches by inode: two paths of one directory (a symlink, a bind
// mount) share a watch, and its events carry the path added last.
func (w *Watcher) AddDir(dir string, mask uint32) error {
	if mask == 0 {
		mask = DefaultMask
	}
	var wd int
	var addErr error
	err := w.control(func(fd int) {
		wd, addErr = unix.InotifyAddWatch(fd, dir, mask|unix.IN_ONLYDIR)
	})
	if err != nil {
		return err
	}
	if addErr != nil {
		return wrap("inotify: watch "+dir, addErr)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// A directory re-added after its inode changed gets a new descriptor;
	// the old one is forgotten when its Ignored event arrives.
	w.dirs[int32(wd)] = dir
	w.wds[dir] = int32(wd)
	return nil
}

// RemoveDir stops watching dir. The kernel's final Ignored event for it is
// not reported, since the caller asked for it.
func (w *Watcher) RemoveDir(dir string) error {
	w.mu.Lock()
	wd, ok := w.wds[dir]
	if ok {
		delete(w.wds, dir)
		delete(w.dirs, wd)
	}
	w.mu.Unlock()
	if !ok {
		return errors.New("inotify: remove " + dir + ": not watched")
	}
	var rmErr error
	err := w.control(func(fd int) {
		_, rmErr = unix.InotifyRmWatch(fd, uint32(wd))
	})
	if err != nil {
		return err
	}
	// EINVAL means the kernel already dropped the watch (the directory
	// was deleted); the caller's intent is met either way.
	if rmErr != nil && !errors.Is(rmErr, unix.EINVAL) {
		return wrap("inotify: remove "+dir, rmErr)
	}
	return nil
}

// Read blocks until events arrive and returns them in kernel order. When
// the batch held an overflow record it returns the other events of the
// batch together with ErrOverflow; the watcher keeps working. After Close
// it returns ErrClosed. Events for watches already removed with RemoveDir
// are dropped.
func (w *Watcher) Read() ([]Event, error) {
	for {
		n, err := w.f.Read(w.buf)
		if err != nil {
			if errors.Is(err, os.ErrClosed) {
				return nil, ErrClosed
			}
			return nil, wrap("inotify: read", err)
		}
		raw, err := Decode(w.buf[:n])
		evs, overflow := w.resolve(raw)
		if err != nil {
			// The kernel never writes a malformed record; treat one as lost
			// events so the caller resynchronises.
			return evs, &wrapError{msg: ErrOverflow.Error() + " (" + err.Error() + ")", err: ErrOverflow}
		}
		if overflow {
			return evs, ErrOverflow
		}
		if len(evs) > 0 {
			return evs, nil
		}
	}
}

// resolve maps watch descriptors to directories, forgets watches the
// kernel dropped (Ignored) and reports whether an overflow record was seen.
func (w *Watcher) resolve(raw []RawEvent) (evs []Event, overflow bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range raw {
		if r.Mask&QueueOverflow != 0 {
			overflow = true
			continue
		}
		dir, ok := w.dirs[r.Wd]
		if !ok {
			continue
		}
		if r.Mask&Ignored != 0 {
			delete(w.dirs, r.Wd)
			if w.wds[dir] == r.Wd {
				delete(w.wds, dir)
			}
		}
		evs = append(evs, Event{Dir: dir, Name: r.Name, Mask: r.Mask, Cookie: r.Cookie})
	}
	return evs, overflow
}

// Close releases the descriptor and all its watches, and unblocks a
// pending Read, which then returns ErrClosed. Closing twice returns
// ErrClosed.
func (w *Watcher) Close() error {
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return ErrClosed
	}
	w.closing = true
	w.mu.Unlock()
	if err := w.f.Close(); err != nil {
		return wrap("inotify: close", err)
	}
	return nil
}

// control runs fn with the raw descriptor, guarded against a concurrent
// Close by the os.File's reference count.
func (w *Watcher) control(fn func(fd int)) error {
	if w.closed() {
		return ErrClosed
	}
	rc, err := w.f.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) { fn(int(fd)) })
	}
	if err != nil && w.closed() {
		return ErrClosed
	}
	if err != nil {
		return wrap("inotify", err)
	}
	return nil
}

func (w *Watcher) closed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closing
}
