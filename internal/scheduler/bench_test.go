package scheduler

import (
	"container/heap"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

type nopChecker struct{}

func (nopChecker) Check(context.Context, string) checks.Result {
	return checks.Result{Status: checks.StatusOK}
}

// BenchmarkDispatch measures the scheduler's own cost per run: b.N jobs
// all due at once go through heap, queue, worker and sink, with a check
// that does nothing.
func BenchmarkDispatch(b *testing.B) {
	for _, workers := range []int{1, 8, 64, 256} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var n atomic.Int64
			done := make(chan struct{})
			total := int64(b.N)
			sink := func(context.Context, Result) error {
				if n.Add(1) == total {
					close(done)
				}
				return nil
			}
			s := New(Options{Workers: workers, Sink: sink}, nil)
			for i := range b.N {
				s.Upsert(Job{ID: fmt.Sprint(i), Interval: time.Hour, Checker: nopChecker{}})
			}
			now := time.Now()
			for _, e := range s.heap {
				e.next = now
			}
			heap.Init(&s.heap)
			ctx, cancel := context.WithCancel(b.Context())
			b.ResetTimer()
			go s.Run(ctx)
			<-done
			b.StopTimer()
			cancel()
			s.Wait()
		})
	}
}
