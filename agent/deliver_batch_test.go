package agent

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/scheduler"
)

// TestResultsTogetherGoInOneBatch: results that checks running together
// hand to the sink at about the same time reach the server in one request
// (batchLinger), and not much later than that.
func TestResultsTogetherGoInOneBatch(t *testing.T) {
	f := newFakeGateway(t)
	a := startAgent(t, f, testConfig(t, f))
	<-a.idling // the loop's first read at start found the spool empty
	const n = 10
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := checks.Result{At: at, Location: "agent-1", Status: checks.StatusOK, Message: "ok"}
			if err := a.sink(context.Background(), scheduler.Result{MonitorID: fmt.Sprint("m", i), Result: r}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	f.waitStored(n, 5*time.Second)
	if d := time.Since(start); d > batchLinger+2*time.Second {
		t.Errorf("results took %v to reach the server", d)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.batches) != 1 {
		sizes := []int{}
		for _, b := range f.batches {
			sizes = append(sizes, len(b.Results))
		}
		t.Fatalf("%d results went in %d requests of %v, want one", n, len(f.batches), sizes)
	}
}
