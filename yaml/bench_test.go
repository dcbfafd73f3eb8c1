package yaml

import (
	"os"
	"testing"
)

// BenchmarkUnmarshalConfig measures a typical configuration file.
func BenchmarkUnmarshalConfig(b *testing.B) {
	data, err := os.ReadFile("testdata/network-broker.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
