package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// poisonStore fails every transaction that holds a result of monitor
// "poison", and every transaction while down > 0 (counting down).
type poisonStore struct {
	mu      sync.Mutex
	batches [][]store.MonitorResult // committed
	calls   int
	down    int
}

func (p *poisonStore) AppendResults(batch []store.MonitorResult) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.down > 0 {
		p.down--
		return errors.New("disk on fire")
	}
	for _, r := range batch {
		if r.MonitorID == "poison" {
			return errors.New("poisoned batch")
		}
	}
	p.batches = append(p.batches, slices.Clone(batch))
	return nil
}

func (p *poisonStore) committed() [][]store.MonitorResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.batches)
}

func ids(rs []store.MonitorResult) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.MonitorID)
	}
	return fmt.Sprint(out)
}

// commitAsync runs Commit in the background; its error arrives on the
// channel.
func commitAsync(w *Writer, ctx context.Context, batch ...store.MonitorResult) <-chan error {
	done := make(chan error, 1)
	go func() { done <- w.Commit(ctx, batch) }()
	return done
}

func TestCommitReturnsAfterTheTransaction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeStore{gate: make(chan struct{})}
		var seen int
		w := New(fs, nil, Options{MaxBatch: 100, MaxDelay: 50 * time.Millisecond, OnCommitted: func(b []store.MonitorResult) { seen += len(b) }})
		go w.Run(t.Context())
		defer w.Close()
		a := commitAsync(w, t.Context(), result(1), result(2))
		b := commitAsync(w, t.Context(), result(3))
		submitN(t, w, 4, 1)
		time.Sleep(time.Second) // well past MaxDelay: the store holds the transaction
		synctest.Wait()
		for name, c := range map[string]<-chan error{"a": a, "b": b} {
			select {
			case err := <-c:
				t.Fatalf("commit %s returned %v before the store committed", name, err)
			default:
			}
		}
		close(fs.gate)
		if err := <-a; err != nil {
			t.Fatalf("commit a = %v", err)
		}
		if err := <-b; err != nil {
			t.Fatalf("commit b = %v", err)
		}
		if got := fs.sizes(); !equal(got, []int{4}) {
			t.Errorf("transactions = %v, want both batches and the result in one of 4", got)
		}
		if seen != 4 {
			t.Errorf("OnCommitted saw %d results before the commits returned, want 4", seen)
		}
	})
}

func TestCommitFailureIsNotAcknowledged(t *testing.T) {
	tests := []struct {
		name      string
		down      int      // transactions that fail for every batch
		batches   []string // monitor id of each Commit's single result
		own       int      // results of the server's own checks in the group
		wantErr   []bool   // per Commit
		wantCalls int
		wantTx    []string // committed transactions, as monitor ids
	}{
		{
			name: "a batch alone fails once and is not retried", down: 1,
			batches: []string{"a"}, wantErr: []bool{true}, wantCalls: 1,
		},
		{
			name:    "a poisoned batch fails alone, the others commit one by one",
			batches: []string{"a", "poison", "b"}, wantErr: []bool{false, true, false}, wantCalls: 4,
			wantTx: []string{"[a]", "[b]"},
		},
		{
			name: "a failing store fails every batch, own results are retried", down: 4,
			batches: []string{"a", "b"}, own: 1, wantErr: []bool{true, true}, wantCalls: 5,
			wantTx: []string{"[0]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ps := &poisonStore{down: tt.down}
				w := New(ps, nil, Options{MaxBatch: 100, MaxDelay: 50 * time.Millisecond})
				go w.Run(t.Context())
				defer w.Close()
				var answers []<-chan error
				for _, id := range tt.batches {
					answers = append(answers, commitAsync(w, t.Context(), store.MonitorResult{MonitorID: id}))
					synctest.Wait() // queued in this order
				}
				submitN(t, w, 0, tt.own)
				for i, c := range answers {
					if err := <-c; (err != nil) != tt.wantErr[i] {
						t.Errorf("commit %s = %v, want error %v", tt.batches[i], err, tt.wantErr[i])
					}
				}
				time.Sleep(time.Minute) // room for retries of own results
				synctest.Wait()
				var got []string
				for _, b := range ps.committed() {
					got = append(got, ids(b))
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.wantTx) {
					t.Errorf("committed transactions %v, want %v", got, tt.wantTx)
				}
				if ps.calls != tt.wantCalls {
					t.Errorf("store called %d times, want %d", ps.calls, tt.wantCalls)
				}
			})
		})
	}
}

func TestCommitAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeStore{}
		w := New(fs, nil, Options{MaxBatch: 100, MaxDelay: time.Hour})
		go w.Run(t.Context())
		queued := commitAsync(w, t.Context(), result(1), result(2))
		synctest.Wait()
		w.Close()
		if err := <-queued; err != nil {
			t.Errorf("a batch queued before Close: %v, want it committed", err)
		}
		if got := fs.sizes(); !equal(got, []int{2}) {
			t.Errorf("transactions = %v, want [2]", got)
		}
		if err := w.Commit(t.Context(), []store.MonitorResult{result(3)}); !errors.Is(err, ErrClosed) {
			t.Errorf("commit after Close = %v, want ErrClosed", err)
		}
	})
}

func TestCommitGivesUpWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := &fakeStore{gate: make(chan struct{})}
		w := New(fs, nil, Options{MaxBatch: 1})
		go w.Run(t.Context())
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := w.Commit(ctx, []store.MonitorResult{result(1)}); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("commit with a stuck store = %v, want the context's deadline error", err)
		}
		close(fs.gate) // the batch still commits: a resend would be dropped as already stored
		w.Close()
		if got := fs.sizes(); !equal(got, []int{1}) {
			t.Errorf("transactions = %v, want [1]", got)
		}
	})
}
