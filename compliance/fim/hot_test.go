package fim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestScanReportsFileRewrittenDuringTheScan: a file a goroutine rewrites
// without pause all through the scan cannot be hashed, but its change is
// reported (with its new metadata, the sha256 unknown) and the next scan,
// once it is quiet, reports the hash.
func TestScanReportsFileRewrittenDuringTheScan(t *testing.T) {
	root := t.TempDir()
	hot := filepath.Join(root, "hot")
	const size = 1 << 20
	writeFile(t, hot, strings.Repeat("a", size))
	writeFile(t, filepath.Join(root, "calm"), "calm")
	s := openTestState(t)
	// Under 4 MB/s a read of the file takes about 150 ms: the writer
	// changes it many times during each.
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}, IOLimit: 4_000_000}
	scanOnce(t, s, p)

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// The scan starts after the first rewrite: one that stats the file
	// before it would find it unchanged and never read it.
	written := make(chan struct{})
	wg.Go(func() {
		defer func() {
			select {
			case <-written:
			default:
				close(written) // failed before the first rewrite
			}
		}()
		f, err := os.OpenFile(hot, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		buf := []byte(strings.Repeat("b", size+8000))
		for i := 0; ctx.Err() == nil; i++ {
			n := int64(size + (i%7+1)*1000) // never the baseline's size, never the last one's
			if _, err := f.WriteAt(buf[:n], 0); err != nil {
				t.Error(err)
				return
			}
			must(t, f.Truncate(n))
			if i == 0 {
				close(written)
			}
			time.Sleep(time.Millisecond)
		}
	})
	writeFile(t, filepath.Join(root, "calm"), "still calm")
	must(t, os.Chtimes(filepath.Join(root, "calm"), past, past))
	<-written
	rec, _ := scanOnce(t, s, p)
	stop()
	wg.Wait()

	if got, want := summarize(root, rec.changes()), []string{"modified /calm sha256,size,mtime", "modified /hot size,mtime"}; !slices.Equal(got, want) {
		t.Fatalf("changes while rewritten:\n got %q\nwant %q", got, want)
	}
	for _, c := range rec.changes() {
		if c.Path == hot && (c.After.SHA256 != "" || c.Before.SHA256 == "" || c.After.Size == size) {
			t.Errorf("hot file's change before %+v after %+v: want the new size and no sha256 after", c.Before, c.After)
		}
	}
	errs := errorsOf(root, rec)
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "/hot: changed while being read") || !strings.HasSuffix(errs[0], "read 3 times: sha256 unknown; reported with its new metadata, hashed again by the next scan") {
		t.Errorf("errors %q", errs)
	}

	final := "quiet now"
	writeFile(t, hot, final)
	must(t, os.Chtimes(hot, past, past))
	rec, _ = scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{"modified /hot sha256,size,mtime"}; !slices.Equal(got, want) {
		t.Fatalf("changes once quiet:\n got %q\nwant %q", got, want)
	}
	sum := sha256.Sum256([]byte(final))
	if c := rec.changes()[0]; c.Before.SHA256 != "" || c.After.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("before %+v after %+v: want the hash filled in", c.Before, c.After)
	}
	if rec, _ = scanOnce(t, s, p); len(rec.changes()) != 0 {
		t.Errorf("a scan after that reports %q", summarize(root, rec.changes()))
	}
}

// stuckReader is a file whose reads block until release is closed, as
// on a hung network or FUSE mount, or trickle a byte every delay.
type stuckReader struct {
	contentReader
	release chan struct{}
	delay   time.Duration
}

func (r *stuckReader) Read(p []byte) (int, error) {
	if r.delay > 0 {
		time.Sleep(r.delay)
		return r.contentReader.Read(p[:1])
	}
	<-r.release
	return 0, errors.New("released")
}

