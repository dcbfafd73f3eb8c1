package main

import (
	"strconv"

	"golang.org/x/sys/unix"

	"network-broker/hooks"
)

// cloexecInherited sets close-on-exec on every descriptor above stderr
// that the daemon inherited: Go opens its own with O_CLOEXEC, but a
// parent that leaks a socket or pipe (a shell, a supervisor) would
// otherwise pass it through the daemon to every hook script. The
// descriptors stay open for the daemon itself.
func cloexecInherited() {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) != nil {
		cloexecFromProc() // kernels before 5.11
	}
}

// cloexecFromProc is cloexecInherited by the list in /proc/self/fd.
func cloexecFromProc() {
	names, _ := hooks.ReadDirNames("/proc/self/fd")
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
		}
	}
}
