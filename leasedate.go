package main

import "time"

// parseLeaseDate reads dhclient's "YYYY/MM/DD HH:MM:SS" (UTC, as its
// gmtime writes it), rejecting dates that do not exist, as time.Parse
// with the layout "2006/01/02 15:04:05" does. time.Parse's layout engine
// costs the binary 12 KB; time.Date and Format are linked anyway.
func parseLeaseDate(s string) (time.Time, bool) {
	const shape = "0000/00/00 00:00:00" // '0' stands for a digit
	if len(s) != len(shape) {
		return time.Time{}, false
	}
	var f [6]int // year, month, day, hour, minute, second
	k := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case shape[i] != '0':
			if c != shape[i] {
				return time.Time{}, false
			}
			k++
		case c < '0' || c > '9':
			return time.Time{}, false
		default:
			f[k] = f[k]*10 + int(c-'0')
		}
	}
	y, mo, d, h, mi, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // normalised: 2026/02/30 is March 2
		return time.Time{}, false
	}
	return t, true
}
