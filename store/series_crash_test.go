package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	bolt "go.etcd.io/bbolt"
)

const (
	crashEnv      = "VIGIL_STORE_CRASH_DIR"
	crashMonitors = 20
	crashPerBatch = 24 // results per monitor per batch: whole (server, agent) pairs
	crashBatches  = 400
)

func crashResults() []checks.Result {
	return genResults(seriesBase, crashPerBatch*crashBatches/2, 30*time.Second, "server", "agent")
}

// crashChild appends batches until killed, printing the number of results
// committed after each commit, and compacts now and then so a kill can land
// in a compaction too.
func crashChild(dir string) {
	db, err := Open(dir, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	for m := range crashMonitors {
		if err := putMonitor(db, fmt.Sprint(m+1)); err != nil {
			fmt.Println("monitor:", err)
			os.Exit(2)
		}
	}
	rs := crashResults()
	total := 0
	for b := range crashBatches {
		var batch []MonitorResult
		for m := range crashMonitors {
			for _, r := range rs[b*crashPerBatch : (b+1)*crashPerBatch] {
				batch = append(batch, MonitorResult{MonitorID: fmt.Sprint(m + 1), Result: r})
			}
		}
		if err := db.AppendResults(batch); err != nil {
			fmt.Println("append:", err)
			os.Exit(2)
		}
		total += len(batch)
		fmt.Printf("committed %d\n", total)
		if b%7 == 6 {
			if _, err := db.Compact(context.Background(), rs[(b+1)*crashPerBatch-1].At, DefaultRetention); err != nil {
				fmt.Println("compact:", err)
				os.Exit(2)
			}
		}
	}
	os.Exit(0)
}

func TestCrashDuringIngestLosesNothing(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringIngestLosesNothing$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed, lines := 0, 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "committed ")
		if !ok {
			t.Fatalf("child: %s", sc.Text())
		}
		if committed, err = strconv.Atoi(n); err != nil {
			t.Fatal(err)
		}
		if lines++; lines == crashBatches/4 {
			// SIGKILL: no deferred close, no flush, mid-transaction.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	_ = cmd.Wait()
	if lines < crashBatches/4 {
		t.Fatalf("child stopped after %d batches", lines)
	}

	db := openSeriesDB(t, dir)
	err = db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("file inconsistent after kill: %v", err)
	}
	rs := crashResults()
	perMonitor := committed / crashMonitors
	for m := range crashMonitors {
		got, err := db.Results(fmt.Sprint(m+1), ResultQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < perMonitor {
			t.Fatalf("monitor %d: %d results after kill, %d were committed", m, len(got), perMonitor)
		}
		sameResults(t, got[:perMonitor], wantResults(rs[:perMonitor], ResultQuery{}))
	}
	// The store keeps working: appending and compacting after the crash.
	appendAll(t, db, "1", rs[len(rs)-1:], 1)
	if _, err := db.Compact(context.Background(), rs[len(rs)-1].At, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed after %d committed results", committed)
}
