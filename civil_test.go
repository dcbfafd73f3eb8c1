package main

import (
	"math/rand"
	"testing"
	"time"
)

// TestAppendUTCMatchesTime compares the hand-written formatter with the
// time package over random instants from year 1 to 9999 and the edges.
func TestAppendUTCMatchesTime(t *testing.T) {
	lo, hi := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	secs := []int64{0, -1, 1, 86399, 86400, 951782400 /* 2000-02-29 */, 4107456000 /* 2100-02-28 */, lo, hi}
	r := rand.New(rand.NewSource(1))
	for range 100000 {
		secs = append(secs, lo+r.Int63n(hi-lo))
	}
	for i, sec := range secs {
		nsec := r.Intn(1e9)
		tm := time.Unix(sec, int64(nsec)).UTC()
		if got, want := string(appendUTC(nil, sec, nsec, true)), tm.Format("2006-01-02T15:04:05.000Z07:00"); got != want {
			t.Fatalf("#%d appendUTC(%d, %d, millis) = %s, want %s", i, sec, nsec, got, want)
		}
		if got, want := string(appendUTC(nil, sec, 0, false)), tm.Format(time.RFC3339); got != want {
			t.Fatalf("#%d appendUTC(%d) = %s, want %s", i, sec, got, want)
		}
	}
}

// TestParseLeaseDateMatchesTime compares parseLeaseDate with time.Parse on
// valid dates and on digit strings that are mostly not dates.
func TestParseLeaseDateMatchesTime(t *testing.T) {
	cases := []string{"2026/12/03 19:26:28", "2000/02/29 00:00:00", "2100/02/29 00:00:00", "2024/02/29 23:59:59",
		"2026/04/31 12:00:00", "2026/13/01 00:00:00", "2026/00/10 00:00:00", "2026/01/00 00:00:00",
		"2026/01/01 24:00:00", "2026/01/01 00:60:00", "2026/01/01 00:00:60", "0000/01/01 00:00:00",
		"2026-01-01 00:00:00", "2026/01/01T00:00:00", "2026/1/01 00:00:00", "2026/01/01 0:00:000", "2026/01/01 00:00:0"}
	r := rand.New(rand.NewSource(2))
	digit := func(max int) byte { return byte('0' + r.Intn(max)) }
	for range 200000 {
		b := []byte("0000/00/00 00:00:00")
		for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
			b[i] = digit(10)
		}
		b[5], b[8], b[11], b[14], b[17] = digit(2), digit(4), digit(3), digit(7), digit(7)
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		got, ok := parseLeaseDate(s)
		want, err := time.Parse("2006/01/02 15:04:05", s)
		if ok != (err == nil) || ok && got != want.Unix() {
			t.Fatalf("parseLeaseDate(%q) = %d, %v; time.Parse gives %v, %v", s, got, ok, want.Unix(), err)
		}
	}
}
