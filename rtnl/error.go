package rtnl

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// Error is the kernel's answer to a request that failed: the errno of the
// NLMSG_ERROR message and, when the kernel gave one, the extended-ack text
// (NLMSGERR_ATTR_MSG). errors.Is(err, unix.EEXIST) and friends work.
type Error struct {
	Errno unix.Errno // the positive errno
	Msg   string     // extended ack message, may be empty
	Op    string     // what was asked: "add rule", "dump routes", ...
}

// Error formats as "rtnl: OP: ERRNO TEXT[: EXTACK MESSAGE]".
func (e *Error) Error() string {
	s := "rtnl: " + e.Op + ": " + e.Errno.Error()
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Unwrap exposes the errno to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Errno }

var (
	// ErrOverrun says notifications were lost (ENOBUFS and any other
	// receive error, a truncated or malformed datagram): resync by dumping.
	ErrOverrun = errors.New("rtnl: notifications lost, resync needed")
	// ErrClosed is returned by a Monitor or Conn used after Close.
	ErrClosed = errors.New("rtnl: closed")
	// ErrDumpInterrupted is returned, with the last result, when a dump
	// kept being interrupted by changes (NLM_F_DUMP_INTR) after every retry.
	ErrDumpInterrupted = errors.New("rtnl: dump interrupted by concurrent changes, retries exhausted")
)

// wrapError does what fmt.Errorf's %w does, without fmt, which the package
// avoids for the size of the binaries that use it: msg is the whole text,
// and errors.Is and errors.As see err.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// prefixError reads "prefix: err" and unwraps to err. Like os.PathError it
// builds its text only when asked, which keeps the many wrap sites small.
type prefixError struct {
	prefix string
	err    error
}

func (e *prefixError) Error() string { return e.prefix + ": " + e.err.Error() }
func (e *prefixError) Unwrap() error { return e.err }

// wrap returns an error reading "prefix: err" that unwraps to err.
func wrap(prefix string, err error) error {
	return &prefixError{prefix: prefix, err: err}
}

// struct nlmsgerr (include/uapi/linux/netlink.h): int error, then the
// request's nlmsghdr, then its payload unless NLM_F_CAPPED, then TLVs if
// NLM_F_ACK_TLVS. The same layout carries a dump's error in NLMSG_DONE
// (an int, then TLVs).
const sizeofNlmsgerr = 4 + nlmsgHdrLen

// errnoOf reads the int error of an NLMSG_ERROR or NLMSG_DONE payload.
func errnoOf(b []byte) (int32, error) {
	if len(b) < 4 {
		return 0, shortError("error message", "error code", 4, len(b))
	}
	return int32(ne.Uint32(b)), nil
}

// decodeError turns an NLMSG_ERROR message into nil (an ACK) or an *Error
// with the extended-ack text when there is one.
func decodeError(m message, op string) error {
	code, err := errnoOf(m.Data)
	if err != nil {
		return err
	}
	if code == 0 {
		return nil
	}
	if code > 0 || code < -4095 {
		return errors.New("rtnl: " + op + ": error message: errno " + strconv.Itoa(int(code)) + " out of range")
	}
	e := &Error{Errno: unix.Errno(-code), Op: op}
	if m.Flags&unix.NLM_F_ACK_TLVS == 0 || len(m.Data) < sizeofNlmsgerr {
		return e
	}
	off := sizeofNlmsgerr
	if m.Flags&unix.NLM_F_CAPPED == 0 {
		// The whole request is echoed; skip its payload too.
		reqLen := int(ne.Uint32(m.Data[4:8]))
		if reqLen < nlmsgHdrLen || 4+reqLen > len(m.Data) {
			return e
		}
		off = min(4+nlmsgAlign(reqLen), len(m.Data))
	}
	e.Msg = extackMsg(m.Data[off:])
	return e
}

// extackMsg finds NLMSGERR_ATTR_MSG among the ack TLVs; a malformed TLV
// list only costs the message text, never the errno.
func extackMsg(b []byte) string {
	a := newAttrs("extack", b)
	for a.Next() {
		if a.Type() == unix.NLMSGERR_ATTR_MSG {
			s := a.String()
			if a.Err() == nil {
				return s
			}
		}
	}
	return ""
}
