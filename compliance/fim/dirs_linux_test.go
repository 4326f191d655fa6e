package fim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// openFDs is how many descriptors this process has open.
func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(fds)
}

// TestBaselineClosesItsDirectories checks that the directories a
// baseline keeps open for its hashing workers are all closed when the
// scan ends, whether it completes or stops half way.
func TestBaselineClosesItsDirectories(t *testing.T) {
	root := t.TempDir()
	// More directories than maxOpenDirs, a few files in each.
	for i := range 3 * maxOpenDirs * 4 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("d%03d", i/4), fmt.Sprintf("f%d", i)), fmt.Sprint(i))
	}
	for _, tc := range []struct {
		name string
		fail func(Batch) error
	}{
		{name: "completed"},
		{name: "stopped by the first batch", fail: func(Batch) error { return errors.New("server down") }},
		{name: "stopped by the second batch", fail: func(b Batch) error {
			if b.Seq == 2 {
				return errors.New("server down")
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTestState(t)
			before := openFDs(t)
			rec := &recorder{fail: tc.fail}
			p := Policy{ID: "p", Revision: "1", Paths: []string{root}, Workers: 2}
			_, err := s.Scan(context.Background(), p, ScanOptions{Send: rec.send, MaxChanges: 100})
			if (err == nil) != (tc.fail == nil) {
				t.Fatalf("scan: %v", err)
			}
			if after := openFDs(t); after != before {
				t.Errorf("%d descriptors open before the scan, %d after", before, after)
			}
		})
	}
}
