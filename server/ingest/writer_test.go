package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// fakeStore records batches; it fails while failures > 0 and waits on
// gate (when set) before each attempt.
type fakeStore struct {
	mu       sync.Mutex
	batches  [][]store.MonitorResult
	failures int
	gate     chan struct{}
}

func (f *fakeStore) AppendResults(batch []store.MonitorResult) error {
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("disk on fire")
	}
	f.batches = append(f.batches, append([]store.MonitorResult(nil), batch...))
	return nil
}

func (f *fakeStore) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for _, b := range f.batches {
		out = append(out, len(b))
	}
	return out
}

func result(i int) store.MonitorResult {
	return store.MonitorResult{MonitorID: fmt.Sprint(i), Result: checks.Result{Status: checks.StatusOK, LatencyMS: float64(i)}}
}

func submitN(t *testing.T, w *Writer, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := w.Submit(t.Context(), result(i)); err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
	}
}

func TestBatching(t *testing.T) {
	tests := []struct {
		name       string
		submit     int
		wait       time.Duration
		wantBefore []int // batches committed right after submitting
		wantAfter  []int // after wait
	}{
		{name: "full batches go at once, the rest after the delay", submit: 25, wait: time.Second, wantBefore: []int{10, 10}, wantAfter: []int{10, 10, 5}},
		{name: "a partial batch waits for the delay", submit: 3, wait: 99 * time.Millisecond, wantBefore: nil, wantAfter: nil},
		{name: "a partial batch goes at the delay", submit: 3, wait: 100 * time.Millisecond, wantBefore: nil, wantAfter: []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fs := &fakeStore{}
				var seen []int
				w := New(fs, nil, Options{MaxBatch: 10, MaxDelay: 100 * time.Millisecond, OnCommitted: func(b []store.MonitorResult) { seen = append(seen, len(b)) }})
				go w.Run(t.Context())
				defer w.Close()
				submitN(t, w, 0, tt.submit)
				synctest.Wait()
				if got := fs.sizes(); !equal(got, tt.wantBefore) {
					t.Fatalf("batches before the delay = %v, want %v", got, tt.wantBefore)
				}
				time.Sleep(tt.wait)
				synctest.Wait()
				if got := fs.sizes(); !equal(got, tt.wantAfter) {
					t.Fatalf("batches after %v = %v, want %v", tt.wait, got, tt.wantAfter)
				}
				if !equal(seen, tt.wantAfter) {
					t.Errorf("OnCommitted saw %v, want %v", seen, tt.wantAfter)
				}
			})
		})
	}
}

func equal(a, b []int) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestShutdownCommitsEverything(t *testing.T) {
	tests := []struct {
		name string
		stop func(cancel context.CancelFunc, w *Writer)
	}{
		{name: "close", stop: func(_ context.CancelFunc, w *Writer) { w.Close() }},
		{name: "context done", stop: func(cancel context.CancelFunc, w *Writer) { cancel(); <-w.done }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fs := &fakeStore{}
				w := New(fs, nil, Options{MaxBatch: 10, MaxDelay: time.Hour})
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				go w.Run(ctx)
				submitN(t, w, 0, 27)
				tt.stop(cancel, w)
				if got := fs.sizes(); !equal(got, []int{10, 10, 7}) {
					t.Fatalf("batches = %v, want [10 10 7]", got)
				}
				if err := w.Submit(t.Context(), result(99)); !errors.Is(err, ErrClosed) {
					t.Errorf("submit after shutdown: %v, want ErrClosed", err)
				}
			})
		})
	}
}

func TestStoreErrorsAreRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeStore{failures: 4}
		calls := 0
		w := New(fs, nil, Options{MaxBatch: 5, OnCommitted: func([]store.MonitorResult) { calls++ }})
		go w.Run(t.Context())
		submitN(t, w, 0, 5)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if got := fs.sizes(); !equal(got, []int{5}) {
			t.Fatalf("batches = %v, want [5]", got)
		}
		if calls != 1 {
			t.Errorf("OnCommitted called %d times, want 1 (after the commit that worked)", calls)
		}
		if st := w.Stats(); st.Failures != 4 || st.Committed != 5 {
			t.Errorf("stats = %+v, want 4 failures and 5 committed", st)
		}
		w.Close()
	})
}

func TestShutdownGivesUpLoudly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeStore{failures: 1 << 30}
		w := New(fs, nil, Options{MaxBatch: 5, MaxDelay: time.Hour, DrainTimeout: 2 * time.Second})
		errc := make(chan error, 1)
		go func() { errc <- w.Run(t.Context()) }()
		submitN(t, w, 0, 3)
		synctest.Wait()
		w.Close()
		err := <-errc
		if err == nil || !strings.Contains(err.Error(), "3 results not written") {
			t.Fatalf("Run = %v, want an error counting 3 lost results", err)
		}
	})
}

func TestFullQueueWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeStore{gate: make(chan struct{})}
		w := New(fs, nil, Options{MaxBatch: 1, QueueSize: 2})
		go w.Run(t.Context())
		// One result is held by the blocked store, two fill the queue.
		submitN(t, w, 0, 3)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := w.Submit(ctx, result(3)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("submit to a full queue = %v, want the context's deadline error", err)
		}
		// A Submit waiting when shutdown begins still gets its result in.
		waiting := make(chan error, 1)
		go func() { waiting <- w.Submit(t.Context(), result(4)) }()
		synctest.Wait()
		close(fs.gate)
		w.Close()
		if err := <-waiting; err != nil {
			t.Fatalf("waiting submit = %v, want nil", err)
		}
		if got := fs.sizes(); !equal(got, []int{1, 1, 1, 1}) {
			t.Errorf("batches = %v, want four of one", got)
		}
	})
}
