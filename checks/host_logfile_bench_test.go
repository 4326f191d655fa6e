package checks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLogfileWhole reads an 8 MiB file of real-looking log lines
// (the stock testdata, a tenth of them matching) in whole mode and
// reports lines matched per second, for a plain word and for each stock
// pattern. Run with:
//
//	go test -run '^$' -bench BenchmarkLogfileWhole ./checks/
func BenchmarkLogfileWhole(b *testing.B) {
	var lines []string
	for _, p := range StockLogPatterns {
		for _, kind := range []string{"match", "nomatch"} {
			data, err := os.ReadFile(filepath.Join("testdata", "logfile", "stock", p.Name+"."+kind+".log"))
			if err != nil {
				b.Fatal(err)
			}
			for l := range strings.Lines(string(data)) {
				if !strings.HasPrefix(l, "#") {
					lines = append(lines, l)
				}
			}
		}
	}
	var sb strings.Builder
	n := 0
	for sb.Len() < 8<<20 {
		sb.WriteString(lines[n%len(lines)])
		n++
	}
	path := filepath.Join(b.TempDir(), "mixed.log")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	patterns := []string{`"pattern":"ERROR"`}
	for _, p := range StockLogPatterns {
		patterns = append(patterns, `"stock_pattern":"`+p.Name+`"`)
	}
	for _, p := range patterns {
		name := strings.Trim(p[strings.Index(p, ":")+1:], `"`)
		b.Run(name, func(b *testing.B) {
			c, err := NewWithEnv("logfile", path, []byte(`{"mode":"whole",`+p+`}`), Env{ReadableLog: logRootsForTest(b, filepath.Dir(path))})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(sb.Len()))
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				if r := c.Check(ctx, path); r.Values["lines"] != float64(n) {
					b.Fatalf("%v lines, want %d: %s", r.Values["lines"], n, r.Message)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
