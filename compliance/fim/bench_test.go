package fim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchTree writes files files of size bytes (at least 1), 1,000 to a
// directory.
func benchTree(b *testing.B, files, size int) string {
	b.Helper()
	root := b.TempDir()
	content := make([]byte, max(size, 1)) // the first byte makes each file distinct
	for i := range files {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", i/1000))
		if i%1000 == 0 {
			if err := os.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		content[0] = byte(i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), content, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

func benchScan(b *testing.B, s *State, p Policy) Summary {
	sum, err := s.Scan(context.Background(), p, ScanOptions{Send: func(context.Context, Batch) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	return sum
}

// BenchmarkRescanUnchanged is an incremental rescan of 10,000 unchanged
// files: lstat, compare with the stored record, no read, no write.
func BenchmarkRescanUnchanged(b *testing.B) {
	root := benchTree(b, 10_000, 0)
	s, err := OpenState(filepath.Join(b.TempDir(), "fim.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	benchScan(b, s, p)
	b.ResetTimer()
	for b.Loop() {
		if sum := benchScan(b, s, p); sum.Changes != 0 || sum.Hashed != 0 {
			b.Fatalf("unchanged rescan: %+v", sum)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10_000, "ns/object")
}

// BenchmarkBaselineSmallFiles is a full baseline of 2,000 files of 16 KiB.
func BenchmarkBaselineSmallFiles(b *testing.B) {
	root := benchTree(b, 2_000, 16<<10)
	dir := b.TempDir()
	b.SetBytes(2_000 * 16 << 10)
	i := 0
	for b.Loop() {
		i++
		s, err := OpenState(filepath.Join(dir, fmt.Sprintf("fim%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		benchScan(b, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
		s.Close()
	}
}

func BenchmarkRecordCodec(b *testing.B) {
	r := sampleRecords[0]
	for b.Loop() {
		if _, err := decodeRecord(encodeRecord(r)); err != nil {
			b.Fatal(err)
		}
	}
}
