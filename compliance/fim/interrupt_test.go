package fim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// manyFiles writes n files f000… under root/d.
func manyFiles(t *testing.T, root string, n int) {
	t.Helper()
	for i := range n {
		writeFile(t, filepath.Join(root, "d", fmt.Sprintf("f%03d", i)), fmt.Sprint(i))
	}
}

func TestInterruptedBaselineStartsOver(t *testing.T) {
	stops := map[string]func(cancel context.CancelFunc) error{
		"context cancelled (agent stopping)": func(cancel context.CancelFunc) error { cancel(); return context.Canceled },
		"send fails":                         func(context.CancelFunc) error { return errors.New("server unreachable") },
	}
	for name, stop := range stops {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			manyFiles(t, root, 50)
			dbPath := filepath.Join(t.TempDir(), "fim.db")
			s, err := OpenState(dbPath)
			must(t, err)
			p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
			ctx, cancel := context.WithCancel(context.Background())
			rec := &recorder{fail: func(b Batch) error {
				if b.Seq == 3 {
					return stop(cancel)
				}
				return nil
			}}
			if _, err := s.Scan(ctx, p, ScanOptions{Send: rec.send, MaxChanges: 10}); err == nil {
				t.Fatal("interrupted scan returned no error")
			}
			if len(rec.batches) != 2 {
				t.Fatalf("%d batches confirmed, want 2", len(rec.batches))
			}
			// The agent restarts: the state file is closed and opened again.
			must(t, s.Close())
			s, err = OpenState(dbPath)
			must(t, err)
			defer s.Close()
			again, sum := scanOnce(t, s, p)
			if !sum.Baseline || sum.Scan != 2 || len(again.changes()) != 52 {
				t.Errorf("after the interruption: baseline %v, scan %d, %d changes; want a full baseline numbered 2 with 52",
					sum.Baseline, sum.Scan, len(again.changes()))
			}
			if rec, _ := scanOnce(t, s, p); len(rec.changes()) != 0 || rec.batches[0].Baseline {
				t.Errorf("the scan after the new baseline: %q", summarize(root, rec.changes()))
			}
		})
	}
}

func TestInterruptedScanResumesWithTheRest(t *testing.T) {
	root := t.TempDir()
	manyFiles(t, root, 5)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	scanOnce(t, s, p)
	for _, name := range []string{"a1", "a2", "a3", "a4", "a5"} {
		writeFile(t, filepath.Join(root, "d", name), name)
	}
	must(t, os.Remove(filepath.Join(root, "d/f004")))
	rec := &recorder{fail: func(b Batch) error {
		if b.Seq == 2 {
			return errors.New("server unreachable")
		}
		return nil
	}}
	_, err := s.Scan(context.Background(), p, ScanOptions{Send: rec.send, MaxChanges: 2})
	if err == nil {
		t.Fatal("scan with a failing Send returned no error")
	}
	if got, want := summarize(root, rec.changes()), []string{"added /d/a1", "added /d/a2"}; !slices.Equal(got, want) {
		t.Fatalf("confirmed before the failure: %q, want %q", got, want)
	}
	// The next scan is a normal one and finds exactly what was not confirmed.
	rec2, sum := scanOnce(t, s, p)
	want := []string{"added /d/a3", "added /d/a4", "added /d/a5", "removed /d/f004"}
	if got := summarize(root, rec2.changes()); sum.Baseline || !slices.Equal(got, want) {
		t.Errorf("resumed (baseline %v):\n got %q\nwant %q", sum.Baseline, got, want)
	}
	if sum.Scan != 3 {
		t.Errorf("scan number %d, want 3 (numbers are never reused)", sum.Scan)
	}
}

func TestSendErrorsDoNotMoveTheState(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	scanOnce(t, s, p)
	writeFile(t, filepath.Join(root, "a/one.txt"), "changed")
	must(t, os.Remove(filepath.Join(root, "a/two.txt")))
	for range 3 {
		refuse := &recorder{fail: func(Batch) error { return errors.New("503") }}
		if _, err := s.Scan(context.Background(), p, ScanOptions{Send: refuse.send}); err == nil {
			t.Fatal("scan with a failing Send returned no error")
		}
	}
	gone := &recorder{fail: func(Batch) error { return fmt.Errorf("server: %w", ErrPolicyGone) }}
	if _, err := s.Scan(context.Background(), p, ScanOptions{Send: gone.send}); !errors.Is(err, ErrPolicyGone) {
		t.Errorf("policy gone: %v", err)
	}
	rec, _ := scanOnce(t, s, p)
	want := []string{"modified /a/one.txt sha256,size,mtime", "removed /a/two.txt"}
	if got := summarize(root, rec.changes()); !slices.Equal(got, want) {
		t.Errorf("after refused sends:\n got %q\nwant %q", got, want)
	}
}

func TestScanSendsProgressWhileHashing(t *testing.T) {
	root := t.TempDir()
	big := make([]byte, 3<<20)
	writeFile(t, filepath.Join(root, "big"), string(big))
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}, IOLimit: 2 << 20}
	rec := &recorder{}
	start := time.Now()
	_, err := s.Scan(context.Background(), p, ScanOptions{Send: rec.send, Every: 200 * time.Millisecond})
	must(t, err)
	// 3 MiB at 2 MiB/s takes over a second: the budget held, and batches
	// (without changes) kept coming while the one big file was read.
	if d := time.Since(start); d < time.Second {
		t.Errorf("3 MiB hashed in %s under a 2 MiB/s budget", d)
	}
	if n := len(rec.batches); n < 4 {
		t.Errorf("%d batches; want progress at least every 200ms", n)
	}
	for i := 1; i < len(rec.batches); i++ {
		if a, b := rec.batches[i-1], rec.batches[i]; b.Seq != a.Seq+1 || b.Progress.Bytes < a.Progress.Bytes {
			t.Errorf("batch %d then %d: progress %+v then %+v", a.Seq, b.Seq, a.Progress, b.Progress)
		}
	}
	if last := rec.batches[len(rec.batches)-1]; last.Progress.Bytes != 3<<20 || last.Progress.Objects != 2 {
		t.Errorf("final progress %+v", last.Progress)
	}
}

