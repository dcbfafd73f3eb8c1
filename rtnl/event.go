package rtnl

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// Event is one decoded notification: Type is the message type
// (unix.RTM_NEWLINK, RTM_DELADDR, ...) and exactly one of the pointers is
// set, matching it.
type Event struct {
	Type  uint16
	Link  *Link
	Addr  *Address
	Route *Route
	Rule  *Rule
}

// DecodeMessages decodes one netlink datagram into events. It is a pure
// function of its input. Link, address, route and rule messages become
// events; NOOP, DONE, OVERRUN and message types it does not know are
// skipped, as are addresses, routes and rules of families other than
// IPv4/IPv6 (multicast routing, MPLS). NLMSG_ERROR, a malformed message or a
// malformed attribute is an error that names the message; events decoded
// before it are returned with it.
func DecodeMessages(b []byte) ([]Event, error) {
	msgs, err := splitMessages(b)
	if err != nil {
		return nil, err
	}
	evs := make([]Event, 0, len(msgs))
	for i, m := range msgs {
		ev, ok, err := decodeEvent(m)
		if err != nil {
			where := " (message " + strconv.Itoa(i) + " of the datagram, type " + strconv.Itoa(int(m.Type)) + ")"
			return evs, &wrapError{msg: err.Error() + where, err: err}
		}
		if ok {
			evs = append(evs, ev)
		}
	}
	return evs, nil
}

// decodeEvent decodes one message; ok is false for a message to skip.
func decodeEvent(m message) (ev Event, ok bool, err error) {
	ev.Type = m.Type
	switch m.Type {
	// Each decoder fills the event's struct in place: decoding into a
	// local and copying it to the heap costs a copy of the whole struct.
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		ev.Link = new(Link)
		err := decodeLink(m.Data, ev.Link)
		return ev, err == nil, err
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		if !ipFamily(m.Data) {
			return ev, false, nil
		}
		ev.Addr = new(Address)
		err := decodeAddress(m.Data, ev.Addr)
		return ev, err == nil, err
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		if !ipFamily(m.Data) {
			return ev, false, nil
		}
		ev.Route = new(Route)
		err := decodeRoute(m.Data, ev.Route)
		return ev, err == nil, err
	case unix.RTM_NEWRULE, unix.RTM_DELRULE:
		if !ipFamily(m.Data) {
			return ev, false, nil
		}
		ev.Rule = new(Rule)
		err := decodeRule(m.Data, ev.Rule)
		return ev, err == nil, err
	case unix.NLMSG_ERROR:
		return ev, false, decodeError(m, "notification")
	}
	return ev, false, nil
}

// ipFamily reports whether an address, route or rule payload is
// AF_INET/AF_INET6;
// a payload too short to tell is left to the decoder to reject.
func ipFamily(b []byte) bool {
	return len(b) == 0 || b[0] == afInet || b[0] == afInet6
}
