package spool

import (
	"testing"
)

// BenchmarkAppend measures durable appends of 200-byte records in batches
// of 10, one fsync per batch, with the default bounds.
func BenchmarkAppend(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch := make([][]byte, 10)
	for i := range batch {
		batch[i] = payload(uint64(i), 200)
	}
	b.SetBytes(10 * 200)
	for b.Loop() {
		if _, err := s.Append(batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "records/s")
}