// TestScanAbandonsStalledReads: one file whose read makes no progress (or
// runs far past what its size allows under the I/O limit) is given up on
// with an error, its old record kept; the rest of the scan goes on.
func TestScanAbandonsStalledReads(t *testing.T) {
	for _, tc := range []struct {
		name    string
		delay   time.Duration
		ioLimit int64
		want    string
	}{
		{"no progress", 0, 0, "/a/two.txt: read made no progress for 200ms: abandoned"},
		{"too slow for its size", 120 * time.Millisecond, 1_000_000, "/a/two.txt: read took longer than its size allows under the I/O limit plus 200ms: abandoned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tree(t, root)
			target := filepath.Join(root, "a/two.txt")
			writeFile(t, target, "twelve bytes")
			s := openTestState(t)
			p := Policy{ID: "p", Revision: "1", Paths: []string{root}, FullRehashEvery: 1, IOLimit: tc.ioLimit, Workers: 2}
			scanOnce(t, s, p)

			s.stallLimit = 200 * time.Millisecond
			release := make(chan struct{})
			defer close(release)
			s.open.content = func(at *dirHandle, path string, want fileStat) (contentReader, error) {
				f, err := openContent(at, path, want)
				if err != nil || path != target {
					return f, err
				}
				return &stuckReader{contentReader: f, release: release, delay: tc.delay}, nil
			}
			writeFile(t, filepath.Join(root, "b/inner.txt"), "changed")
			start := time.Now()
			rec, _ := scanOnce(t, s, p)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("the scan took %s", d)
			}
			if got, want := summarize(root, rec.changes()), []string{"modified /b/inner.txt sha256,size,mtime"}; !slices.Equal(got, want) {
				t.Errorf("changes:\n got %q\nwant %q", got, want)
			}
			if got := errorsOf(root, rec); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("errors:\n got %q\nwant %q", got, []string{tc.want})
			}
			// The old record was kept: once readable, nothing changed.
			s.open = osOpener
			if rec, _ = scanOnce(t, s, p); len(rec.changes()) != 0 || len(rec.errors()) != 0 {
				t.Errorf("next scan: changes %q, errors %q", summarize(root, rec.changes()), errorsOf(root, rec))
			}
		})
	}
}

// TestScanStopsWhileAReadIsStuck: a scan stopped while a read hangs
// returns soon, not when the read does.
func TestScanStopsWhileAReadIsStuck(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	release := make(chan struct{})
	defer close(release)
	s.open.content = func(at *dirHandle, path string, want fileStat) (contentReader, error) {
		f, err := openContent(at, path, want)
		if err != nil {
			return f, err
		}
		return &stuckReader{contentReader: f, release: release}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Scan(ctx, Policy{ID: "p", Revision: "1", Paths: []string{root}}, ScanOptions{Send: (&recorder{}).send})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("scan: %v, want the deadline", err)
	}
	if d := time.Since(start); d > cancelGrace+2*time.Second {
		t.Errorf("stopping took %s", d)
	}
}

// TestScanDoesNotEnterPseudoFileSystems: a directory on proc, sysfs and
// the like is recorded but not entered, without an error.
func TestScanDoesNotEnterPseudoFileSystems(t *testing.T) {
	for _, dir := range []string{"/proc", "/sys", "/sys/fs/cgroup", "/dev/pts"} {
		if pseudoFS(dir) == "" {
			continue // not mounted here, or not Linux
		}
		t.Run(dir, func(t *testing.T) {
			s := openTestState(t)
			rec, _ := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{dir}})
			if got := summarize("", rec.changes()); !slices.Equal(got, []string{"added " + dir}) {
				t.Errorf("changes %q, want only the directory itself", got)
			}
			if errs := rec.errors(); len(errs) != 0 {
				t.Errorf("errors %v", errs)
			}
		})
	}
	// At depth: a proc mounted below a watched directory (needs root).
	root := t.TempDir()
	mnt := filepath.Join(root, "chroot/proc")
	must(t, os.MkdirAll(mnt, 0o755))
	writeFile(t, filepath.Join(root, "chroot/etc/hosts"), "hosts")
	if err := mountProc(mnt); err != nil {
		t.Logf("proc at depth not tested: %v", err)
		return
	}
	defer unmount(mnt)
	s := openTestState(t)
	rec, _ := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
	want := []string{"added .", "added /chroot", "added /chroot/etc", "added /chroot/etc/hosts", "added /chroot/proc"}
	if got := summarize(root, rec.changes()); !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	if errs := rec.errors(); len(errs) != 0 {
		t.Errorf("errors %v", fmt.Sprint(errs))
	}
}
