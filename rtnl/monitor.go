package rtnl

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// defaultGroups are the groups Subscribe joins when given none: links,
// IPv4/IPv6 addresses, routes and rules.
var defaultGroups = []uint32{
	unix.RTNLGRP_LINK,
	unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR,
	unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV6_ROUTE,
	unix.RTNLGRP_IPV4_RULE, unix.RTNLGRP_IPV6_RULE,
}

// defaultReadBuffer is the receive buffer a Monitor asks for: bursts of
// hundreds of changes fit (protocols.md §4.7: 4–8 MiB).
const defaultReadBuffer = 4 << 20

// drainMax bounds the datagrams discarded after an overrun, so a steady
// stream of changes cannot keep Receive draining forever.
const drainMax = 1 << 14

// Monitor receives change notifications. Receive must be called from one
// goroutine at a time; Close may be called from any.
type Monitor struct {
	s *socket
}

// Subscribe opens a notification socket in the calling thread's network
// namespace and joins the groups (RTNLGRP_* numbers) with
// NETLINK_ADD_MEMBERSHIP, which, unlike the legacy bitmask, reaches IPv6
// rules (group 19). No groups means links, IPv4/IPv6 addresses, IPv4/IPv6
// routes and IPv4/IPv6 rules (RTNLGRP_LINK, _IPV4_IFADDR, _IPV6_IFADDR,
// _IPV4_ROUTE, _IPV6_ROUTE, _IPV4_RULE, _IPV6_RULE). It asks for a 4 MiB
// receive buffer (SO_RCVBUFFORCE when privileged, else SO_RCVBUF, which the
// kernel caps at net.core.rmem_max).
//
// Subscribe before taking the dumps that start a cache, so no change falls
// between the dump and the first notification.
func Subscribe(groups ...uint32) (*Monitor, error) {
	if len(groups) == 0 {
		groups = defaultGroups
	}
	s, err := openSocket()
	if err != nil {
		return nil, err
	}
	m := &Monitor{s: s}
	for _, g := range groups {
		if err := s.setInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(g)); err != nil {
			s.close()
			return nil, wrap("rtnl: join group "+strconv.FormatUint(uint64(g), 10), err)
		}
	}
	if err := m.SetReadBuffer(defaultReadBuffer); err != nil {
		s.close()
		return nil, err
	}
	return m, nil
}

// SetReadBuffer sets the socket receive buffer to n bytes (the kernel
// doubles it for bookkeeping), with SO_RCVBUFFORCE when allowed so it can
// exceed net.core.rmem_max. Tests use a tiny one to force an overrun.
func (m *Monitor) SetReadBuffer(n int) error {
	err := m.s.setInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n)
	if errors.Is(err, unix.EPERM) {
		err = m.s.setInt(unix.SOL_SOCKET, unix.SO_RCVBUF, n)
	}
	if err != nil {
		return wrap("rtnl: set receive buffer to "+strconv.Itoa(n)+" bytes", err)
	}
	return nil
}

// Receive blocks until the kernel sends a datagram and returns its events
// (possibly none, for a datagram of messages it skips). Datagrams not from
// the kernel are dropped unseen.
//
// An error matching ErrOverrun means events were lost: a receive error
// (ENOBUFS when the buffer overflowed; also ENOMEM, EMSGSIZE), a datagram
// truncated by the buffer, or a malformed datagram. Resync with a dump
// taken after Receive returned, and keep calling Receive: the Monitor
// stays usable. After Close, Receive returns ErrClosed.
//
// On a receive error Receive first discards what is still queued: those
// changes are older than the caller's next dump, and until the queue is
// empty the kernel would silently drop every new notification.
func (m *Monitor) Receive() ([]Event, error) {
	b, trunc, err := m.s.recv()
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return nil, ErrClosed
		}
		if derr := m.s.drain(drainMax); errors.Is(derr, ErrClosed) {
			return nil, ErrClosed
		}
		return nil, overrun("receive", err)
	}
	if trunc {
		return nil, overrun("datagram larger than "+strconv.Itoa(len(m.s.buf))+" bytes truncated", nil)
	}
	evs, err := DecodeMessages(b)
	if err != nil {
		return evs, overrun("dropped malformed datagram", err)
	}
	return evs, nil
}

// overrun is ErrOverrun with why it happened; a cause stays visible to
// errors.Is (unix.ENOBUFS) and errors.As (*Error) beside ErrOverrun.
func overrun(why string, cause error) error {
	msg := ErrOverrun.Error() + ": " + why
	if cause == nil {
		return &wrapError{msg: msg, err: ErrOverrun}
	}
	return &wrapError{msg: msg + ": " + cause.Error(), err: errors.Join(ErrOverrun, cause)}
}

// Close closes the socket and unblocks a Receive in progress.
func (m *Monitor) Close() error { return m.s.close() }
