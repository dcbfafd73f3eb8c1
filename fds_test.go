package main

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCloexecInherited opens a descriptor without O_CLOEXEC, as a leaky
// parent would pass one, and checks that both ways of marking it work.
func TestCloexecInherited(t *testing.T) {
	for name, mark := range map[string]func(){"close_range": cloexecInherited, "/proc/self/fd": cloexecFromProc} {
		fd, err := unix.Open(filepath.Join(t.TempDir(), "leak"), unix.O_CREAT|unix.O_RDWR, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC != 0 {
			t.Fatalf("%s: the descriptor has close-on-exec before the test", name)
		}
		mark()
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s: flags %#x, %v: want FD_CLOEXEC on an open descriptor", name, flags, err)
		}
		unix.Close(fd)
	}
}
