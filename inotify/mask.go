package inotify

import (
	"strconv"
	"strings"
)

// Event bits, mirroring the IN_* constants of include/uapi/linux/inotify.h
// so callers need not import golang.org/x/sys/unix.
const (
	Access        uint32 = 0x1        // IN_ACCESS: file was read
	Modify        uint32 = 0x2        // IN_MODIFY: file was written, appended or truncated
	Attrib        uint32 = 0x4        // IN_ATTRIB: metadata changed
	CloseWrite    uint32 = 0x8        // IN_CLOSE_WRITE: a writer closed the file
	CloseNoWrite  uint32 = 0x10       // IN_CLOSE_NOWRITE: a reader closed the file
	Open          uint32 = 0x20       // IN_OPEN: file was opened
	MovedFrom     uint32 = 0x40       // IN_MOVED_FROM: entry renamed away (Cookie pairs it)
	MovedTo       uint32 = 0x80       // IN_MOVED_TO: entry renamed here (Cookie pairs it)
	Create        uint32 = 0x100      // IN_CREATE: entry created
	Delete        uint32 = 0x200      // IN_DELETE: entry deleted
	DeleteSelf    uint32 = 0x400      // IN_DELETE_SELF: the watched directory was deleted
	MoveSelf      uint32 = 0x800      // IN_MOVE_SELF: the watched directory was moved
	Unmount       uint32 = 0x2000     // IN_UNMOUNT: the file system was unmounted
	QueueOverflow uint32 = 0x4000     // IN_Q_OVERFLOW: events were lost
	Ignored       uint32 = 0x8000     // IN_IGNORED: the watch is gone
	IsDir         uint32 = 0x40000000 // IN_ISDIR: the entry is a directory

	// DefaultMask is what AddDir watches when given 0: enough to follow a
	// file that is created, appended to, truncated, rewritten, renamed over
	// or deleted, and to notice the directory itself going away.
	DefaultMask = Create | Modify | CloseWrite | MovedFrom | MovedTo | Delete | DeleteSelf | MoveSelf
)

// maskNames lists the bits in the order inotifywait prints them.
var maskNames = []struct {
	bit  uint32
	name string
}{
	{Access, "ACCESS"}, {Modify, "MODIFY"}, {Attrib, "ATTRIB"},
	{CloseWrite, "CLOSE_WRITE"}, {CloseNoWrite, "CLOSE_NOWRITE"}, {Open, "OPEN"},
	{MovedFrom, "MOVED_FROM"}, {MovedTo, "MOVED_TO"}, {Create, "CREATE"},
	{Delete, "DELETE"}, {DeleteSelf, "DELETE_SELF"}, {MoveSelf, "MOVE_SELF"},
	{Unmount, "UNMOUNT"}, {QueueOverflow, "Q_OVERFLOW"}, {Ignored, "IGNORED"},
	{IsDir, "ISDIR"},
}

// MaskString names the bits of mask, joined by '|', for logs, e.g.
// "CREATE|ISDIR". Unknown bits are shown in hex.
func MaskString(mask uint32) string {
	var parts []string
	for _, m := range maskNames {
		if mask&m.bit != 0 {
			parts = append(parts, m.name)
			mask &^= m.bit
		}
	}
	if mask != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(mask), 16))
	}
	return strings.Join(parts, "|")
}
