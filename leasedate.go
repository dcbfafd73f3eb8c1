package main

import "time"

// parseLeaseDate reads dhclient's "YYYY/MM/DD HH:MM:SS" (UTC, as its
// gmtime writes it) and accepts what time.Parse accepts for the layout
// "2006/01/02 15:04:05": a one-digit hour, several spaces, a fraction of
// a second after '.' or ','. It rejects dates that do not exist.
// time.Parse's layout engine costs the binary 12 KB; time.Date and Format
// are linked anyway.
func parseLeaseDate(s string) (time.Time, bool) {
	r := dateReader{s: s, ok: true}
	y := r.num(4, 4)
	r.sep('/')
	mo := r.num(2, 2)
	r.sep('/')
	d := r.num(2, 2)
	r.sep(' ')
	h := r.num(1, 2)
	r.sep(':')
	mi := r.num(2, 2)
	r.sep(':')
	sec := r.num(2, 2)
	ns := r.fraction()
	if !r.ok || r.s != "" || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // normalised: 2026/02/30 is March 2
		return time.Time{}, false
	}
	return t, true
}

// dateReader consumes a date from s; ok turns false at the first thing
// that does not fit and stays false.
type dateReader struct {
	s  string
	ok bool
}

// num reads a number of min to max digits.
func (r *dateReader) num(min, max int) int {
	v, n := 0, 0
	for n < max && n < len(r.s) && r.s[n] >= '0' && r.s[n] <= '9' {
		v = v*10 + int(r.s[n]-'0')
		n++
	}
	r.ok = r.ok && n >= min
	r.s = r.s[n:]
	return v
}

// sep reads c; a space stands for one or more, as in time.Parse.
func (r *dateReader) sep(c byte) {
	r.ok = r.ok && r.s != "" && r.s[0] == c
	for r.ok && r.s != "" && r.s[0] == c {
		r.s = r.s[1:]
		if c != ' ' {
			break
		}
	}
}

// fraction reads an optional fraction of a second as nanoseconds, as
// time.Parse takes one after the seconds even when the layout has none:
// any number of digits, the tenth and later ignored.
func (r *dateReader) fraction() int {
	if len(r.s) < 2 || r.s[0] != '.' && r.s[0] != ',' || r.s[1] < '0' || r.s[1] > '9' {
		return 0
	}
	ns, scale := 0, 1000000000
	for r.s = r.s[1:]; r.s != "" && r.s[0] >= '0' && r.s[0] <= '9'; r.s = r.s[1:] {
		scale /= 10
		ns += int(r.s[0]-'0') * scale
	}
	return ns
}
