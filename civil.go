package main

import "strconv"

// Calendar arithmetic in UTC, done here rather than with time.Parse and
// time.Time.Format: those pull in the layout engine and the time zone
// loader, about 60 KB of a binary that has to stay small, for the two
// fixed formats the broker reads and writes.

// daysFromCivil returns the days from 1970-01-01 to the proleptic
// Gregorian date y-m-d (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// appendUTC appends the Unix time sec (+ nsec) as RFC 3339 in UTC:
// 2026-12-03T19:26:28Z, or with millis 2026-12-03T19:26:28.123Z.
func appendUTC(b []byte, sec int64, nsec int, millis bool) []byte {
	days, rem := sec/86400, int(sec%86400)
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	y, m, d := civilFromDays(int(days))
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, m, 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, rem/3600, 2)
	b = append(b, ':')
	b = appendDigits(b, rem/60%60, 2)
	b = append(b, ':')
	b = appendDigits(b, rem%60, 2)
	if millis {
		b = append(b, '.')
		b = appendDigits(b, nsec/1e6, 3)
	}
	return append(b, 'Z')
}

// appendDigits appends n zero-padded to width digits.
func appendDigits(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// parseLeaseDate reads dhclient's "YYYY/MM/DD HH:MM:SS" (UTC, as its
// gmtime writes it) into Unix seconds, rejecting dates that do not exist.
func parseLeaseDate(s string) (int64, bool) {
	if len(s) != 19 || s[4] != '/' || s[7] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return 0, false
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
		return 0, false
	}
	days := daysFromCivil(y, mo, d)
	if _, m2, _ := civilFromDays(days); m2 != mo { // e.g. 2026/02/30
		return 0, false
	}
	return int64(days)*86400 + int64(h*3600+mi*60+sec), true
}
