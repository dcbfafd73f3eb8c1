package rtnl

import (
	"errors"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// dumpRetries bounds how often a dump interrupted by concurrent changes
// (NLM_F_DUMP_INTR) is taken again before ErrDumpInterrupted.
const dumpRetries = 5

// Conn is a request socket: dumps and changes. Its methods may be called
// from several goroutines; requests are serialised. Notifications go to a
// separate Monitor socket, as the kernel documentation advises.
type Conn struct {
	mu  sync.Mutex
	s   transport
	seq uint32
}

// transport is what a Conn needs of its socket; tests replace it with a
// scripted fake to exercise reply handling without a kernel.
type transport interface {
	send(b []byte) error
	// recv returns one datagram from the kernel and whether it was
	// truncated (MSG_TRUNC).
	recv() (b []byte, trunc bool, err error)
	portID() uint32
	close() error
}

// Dial opens a request socket in the calling thread's network namespace,
// with extended acks (NETLINK_EXT_ACK) and capped acks (NETLINK_CAP_ACK)
// when the kernel offers them.
func Dial() (*Conn, error) {
	s, err := openSocket()
	if err != nil {
		return nil, err
	}
	// Both options are best effort: older kernels answer ENOPROTOOPT and
	// then errors simply carry no message text.
	_ = s.setInt(unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	_ = s.setInt(unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	return &Conn{s: s}, nil
}

// Close closes the socket; a request in progress fails with ErrClosed.
func (c *Conn) Close() error { return c.s.close() }

// nextSeq returns the next sequence number, skipping 0 (broadcasts).
func (c *Conn) nextSeq() uint32 {
	c.seq++
	if c.seq == 0 {
		c.seq = 1
	}
	return c.seq
}

// execute sends one request and collects the replies that belong to it
// (seq and our port id), up to the ACK, the error, or NLMSG_DONE of a dump.
// intr reports NLM_F_DUMP_INTR on any reply.
func (c *Conn) execute(op string, typ, flags uint16, payload []byte) (msgs []message, intr bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := c.nextSeq()
	flags |= unix.NLM_F_REQUEST | unix.NLM_F_ACK
	if err := c.s.send(encodeMessage(typ, flags, seq, payload)); err != nil {
		return nil, false, wrap("rtnl: "+op+": send", err)
	}
	for {
		b, trunc, err := c.s.recv()
		if err != nil {
			return nil, intr, wrap("rtnl: "+op+": receive", err)
		}
		if trunc {
			return nil, intr, errors.New("rtnl: " + op + ": reply larger than " + strconv.Itoa(recvBufSize) + " bytes was truncated")
		}
		got, err := splitMessages(b)
		if err != nil {
			return nil, intr, wrap("rtnl: "+op, err)
		}
		for _, m := range got {
			if m.Seq != seq || m.Pid != c.s.portID() {
				continue // a late reply to an earlier request
			}
			intr = intr || m.Flags&unix.NLM_F_DUMP_INTR != 0
			switch m.Type {
			case unix.NLMSG_ERROR:
				return msgs, intr, decodeError(m, op)
			case unix.NLMSG_DONE:
				return msgs, intr, doneError(m, op)
			case unix.NLMSG_NOOP, unix.NLMSG_OVERRUN:
				continue
			}
			// Copy: the receive buffer is reused for the next datagram.
			m.Raw = append([]byte(nil), m.Raw...)
			m.Data = m.Raw[nlmsgHdrLen:]
			msgs = append(msgs, m)
		}
	}
}

// doneError reads the error a dump may report in NLMSG_DONE (an int,
// then extack TLVs); an empty DONE payload is success too.
func doneError(m message, op string) error {
	if len(m.Data) == 0 {
		return nil
	}
	code, err := errnoOf(m.Data)
	if err != nil || code == 0 {
		return err
	}
	if code > 0 || code < -4095 {
		return errors.New("rtnl: " + op + ": NLMSG_DONE: errno " + strconv.Itoa(int(code)) + " out of range")
	}
	e := &Error{Errno: unix.Errno(-code), Op: op}
	if m.Flags&unix.NLM_F_ACK_TLVS != 0 {
		e.Msg = extackMsg(m.Data[4:])
	}
	return e
}

// dump runs a dump request, taking it again while NLM_F_DUMP_INTR says a
// change raced with it, at most dumpRetries times.
func (c *Conn) dump(op string, typ uint16, payload []byte) ([]message, error) {
	for try := 0; ; try++ {
		msgs, intr, err := c.execute(op, typ, unix.NLM_F_DUMP, payload)
		if err != nil || !intr {
			return msgs, err
		}
		if try == dumpRetries {
			return msgs, wrap("rtnl: "+op, ErrDumpInterrupted)
		}
	}
}

// dumpEach dumps and passes the payload of each reply of type want to dec,
// stopping at its first error. It returns ErrDumpInterrupted (wrapped) when
// every reply was decoded but the dump kept being interrupted.
//
// The decoders reach it through closures that decode into a new last
// element of a typed slice: a generic dump would be compiled once per
// result type, and these are all structs of different shapes. An element
// left half-decoded by an error goes with the rest: dumpResult drops the
// result of a failed dump.
func (c *Conn) dumpEach(op string, typ, want uint16, payload []byte, dec func([]byte) error) error {
	msgs, err := c.dump(op, typ, payload)
	if err != nil && !errors.Is(err, ErrDumpInterrupted) {
		return err
	}
	for i, m := range msgs {
		if m.Type != want {
			continue
		}
		if derr := dec(m.Data); derr != nil {
			return wrap("rtnl: "+op+": reply "+strconv.Itoa(i), derr)
		}
	}
	return err
}

// dumpResult returns what a dump collected, or nothing when it failed
// for another reason than ErrDumpInterrupted.
func dumpResult[T any](v []T, err error) ([]T, error) {
	if err != nil && !errors.Is(err, ErrDumpInterrupted) {
		return nil, err
	}
	return v, err
}

// families expands AF_UNSPEC to IPv4 then IPv6: an AF_UNSPEC dump of
// routes or rules would also return multicast-routing families.
func families(family uint8) ([]uint8, error) {
	switch family {
	case afUnspec:
		return []uint8{afInet, afInet6}, nil
	case afInet, afInet6:
		return []uint8{family}, nil
	}
	return nil, errors.New("rtnl: want family AF_UNSPEC, AF_INET or AF_INET6, got " + strconv.Itoa(int(family)))
}

// Links dumps all links (RTM_GETLINK).
func (c *Conn) Links() ([]Link, error) {
	links := []Link{} // an empty dump is an empty list, not nil
	err := c.dumpEach("dump links", unix.RTM_GETLINK, unix.RTM_NEWLINK, make([]byte, sizeofIfInfomsg), func(b []byte) error {
		links = append(links, Link{})
		return decodeLink(b, &links[len(links)-1])
	})
	return dumpResult(links, err)
}

// Addresses dumps the addresses of a family: unix.AF_INET, unix.AF_INET6,
// or unix.AF_UNSPEC for both (IPv4 first).
func (c *Conn) Addresses(family uint8) ([]Address, error) {
	var addrs []Address
	err := c.dumpFamilies(family, "dump addresses", unix.RTM_GETADDR, unix.RTM_NEWADDR, sizeofIfAddrmsg, func(b []byte) error {
		addrs = append(addrs, Address{})
		return decodeAddress(b, &addrs[len(addrs)-1])
	})
	return dumpResult(addrs, err)
}

// Routes dumps the routes of every table of a family (AF_UNSPEC = IPv4
// then IPv6), as `ip route show table all`.
func (c *Conn) Routes(family uint8) ([]Route, error) {
	var routes []Route
	err := c.dumpFamilies(family, "dump routes", unix.RTM_GETROUTE, unix.RTM_NEWROUTE, sizeofRtmsg, func(b []byte) error {
		routes = append(routes, Route{})
		return decodeRoute(b, &routes[len(routes)-1])
	})
	return dumpResult(routes, err)
}

// Rules dumps the policy rules of a family (AF_UNSPEC = IPv4 then IPv6).
func (c *Conn) Rules(family uint8) ([]Rule, error) {
	var rules []Rule
	err := c.dumpFamilies(family, "dump rules", unix.RTM_GETRULE, unix.RTM_NEWRULE, sizeofFibRuleHdr, func(b []byte) error {
		rules = append(rules, Rule{})
		return decodeRule(b, &rules[len(rules)-1])
	})
	return dumpResult(rules, err)
}

// dumpFamilies dumps one family at a time, with a zeroed family header
// of size hdr carrying the family in its first byte. The families'
// ErrDumpInterrupted errors are joined.
func (c *Conn) dumpFamilies(family uint8, op string, typ, want uint16, hdr int, dec func([]byte) error) error {
	fams, err := families(family)
	if err != nil {
		return err
	}
	var intr error
	for _, f := range fams {
		payload := make([]byte, hdr)
		payload[0] = f
		err := c.dumpEach(op, typ, want, payload, dec)
		if err != nil && !errors.Is(err, ErrDumpInterrupted) {
			return err
		}
		intr = errors.Join(intr, err)
	}
	return intr
}

// request sends a change and waits for the kernel's ACK or error.
func (c *Conn) request(op string, typ, flags uint16, payload []byte) error {
	_, _, err := c.execute(op, typ, flags, payload)
	return err
}

// AddRule adds a policy rule; an identical rule fails with unix.EEXIST
// (NLM_F_CREATE|NLM_F_EXCL).
func (c *Conn) AddRule(r Rule) error {
	b, err := encodeRule(r, true)
	if err != nil {
		return err
	}
	return c.request("add rule", unix.RTM_NEWRULE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, b)
}

// DeleteRule deletes the first rule matching r's set fields (zero = any);
// none matching is unix.ENOENT.
func (c *Conn) DeleteRule(r Rule) error {
	b, err := encodeRule(r, false)
	if err != nil {
		return err
	}
	return c.request("delete rule", unix.RTM_DELRULE, 0, b)
}

// AddRoute adds a route; an existing one with the same key fails with
// unix.EEXIST (NLM_F_CREATE|NLM_F_EXCL). Zero fields get `ip route add`'s
// defaults: table main, protocol boot, type unicast, scope link without a
// gateway, universe with one.
func (c *Conn) AddRoute(r Route) error {
	b, err := encodeRoute(r, true)
	if err != nil {
		return err
	}
	return c.request("add route", unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, b)
}

// ReplaceRoute adds a route or replaces the one with the same key
// (NLM_F_CREATE|NLM_F_REPLACE), with AddRoute's defaults.
func (c *Conn) ReplaceRoute(r Route) error {
	b, err := encodeRoute(r, true)
	if err != nil {
		return err
	}
	return c.request("replace route", unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, b)
}

// DeleteRoute deletes a route matching r's set fields (table 0 = main,
// other zero fields = any); none matching is unix.ESRCH.
func (c *Conn) DeleteRoute(r Route) error {
	b, err := encodeRoute(r, false)
	if err != nil {
		return err
	}
	return c.request("delete route", unix.RTM_DELROUTE, 0, b)
}
