package inotify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLeaseFileLifecycle walks a lease file through everything dhclient
// and its neighbours do to it (protocols.md §5) and checks the events.
func TestLeaseFileLifecycle(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	if err := h.w.AddDir(dir, 0); err != nil {
		t.Fatal(err)
	}
	lease := filepath.Join(dir, "dhclient.eth0.leases")
	const name = "dhclient.eth0.leases"

	write(t, lease, os.O_CREATE|os.O_WRONLY|os.O_EXCL, "lease {\n")
	mustHave(t, "create", h.sync(dir), dir, name, Create, Modify, CloseWrite)

	// dhclient keeps the file open and appends with fflush+fsync.
	f, err := os.OpenFile(lease, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("}\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	evs := h.sync(dir)
	mustHave(t, "append", evs, dir, name, Modify)
	if has(evs, dir, name, CloseWrite) {
		t.Fatalf("append: CloseWrite before close: %v", evs)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "close", h.sync(dir), dir, name, CloseWrite)

	if err := os.Truncate(lease, 0); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "truncate", h.sync(dir), dir, name, Modify)

	// The rewrite of dhclient: fopen(path, "w") on the same inode.
	write(t, lease, os.O_WRONLY|os.O_TRUNC, "lease {}\n")
	evs = h.sync(dir)
	mustHave(t, "rewrite", evs, dir, name, Modify, CloseWrite)
	if has(evs, dir, name, Create) {
		t.Fatalf("rewrite in place: unexpected Create: %v", evs)
	}

	tmp := filepath.Join(dir, "leases.tmp")
	write(t, tmp, os.O_CREATE|os.O_WRONLY, "lease {}\n")
	if err := os.Rename(tmp, lease); err != nil {
		t.Fatal(err)
	}
	evs = h.sync(dir)
	from, to := index(evs, dir, "leases.tmp", MovedFrom), index(evs, dir, name, MovedTo)
	if from < 0 || to < 0 || from > to {
		t.Fatalf("rename over: want MovedFrom leases.tmp then MovedTo %s, got %v", name, evs)
	}
	if evs[from].Cookie == 0 || evs[from].Cookie != evs[to].Cookie {
		t.Fatalf("rename over: cookies %d and %d should pair", evs[from].Cookie, evs[to].Cookie)
	}

	if err := os.Remove(lease); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "delete", h.sync(dir), dir, name, Delete)

	write(t, lease, os.O_CREATE|os.O_WRONLY, "lease {}\n")
	mustHave(t, "recreate", h.sync(dir), dir, name, Create, CloseWrite)

	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "mkdir", h.sync(dir), dir, "sub", Create|IsDir)
}

// TestWatchedDirDeleted checks that losing the directory is reported
// (DeleteSelf, then Ignored) and that the caller can re-arm it.
func TestWatchedDirDeleted(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(t.TempDir(), "dhcp")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := h.w.AddDir(dir, 0); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "a.leases"), os.O_CREATE|os.O_WRONLY, "x")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	evs := h.until(func(e Event) bool { return e.Mask&Ignored != 0 })
	mustHave(t, "rmdir", evs, dir, "a.leases", Delete)
	mustHave(t, "rmdir", evs, dir, "", DeleteSelf, Ignored)

	if err := h.w.AddDir(dir, 0); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("AddDir of a missing dir: want ENOENT, got %v", err)
	}
	if err := h.w.RemoveDir(dir); err == nil {
		t.Fatal("RemoveDir after Ignored: want not watched error, got nil")
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := h.w.AddDir(dir, 0); err != nil {
		t.Fatalf("re-arm: %v", err)
	}
	write(t, filepath.Join(dir, "a.leases"), os.O_CREATE|os.O_WRONLY, "x")
	mustHave(t, "after re-arm", h.sync(dir), dir, "a.leases", Create, CloseWrite)
}

