package rtnl

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// ne is the byte order of every netlink field: the host's.
var ne = binary.NativeEndian

// #define NLMSG_ALIGNTO	4U
// #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) )
func nlmsgAlign(n int) int { return (n + 3) &^ 3 }

// #define NLMSG_HDRLEN	 ((int) NLMSG_ALIGN(sizeof(struct nlmsghdr)))
const nlmsgHdrLen = 16

// #define RTA_ALIGNTO	4U
// #define RTA_ALIGN(len) ( ((len)+RTA_ALIGNTO-1) & ~(RTA_ALIGNTO-1) )
// (NLA_ALIGN is the same macro for struct nlattr.)
func rtaAlign(n int) int { return (n + 3) &^ 3 }

// header mirrors struct nlmsghdr (include/uapi/linux/netlink.h):
// len u32, type u16, flags u16, seq u32, pid u32.
type header struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
	Pid   uint32
}

// message is one netlink message of a datagram: its header, its payload
// (the bytes after the header, up to nlmsg_len) and the whole message.
type message struct {
	header
	Data []byte
	Raw  []byte
}

func (h header) put(b []byte) {
	ne.PutUint32(b[0:4], h.Len)
	ne.PutUint16(b[4:6], h.Type)
	ne.PutUint16(b[6:8], h.Flags)
	ne.PutUint32(b[8:12], h.Seq)
	ne.PutUint32(b[12:16], h.Pid)
}

func parseHeader(b []byte) header {
	return header{
		Len:   ne.Uint32(b[0:4]),
		Type:  ne.Uint16(b[4:6]),
		Flags: ne.Uint16(b[6:8]),
		Seq:   ne.Uint32(b[8:12]),
		Pid:   ne.Uint32(b[12:16]),
	}
}

// splitMessages cuts one datagram into messages. Each message must hold a
// whole header and fit in what is left. The last message may be unaligned
// without padding (mdlayher/netlink#116): the cursor then simply ends.
func splitMessages(b []byte) ([]message, error) {
	var msgs []message
	for off := 0; off < len(b); {
		rest := len(b) - off
		if rest < nlmsgHdrLen {
			return msgs, truncatedRecord("message", off, nlmsgHdrLen, "header bytes", rest)
		}
		h := parseHeader(b[off:])
		if h.Len < nlmsgHdrLen {
			return msgs, messageError(off, "nlmsg_len "+strconv.FormatUint(uint64(h.Len), 10)+" below header size "+strconv.Itoa(nlmsgHdrLen))
		}
		if uint64(h.Len) > uint64(rest) {
			return msgs, messageError(off, "nlmsg_len "+strconv.FormatUint(uint64(h.Len), 10)+" exceeds the "+strconv.Itoa(rest)+" bytes left")
		}
		end := off + int(h.Len)
		msgs = append(msgs, message{header: h, Data: b[off+nlmsgHdrLen : end], Raw: b[off:end]})
		off = min(off+nlmsgAlign(int(h.Len)), len(b))
	}
	return msgs, nil
}

func messageError(off int, what string) error {
	return errors.New("rtnl: message at offset " + strconv.Itoa(off) + ": " + what)
}

// truncatedRecord reports a record (message, attribute, nexthop) at
// offset off of a list with fewer bytes left than its header:
// "rtnl: link: attribute at offset 8: want 4 header bytes, have 2".
func truncatedRecord(where string, off, want int, unit string, have int) error {
	return errors.New("rtnl: " + where + " at offset " + strconv.Itoa(off) + ": want " + strconv.Itoa(want) + " " + unit + ", have " + strconv.Itoa(have))
}

// badRecordLength reports a record at offset off whose length field l is
// outside lo..hi: "rtnl: route: nexthop at offset 0: length 4 outside 8..16".
func badRecordLength(where string, off, l, lo, hi int) error {
	return errors.New("rtnl: " + where + " at offset " + strconv.Itoa(off) + ": length " + strconv.Itoa(l) + " outside " + strconv.Itoa(lo) + ".." + strconv.Itoa(hi))
}

// shortError reports a payload of have bytes, shorter than the want bytes
// of its fixed header hdr: "rtnl: route: want 12 bytes of rtmsg, have 3".
func shortError(what, hdr string, want, have int) error {
	return errors.New("rtnl: " + what + ": want " + strconv.Itoa(want) + " bytes of " + hdr + ", have " + strconv.Itoa(have))
}

// encodeMessage builds a request: header then payload, nlmsg_len filled in.
func encodeMessage(typ, flags uint16, seq uint32, payload []byte) []byte {
	b := make([]byte, nlmsgHdrLen+len(payload))
	header{Len: uint32(len(b)), Type: typ, Flags: flags, Seq: seq}.put(b)
	copy(b[nlmsgHdrLen:], payload)
	return b
}
