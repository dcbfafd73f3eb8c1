package main

import "time"

// parseLeaseDate reads dhclient's "YYYY/MM/DD HH:MM:SS" (UTC, as its
// gmtime writes it), rejecting dates that do not exist, as time.Parse
// with the layout "2006/01/02 15:04:05" does. time.Parse's layout engine
// costs the binary 12 KB; time.Date and Format are linked anyway.
func parseLeaseDate(s string) (time.Time, bool) {
	if len(s) != 19 || s[4] != '/' || s[7] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := num(0, 4), num(5, 2), num(8, 2)
	h, mi, sec := num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // normalised: 2026/02/30 is March 2
		return time.Time{}, false
	}
	return t, true
}
