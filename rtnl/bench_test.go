package rtnl

import (
	"path/filepath"
	"testing"
)

// BenchmarkDecode decodes every recorded datagram of testdata/ per
// iteration and reports messages per second and allocations per message.
func BenchmarkDecode(b *testing.B) {
	files, err := filepath.Glob("testdata/*.bin")
	if err != nil || len(files) == 0 {
		b.Fatalf("no testdata: %v", err)
	}
	var inputs [][]byte
	msgs := 0
	for _, f := range files {
		data := readTestdata(b, filepath.Base(f))
		m, err := splitMessages(data)
		if err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		msgs += len(m)
		inputs = append(inputs, data)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, in := range inputs {
			// Error acks in testdata/ are expected to return an error.
			_, _ = DecodeMessages(in)
		}
	}
	n := float64(b.N) * float64(msgs)
	b.ReportMetric(n/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
		for _, in := range inputs {
			_, _ = DecodeMessages(in)
		}
	}))/float64(msgs), "allocs/msg")
}
