package main

import (
	"math/rand"
	"testing"
	"time"
)

// TestParseLeaseDateMatchesTime compares parseLeaseDate with time.Parse on
// valid dates and on digit strings that are mostly not dates.
func TestParseLeaseDateMatchesTime(t *testing.T) {
	cases := []string{"2026/12/03 19:26:28", "2000/02/29 00:00:00", "2100/02/29 00:00:00", "2024/02/29 23:59:59",
		"2026/04/31 12:00:00", "2026/13/01 00:00:00", "2026/00/10 00:00:00", "2026/01/00 00:00:00",
		"2026/01/01 24:00:00", "2026/01/01 00:60:00", "2026/01/01 00:00:60", "0000/01/01 00:00:00",
		"2026-01-01 00:00:00", "2026/01/01T00:00:00", "2026/1/01 00:00:00", "2026/01/01 0:00:000", "2026/01/01 00:00:0",
		"2024/01/02 3:04:05", "2024/01/02 03:04:05.5", "2024/01/02 03:04:05,123", "2024/01/02 03:04:05.123456789",
		"2024/01/02 03:04:05.1234567891", "2024/01/02 03:04:05.000000000000000000000000009", "2024/01/02 03:04:05.", "2024/01/02 03:04:05.x", "2024/01/02 03:04:05 ",
		"2024/01/02 003:04:05", "2024/01/02  3:04:05", "2024/01/02\t3:04:05", "2024/01/02 03:04:05  ", "2024/01/02 3:4:05", "+024/01/02 03:04:05", ""}
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
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Fatalf("parseLeaseDate(%q) = %v, %v; time.Parse gives %v, %v", s, got, ok, want, err)
		}
	}
}

// FuzzParseLeaseDate checks parseLeaseDate against time.Parse on any input.
func FuzzParseLeaseDate(f *testing.F) {
	for _, s := range []string{"2026/12/03 19:26:28", "2024/01/02 3:04:05,5", "2024/02/30 00:00:00", "2024/01/02  03:04:05.000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseLeaseDate(s)
		want, err := time.Parse("2006/01/02 15:04:05", s)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Fatalf("parseLeaseDate(%q) = %v, %v; time.Parse gives %v, %v", s, got, ok, want, err)
		}
	})
}