func TestScanOfAPolicyAlreadyScanning(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	inner := errors.New("not run")
	_, err := s.Scan(context.Background(), p, ScanOptions{Send: func(ctx context.Context, b Batch) error {
		_, inner = s.Scan(ctx, p, ScanOptions{Send: func(context.Context, Batch) error { return nil }})
		return nil
	}})
	must(t, err)
	if !errors.Is(inner, ErrScanRunning) {
		t.Errorf("second scan of the same policy: %v", inner)
	}
}

// TestScanReportsPastAFileStillBeingRead: a file that takes long to read
// (a big one first in the walk) holds back neither the rest of the scan
// nor its progress count: what is hashed is reported meanwhile.
func TestScanReportsPastAFileStillBeingRead(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a-big"), "slow")
	for i := range 300 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("b/f%03d", i)), "x")
	}
	s := openTestState(t)
	release := make(chan struct{})
	s.open.content = func(at *dirHandle, path string, want fileStat) (contentReader, error) {
		if filepath.Base(path) == "a-big" {
			select {
			case <-release:
			case <-time.After(10 * time.Second): // the test fails below, not hangs
			}
		}
		return openContent(at, path, want)
	}
	var once sync.Once
	var before uint64 // objects reported while a-big was still being read
	rec := &recorder{fail: func(b Batch) error {
		if b.Progress.Objects >= 200 {
			once.Do(func() { before = b.Progress.Objects; close(release) })
		}
		return nil
	}}
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}, Workers: 2}
	start := time.Now()
	if _, err := s.Scan(context.Background(), p, ScanOptions{Send: rec.send, MaxChanges: 50}); err != nil {
		t.Fatal(err)
	}
	if before == 0 || time.Since(start) > 9*time.Second {
		t.Fatalf("nothing past a-big was reported while it was read (took %s)", time.Since(start))
	}
	if n := len(rec.changes()); n != 303 {
		t.Errorf("%d objects recorded, want 303", n)
	}
}

// slowReader reads like a slow disk and tells when it reached the end.
type slowReader struct {
	contentReader
	delay time.Duration
	done  func()
}

func (r *slowReader) Read(p []byte) (int, error) {
	time.Sleep(r.delay)
	n, err := r.contentReader.Read(p)
	if err != nil || n < len(p) {
		r.done()
	}
	return n, err
}

// TestScanCountsWhileBigFilesAreRead: as many big files as workers, first
// in the walk, leave a worker for the small files behind them, so the
// baseline reports and counts those while the big ones are read; also
// when the walk is slow (directories on a slow disk), so that the queue
// of small files runs dry for moments while the walk goes on.
func TestScanCountsWhileBigFilesAreRead(t *testing.T) {
	for _, tc := range []struct {
		name     string
		listWait time.Duration // per directory listed
	}{{"fast walk", 0}, {"slow walk", 30 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, name := range []string{"a1.bin", "a2.bin", "a3.bin"} {
				f, err := os.Create(filepath.Join(root, name))
				must(t, err)
				must(t, f.Truncate(bigFile+1)) // sparse: nothing written
				f.Close()
			}
			for i := range 400 {
				writeFile(t, filepath.Join(root, fmt.Sprintf("z/d%02d/f%03d", i/10, i)), "x")
			}
			s := openTestState(t)
			var bigRead atomic.Int32 // big files read to the end
			s.open.content = func(at *dirHandle, path string, want fileStat) (contentReader, error) {
				f, err := openContent(at, path, want)
				if err != nil || !strings.HasSuffix(path, ".bin") {
					return f, err
				}
				// 65 reads of 256 KiB: about 2 s each file.
				return &slowReader{contentReader: f, delay: 30 * time.Millisecond, done: func() { bigRead.Add(1) }}, nil
			}
			s.open.names = func(path string, want fileStat) ([]dirEntry, int, error) {
				time.Sleep(tc.listWait)
				return readNames(path, want)
			}
			var counted atomic.Uint64 // the most objects a batch counted before any big file was read
			rec := &recorder{fail: func(b Batch) error {
				if bigRead.Load() == 0 {
					counted.Store(max(counted.Load(), b.Progress.Objects))
				}
				return nil
			}}
			p := Policy{ID: "p", Revision: "1", Paths: []string{root}, Workers: 2}
			if _, err := s.Scan(context.Background(), p, ScanOptions{Send: rec.send, MaxChanges: 50, Every: 50 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			const objects = 3 + 400 + 40 + 2 // files, the d directories, z and the root
			// All but the first group (the big files and the small items
			// walked with them, 64 in all), which is reported when its big
			// files are read.
			if n := counted.Load(); n < objects-64 {
				t.Errorf("before the first big file was read, batches counted %d objects; want at least %d", n, objects-64)
			}
			if n := len(rec.changes()); n != objects {
				t.Errorf("%d objects recorded, want %d", n, objects)
			}
		})
	}
}
