package agent

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/vigil-monitor/vigil/agent/spool"
)

// TestGroupAppendGathersConcurrentRecords: records handed in while a write
// is going on go out together in the next write, every record is written
// once, and add returns only after its record's write.
func TestGroupAppendGathersConcurrentRecords(t *testing.T) {
	const n = 20
	var mu sync.Mutex
	var batches [][]string
	written := map[string]bool{}
	first := make(chan struct{})
	release := make(chan struct{})
	g := newGroupAppend(func(data ...[]byte) (uint64, error) {
		mu.Lock()
		isFirst := len(batches) == 0
		mu.Unlock()
		if isFirst {
			close(first)
			<-release // hold the first write until the others queue up
		}
		mu.Lock()
		defer mu.Unlock()
		var b []string
		for _, d := range data {
			b = append(b, string(d))
			written[string(d)] = true
		}
		batches = append(batches, b)
		return 0, nil
	})
	var wg sync.WaitGroup
	errs := make([]error, n)
	wg.Go(func() { errs[0] = g.add([]byte("r0")) })
	<-first
	for i := 1; i < n; i++ {
		wg.Go(func() {
			errs[i] = g.add(fmt.Appendf(nil, "r%d", i))
			mu.Lock()
			defer mu.Unlock()
			if !written[fmt.Sprintf("r%d", i)] {
				t.Errorf("add of r%d returned before its record was written", i)
			}
		})
	}
	eventually(t, "the other records to queue", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.next != nil && len(g.next.data) == n-1
	})
	close(release)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || len(batches[0]) != 1 || len(batches[1]) != n-1 {
		t.Fatalf("writes %v: want the first record alone, then the %d that came during its write together", batches, n-1)
	}
	if len(written) != n {
		t.Fatalf("%d distinct records written, want %d", len(written), n)
	}
}

// TestGroupAppendErrors: each record gets its own outcome. A record the
// spool finds too large fails alone; an error of the write fails all.
func TestGroupAppendErrors(t *testing.T) {
	broken := errors.New("disk full")
	tests := []struct {
		name string
		fail func(data [][]byte) error
		want []error // for records "ok", "big", "ok2"
	}{
		{"one too large", func(data [][]byte) error {
			for _, d := range data {
				if string(d) == "big" {
					return spool.ErrTooLarge
				}
			}
			return nil
		}, []error{nil, spool.ErrTooLarge, nil}},
		{"the write fails", func([][]byte) error { return broken }, []error{broken, broken, broken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stored []string
			g := newGroupAppend(func(data ...[]byte) (uint64, error) {
				if err := tt.fail(data); err != nil {
					return 0, err
				}
				for _, d := range data {
					stored = append(stored, string(d))
				}
				return 0, nil
			})
			errs := g.write([][]byte{[]byte("ok"), []byte("big"), []byte("ok2")})
			for i, want := range tt.want {
				if !errors.Is(errs[i], want) || (want == nil) != (errs[i] == nil) {
					t.Errorf("record %d: error %v, want %v", i, errs[i], want)
				}
			}
			if tt.want[0] == nil && !slices.Equal(stored, []string{"ok", "ok2"}) {
				t.Errorf("stored %v, want the two records that fit", stored)
			}
		})
	}
}
