package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// keptCaps are the only capabilities the daemon keeps: CAP_NET_ADMIN for
// rules and routes. Hook scripts get them as ambient capabilities.
var keptCaps = []uintptr{unix.CAP_NET_ADMIN}

// dropPrivileges switches the whole process, every OS thread, from root
// to the named user, keeping only keptCaps. Raw setuid(2) and capset(2)
// change one thread; a Go program has several, and a thread left as root
// would run some hook scripts as root (peers.md §6 item 17). So the uid and
// gid change through Go's all-threads setresuid/setresgid, and the
// per-thread capability calls through syscall.AllThreadsSyscall, which
// needs a binary built without cgo (make build does that).
//
// It returns false, and changes nothing, when not running as root or when
// name is "root".
func dropPrivileges(name string) (bool, error) {
	if os.Geteuid() != 0 || name == "root" {
		return false, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return false, fmt.Errorf("user %q: %w", name, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil || uid == 0 {
		return false, fmt.Errorf("user %q: want a non-root numeric uid and gid, got %s:%s", name, u.Uid, u.Gid)
	}
	// Leave the bounding set with nothing but the kept capabilities, so
	// nothing a script runs can gain more.
	for c := uintptr(0); c <= unix.CAP_LAST_CAP; c++ {
		if !keeps(c) {
			if err := allThreads(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, c, 0); err != nil && !errors.Is(err, unix.EINVAL) {
				return false, fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
			}
		}
	}
	if err := allThreads(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0); err != nil {
		return false, fmt.Errorf("keep capabilities across setuid: %w", err)
	}
	if err := syscall.Setgroups(nil); err != nil {
		return false, fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setresgid(gid, gid, gid); err != nil {
		return false, fmt.Errorf("setresgid %d: %w", gid, err)
	}
	if err := syscall.Setresuid(uid, uid, uid); err != nil {
		return false, fmt.Errorf("setresuid %d: %w", uid, err)
	}
	if err := setCaps(keptCaps); err != nil {
		return true, err
	}
	if err := allThreads(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 0, 0); err != nil {
		return true, fmt.Errorf("clear keep-capabilities: %w", err)
	}
	return true, nil
}

func keeps(c uintptr) bool {
	for _, k := range keptCaps {
		if k == c {
			return true
		}
	}
	return false
}

// setCaps makes caps the effective, permitted and inheritable sets of
// every thread (inheritable so hook scripts can get them as ambient).
func setCaps(caps []uintptr) error {
	// Heap values (new), which do not move, passed as uintptr.
	hdr := &unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := new([2]unix.CapUserData)
	for _, c := range caps {
		data[c/32].Effective |= 1 << (c % 32)
		data[c/32].Permitted |= 1 << (c % 32)
		data[c/32].Inheritable |= 1 << (c % 32)
	}
	// The only unsafe in the program: capset takes pointers, and
	// AllThreadsSyscall only uintptrs. Both values live until KeepAlive.
	err := allThreads(unix.SYS_CAPSET, uintptr(unsafe.Pointer(hdr)), uintptr(unsafe.Pointer(data)), 0)
	runtime.KeepAlive(hdr)
	runtime.KeepAlive(data)
	if err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}

func allThreads(trap, a1, a2, a3 uintptr) error {
	_, _, e := syscall.AllThreadsSyscall(trap, a1, a2, a3)
	if e == syscall.ENOTSUP {
		return fmt.Errorf("per-process privilege change unavailable: the binary was built with cgo (build with CGO_ENABLED=0): %w", e)
	}
	if e != 0 {
		return e
	}
	return nil
}