// TestWatchedDirMoved checks MoveSelf, after which the caller re-arms by
// path: the old watch follows the inode to its new name.
func TestWatchedDirMoved(t *testing.T) {
	h := newHarness(t)
	base := t.TempDir()
	dir, moved := filepath.Join(base, "a"), filepath.Join(base, "b")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := h.w.AddDir(dir, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	evs := h.until(func(e Event) bool { return e.Mask&MoveSelf != 0 })
	mustHave(t, "move", evs, dir, "", MoveSelf)
	if err := h.w.RemoveDir(dir); err != nil {
		t.Fatalf("RemoveDir after MoveSelf: %v", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := h.w.AddDir(dir, 0); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(moved, "old"), os.O_CREATE|os.O_WRONLY, "x")
	write(t, filepath.Join(dir, "new"), os.O_CREATE|os.O_WRONLY, "x")
	evs = h.sync(dir)
	mustHave(t, "re-armed", evs, dir, "new", Create)
	if has(evs, dir, "old", Create) {
		t.Fatalf("event from the moved-away dir still reported: %v", evs)
	}
}

// TestRemoveDir checks that a removed watch reports nothing more, not even
// its Ignored, while other watches keep working.
func TestRemoveDir(t *testing.T) {
	h := newHarness(t)
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := h.w.AddDir(d, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.w.RemoveDir(a); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(a, "f"), os.O_CREATE|os.O_WRONLY, "x")
	write(t, filepath.Join(b, "f"), os.O_CREATE|os.O_WRONLY, "x")
	evs := h.sync(b)
	mustHave(t, "other dir", evs, b, "f", Create)
	for _, e := range evs {
		if e.Dir == a {
			t.Fatalf("event for removed watch: %v", e)
		}
	}
	if err := h.w.RemoveDir(a); err == nil {
		t.Fatal("second RemoveDir: want error, got nil")
	}
}

func TestAddDirErrors(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	file := filepath.Join(t.TempDir(), "file")
	write(t, file, os.O_CREATE|os.O_WRONLY, "x")
	if err := w.AddDir(file, 0); !errors.Is(err, unix.ENOTDIR) {
		t.Fatalf("AddDir(file): want ENOTDIR, got %v", err)
	}
	if err := w.AddDir(file+".missing", 0); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("AddDir(missing): want ENOENT, got %v", err)
	}
}

// TestCloseUnblocksRead closes the watcher while Read waits on an empty
// queue and expects ErrClosed, then checks every method after Close.
func TestCloseUnblocksRead(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := w.AddDir(dir, 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := w.Read()
		done <- err
	}()
	// Give Read a moment to park on the poller; the test is valid either way.
	time.Sleep(20 * time.Millisecond)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Read after Close: want ErrClosed, got %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Close did not unblock Read")
	}
	if _, err := w.Read(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read: want ErrClosed, got %v", err)
	}
	if err := w.AddDir(dir, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddDir: want ErrClosed, got %v", err)
	}
	if err := w.RemoveDir(dir); !errors.Is(err, ErrClosed) {
		t.Fatalf("RemoveDir: want ErrClosed, got %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: want ErrClosed, got %v", err)
	}
}

// expects ErrOverflow, and checks the watcher still delivers events after.
func TestOverflow(t *testing.T) {
	limit := maxQueued(t)
	const most = 200000 // keep the test fast on hosts with a raised limit
	if limit > most {
		t.Skipf("max_queued_events is %d; overflowing it needs over %d files", limit, most)
	}
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir := t.TempDir()
	if err := w.AddDir(dir, Create); err != nil {
		t.Fatal(err)
	}
	// mknod: one syscall and exactly one Create per file, distinct names so
	// nothing coalesces.
	for i := 0; i <= limit; i++ {
		if err := unix.Mknod(filepath.Join(dir, fmt.Sprint("f", i)), unix.S_IFREG|0o600, 0); err != nil {
			t.Fatal(err)
		}
	}
	h := startHarness(t, w)
	seen := 0
	for {
		r := h.next()
		seen += len(r.evs)
		if errors.Is(r.err, ErrOverflow) {
			break
		}
		if r.err != nil {
			t.Fatalf("Read: %v", r.err)
		}
		if seen > limit {
			t.Fatalf("read %d events, more than the limit %d, without ErrOverflow", seen, limit)
		}
	}
	if seen != limit {
		t.Errorf("events before the overflow: got %d, want the queue limit %d", seen, limit)
	}
	if err := unix.Mknod(filepath.Join(dir, "late"), unix.S_IFREG|0o600, 0); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "after overflow", h.sync(dir), dir, "late", Create)
}

func TestMaskString(t *testing.T) {
	for _, c := range []struct {
		mask uint32
		want string
	}{
		{Create | IsDir, "CREATE|ISDIR"},
		{CloseWrite, "CLOSE_WRITE"},
		{QueueOverflow, "Q_OVERFLOW"},
		{Modify | 0x100000, "MODIFY|0x100000"},
		{0, ""},
	} {
		if got := MaskString(c.mask); got != c.want {
			t.Errorf("MaskString(%#x) = %q, want %q", c.mask, got, c.want)
		}
	}
	e := Event{Dir: "/d", Name: "f", Mask: Delete}
	if got := e.String(); got != "/d/f DELETE" {
		t.Errorf("Event.String() = %q", got)
	}
}
