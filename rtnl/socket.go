package rtnl

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// recvBufSize is the user buffer for one datagram. The kernel sizes dump
// datagrams from what recvmsg asked for, capped at 32 KiB
// (netlink_recvmsg's max_recvmsg_len); 64 KiB leaves room for single large
// link messages too. A datagram that still does not fit is reported
// (MSG_TRUNC), never silently cut.
const recvBufSize = 64 << 10

// socket is a NETLINK_ROUTE socket registered with the runtime poller, so
// a blocked receive ends when the socket is closed.
type socket struct {
	f   *os.File
	rc  syscall.RawConn
	pid uint32 // our port id, assigned by the kernel at bind
	buf []byte
	// closed is set by close: the poller's "use of closed file" error is
	// not os.ErrClosed, so errors are mapped with this flag instead.
	closed atomic.Bool
}

// openSocket creates and binds a rtnetlink socket in the calling thread's
// network namespace (bind with nl_pid 0: the kernel picks the port id).
func openSocket() (*socket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, wrap("rtnl: socket(AF_NETLINK, NETLINK_ROUTE)", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, wrap("rtnl: bind netlink socket", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, wrap("rtnl: getsockname", err)
	}
	nl, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		unix.Close(fd)
		// Without fmt's %T the address type is not named; a socket
		// opened as AF_NETLINK cannot report another family anyway.
		return nil, errors.New("rtnl: getsockname: want a netlink address, got another family")
	}
	f := os.NewFile(uintptr(fd), "rtnetlink")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, wrap("rtnl: netlink socket", err)
	}
	return &socket{f: f, rc: rc, pid: nl.Pid, buf: make([]byte, recvBufSize)}, nil
}

func (s *socket) setInt(level, opt, v int) error {
	var serr error
	err := s.rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), level, opt, v) })
	if err != nil {
		return s.closedErr(err)
	}
	return s.closedErr(serr)
}

func (s *socket) send(b []byte) error {
	var serr error
	err := s.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN
	})
	if err != nil {
		return s.closedErr(err)
	}
	return s.closedErr(serr)
}

// recv reads one datagram into s.buf, dropping any that is not from the
// kernel (sockaddr nl_pid != 0: anyone can unicast to our port id).
// trunc reports MSG_TRUNC: the datagram was larger than the buffer.
func (s *socket) recv() (b []byte, trunc bool, err error) {
	for {
		var n, flags int
		var from unix.Sockaddr
		var rerr error
		err := s.rc.Read(func(fd uintptr) bool {
			n, _, flags, from, rerr = unix.Recvmsg(int(fd), s.buf, nil, 0)
			return rerr != unix.EAGAIN
		})
		if err != nil {
			return nil, false, s.closedErr(err)
		}
		if rerr == unix.EINTR {
			continue
		}
		if rerr != nil {
			return nil, false, s.closedErr(rerr)
		}
		if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
			continue
		}
		return s.buf[:min(n, len(s.buf))], flags&unix.MSG_TRUNC != 0, nil
	}
}

// drain discards the datagrams queued on the socket, without waiting, up
// to limit of them. After an overrun the kernel marks a netlink socket
// congested and silently drops every later notification until its queue
// has been read empty (net/netlink/af_netlink.c: netlink_overrun,
// netlink_rcv_wake); draining ends that at once.
func (s *socket) drain(limit int) error {
	var rerr error
	for range limit {
		err := s.rc.Read(func(fd uintptr) bool {
			_, _, _, _, rerr = unix.Recvmsg(int(fd), s.buf, nil, unix.MSG_DONTWAIT)
			return true
		})
		if err != nil {
			return s.closedErr(err)
		}
		if rerr == unix.EAGAIN {
			return nil
		}
	}
	return nil
}

func (s *socket) portID() uint32 { return s.pid }

func (s *socket) close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	return s.f.Close()
}

// closedErr reports any error of a closed socket as ErrClosed.
func (s *socket) closedErr(err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() || errors.Is(err, os.ErrClosed) {
		return ErrClosed
	}
	return err
}
