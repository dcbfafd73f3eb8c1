package inotify

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// record re-captures testdata/*.inotify from the running kernel:
//
//	go test -run '^TestRecorded$' -record ./inotify
var record = flag.Bool("record", false, "re-record testdata/*.inotify from the kernel")

// recordLeaseScenario watches a fresh directory on a raw inotify
// descriptor, does to a lease file what dhclient and its neighbours do,
// deletes the directory, and returns the raw bytes the kernel wrote.
func recordLeaseScenario(t *testing.T) []byte {
	t.Helper()
	fd := rawInotify(t)
	dir := filepath.Join(t.TempDir(), "dhcp")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, DefaultMask|unix.IN_ONLYDIR); err != nil {
		t.Fatal(err)
	}
	lease := filepath.Join(dir, "dhclient.eth0.leases")
	write(t, lease, os.O_CREATE|os.O_WRONLY, "lease {\n")
	write(t, lease, os.O_WRONLY|os.O_APPEND, "}\n")
	if err := os.Truncate(lease, 0); err != nil {
		t.Fatal(err)
	}
	write(t, lease+".new", os.O_CREATE|os.O_WRONLY, "lease {}\n")
	if err := os.Rename(lease+".new", lease); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a-directory-with-a-name-longer-than-sixteen")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	// One by one, not RemoveAll: the order must not depend on readdir.
	for _, p := range []string{lease, sub, dir} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	return rawRead(t, fd, readBufLen)
}

// recordOverflow fills the queue past max_queued_events and returns the
// last read, which ends with the IN_Q_OVERFLOW record (wd -1).
func recordOverflow(t *testing.T) []byte {
	t.Helper()
	fd := rawInotify(t)
	dir := t.TempDir()
	if _, err := unix.InotifyAddWatch(fd, dir, Create|unix.IN_ONLYDIR); err != nil {
		t.Fatal(err)
	}
	limit := maxQueued(t)
	for i := 0; i <= limit; i++ {
		if err := unix.Mknod(filepath.Join(dir, "f"+strconv.Itoa(i)), unix.S_IFREG|0o600, 0); err != nil {
			t.Fatal(err)
		}
	}
	// A read buffer of minReadLen keeps the final chunk, and so the seed,
	// small: the last few creates followed by the overflow record.
	var last []byte
	for {
		b := rawRead(t, fd, minReadLen)
		if len(b) == 0 {
			return last
		}
		last = b
	}
}

func rawInotify(t *testing.T) int {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// rawRead returns one read(2) of up to size bytes, or nothing when the
// queue is empty.
func rawRead(t *testing.T, fd, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	n, err := unix.Read(fd, b)
	if err == unix.EAGAIN {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b[:n]
}
