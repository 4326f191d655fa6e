package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// BenchmarkApplyFIMBaseline applies baseline reports of 1,000 objects
// each, as an agent sends them: the server's cost per object of taking a
// baseline (b.N objects in all).
func BenchmarkApplyFIMBaseline(b *testing.B) {
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := FIMPolicy{Name: "bench", Paths: []string{"/srv"}, Interval: time.Hour}
	if err := db.CreateFIMPolicy(&p, testActor); err != nil {
		b.Fatal(err)
	}
	o := &fim.Object{Type: fim.TypeFile, SHA256: strings.Repeat("ab", 32), Size: 4096, Mode: 0o644, MTime: time.Now(), Inode: 1}
	r := &wire.FIMReport{PolicyID: p.ID, Revision: p.Revision, Scan: 1, Baseline: true, Started: time.Now()}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(wire.MaxFIMChangesPerReport, b.N-done)
		r.Seq++
		r.Changes = r.Changes[:0]
		for i := range n {
			r.Changes = append(r.Changes, fim.Change{Path: fmt.Sprintf("/srv/d%04d/f%06d", (done+i)/1000, done+i), Kind: fim.Added, After: o})
		}
		if _, err := db.ApplyFIMReport("1", r, nil, time.Now()); err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.StopTimer()
	if st, err := db.FIMAgentStates(p.ID); err != nil || st[0].Objects != uint64(b.N) {
		b.Fatalf("states = %+v, %v", st, err)
	}
	size, _ := db.Size()
	b.ReportMetric(float64(size)/float64(b.N), "file-bytes/object")
}
