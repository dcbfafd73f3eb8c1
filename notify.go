package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// sdNotify sends one datagram to $NOTIFY_SOCKET (sd_notify(3)) without
// libsystemd. With the variable unset it does nothing. A leading '@' names
// an abstract socket; x/sys maps it.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	if path[0] != '/' && path[0] != '@' {
		return textError(quoted("sd_notify: unsupported NOTIFY_SOCKET ", path, " (want a path or @abstract)"))
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return wrap("sd_notify: socket", err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, []byte(state), 0, &unix.SockaddrUnix{Name: path}); err != nil {
		return wrap("sd_notify: send to "+path, err)
	}
	return nil
}

// watchdogInterval returns half of WATCHDOG_USEC when the watchdog is meant
// for this process (WATCHDOG_PID empty or our PID), else 0.
func watchdogInterval() time.Duration {
	usec, err := strconv.ParseUint(os.Getenv("WATCHDOG_USEC"), 10, 63)
	if err != nil || usec == 0 {
		return 0
	}
	if p := os.Getenv("WATCHDOG_PID"); p != "" && strings.TrimSpace(p) != strconv.Itoa(os.Getpid()) {
		return 0
	}
	return time.Duration(usec) * time.Microsecond / 2
}
