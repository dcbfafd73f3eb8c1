package inotify

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// Sizes from include/uapi/linux/inotify.h and include/uapi/linux/limits.h.
const (
	// headerLen is sizeof(struct inotify_event) without the name:
	// int wd; uint32_t mask; uint32_t cookie; uint32_t len.
	headerLen = 16
	// nameMax mirrors #define NAME_MAX 255.
	nameMax = 255
	// maxNameLen is the largest len the kernel writes: the name, its NUL,
	// padded up to a multiple of headerLen (fs/notify/inotify/inotify_user.c
	// round_event_name_len), so 255+1 rounded to 16 = 256.
	maxNameLen = (nameMax + 1 + headerLen - 1) / headerLen * headerLen
	// minReadLen is the smallest read buffer the kernel accepts for one
	// event with the longest name; a smaller one gets EINVAL.
	minReadLen = headerLen + nameMax + 1
)

// RawEvent is one record of the kernel's inotify stream, struct
// inotify_event in include/uapi/linux/inotify.h, with the NUL padding of
// the name removed.
type RawEvent struct {
	Wd     int32  // watch descriptor; -1 with QueueOverflow
	Mask   uint32 // IN_* bits
	Cookie uint32 // pairs MovedFrom with MovedTo
	Name   string // entry name inside the watched directory; empty for the directory itself
}

// Decode splits buf, the bytes of one read(2) on an inotify descriptor,
// into its records. Every length is checked before it is used: a record
// must hold its 16-byte header, a len no larger than 256 (NAME_MAX+1
// padded) and no larger than what is left, and a non-empty name must be
// NUL-terminated. On malformed input Decode returns the records before the
// bad one and an error naming its offset.
func Decode(buf []byte) ([]RawEvent, error) {
	var evs []RawEvent
	for off := 0; off < len(buf); {
		rest := buf[off:]
		if len(rest) < headerLen {
			return evs, recordError(off, "want "+strconv.Itoa(headerLen)+" header bytes, have "+strconv.Itoa(len(rest)))
		}
		ev := RawEvent{
			Wd:     int32(binary.NativeEndian.Uint32(rest[0:4])),
			Mask:   binary.NativeEndian.Uint32(rest[4:8]),
			Cookie: binary.NativeEndian.Uint32(rest[8:12]),
		}
		n := binary.NativeEndian.Uint32(rest[12:16])
		if n > maxNameLen {
			return evs, recordError(off, "name length "+strconv.FormatUint(uint64(n), 10)+" exceeds "+strconv.Itoa(maxNameLen))
		}
		if uint64(n) > uint64(len(rest)-headerLen) {
			return evs, recordError(off, "name length "+strconv.FormatUint(uint64(n), 10)+", only "+strconv.Itoa(len(rest)-headerLen)+" bytes left")
		}
		name, err := decodeName(rest[headerLen : headerLen+int(n)])
		if err != nil {
			return evs, wrap("inotify: record at offset "+strconv.Itoa(off), err)
		}
		ev.Name = name
		evs = append(evs, ev)
		off += headerLen + int(n)
	}
	return evs, nil
}

func recordError(off int, what string) error {
	return errors.New("inotify: record at offset " + strconv.Itoa(off) + ": " + what)
}

// decodeName returns the name up to its NUL terminator; the kernel pads
// with NULs, so only the first one counts.
func decodeName(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), nil
		}
	}
	return "", errors.New("name of " + strconv.Itoa(len(b)) + " bytes: want NUL terminator, got none")
}
