package main

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
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
	uid, gid, err := lookupUser("/etc/passwd", name)
	if err != nil {
		return false, wrap(quoted("user ", name, ""), err)
	}
	if uid == 0 {
		return false, textError(quoted("user ", name, ": want a non-root user, got uid 0"))
	}
	// Leave the bounding set with nothing but the kept capabilities, so
	// nothing a script runs can gain more.
	for c := uintptr(0); c <= unix.CAP_LAST_CAP; c++ {
		if !keeps(c) {
			if err := allThreads(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, c, 0); err != nil && !errors.Is(err, unix.EINVAL) {
				return false, wrap("drop capability "+strconv.Itoa(int(c))+" from the bounding set", err)
			}
		}
	}
	if err := allThreads(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0); err != nil {
		return false, wrap("keep capabilities across setuid", err)
	}
	if err := syscall.Setgroups(nil); err != nil {
		return false, wrap("setgroups", err)
	}
	if err := syscall.Setresgid(gid, gid, gid); err != nil {
		return false, wrap("setresgid "+strconv.Itoa(gid), err)
	}
	if err := syscall.Setresuid(uid, uid, uid); err != nil {
		return false, wrap("setresuid "+strconv.Itoa(uid), err)
	}
	if err := setCaps(keptCaps); err != nil {
		return true, err
	}
	if err := allThreads(unix.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 0, 0); err != nil {
		return true, wrap("clear keep-capabilities", err)
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
		return wrap("capset", err)
	}
	return nil
}

func allThreads(trap, a1, a2, a3 uintptr) error {
	_, _, e := syscall.AllThreadsSyscall(trap, a1, a2, a3)
	if e == syscall.ENOTSUP {
		return wrap("per-process privilege change unavailable: the binary was built with cgo (build with CGO_ENABLED=0)", e)
	}
	if e != 0 {
		return e
	}
	return nil
}

// lookupUser finds name's uid and gid in a passwd(5) file. It reads the
// file itself, as os/user does in a binary built without cgo, and skips
// what it skips: blank and comment lines, NIS "+"/"-" entries, lines of
// fewer than seven fields and entries whose uid or gid is not a number.
// Like it, it does not ask NSS modules (LDAP, systemd's dynamic users).
func lookupUser(path, name string) (uid, gid int, err error) {
	data, err := readFile(path)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		// name:password:uid:gid:gecos:home:shell
		f := strings.SplitN(line, ":", 7)
		if len(f) < 7 || f[0] != name {
			continue
		}
		// ParseUint, not Atoi: uid -1 would make setresuid keep root.
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 == nil && err2 == nil {
			return int(uid), int(gid), nil
		}
	}
	return 0, 0, textError("unknown user " + name + " in " + path)
}
