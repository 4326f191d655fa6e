package fim

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestStateBookkeeping(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	if at, err := s.LastScanAt("p"); err != nil || !at.IsZero() {
		t.Errorf("LastScanAt before any scan: %v, %v", at, err)
	}
	must(t, s.SetScanRequest("p", 7))
	if n, err := s.LastScanRequest("p"); err != nil || n != 7 {
		t.Errorf("LastScanRequest = %d, %v", n, err)
	}
	if ok, err := s.Baselined("p", "1"); err != nil || ok {
		t.Errorf("Baselined before any scan: %v, %v", ok, err)
	}
	before := time.Now()
	scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
	if ok, _ := s.Baselined("p", "1"); !ok {
		t.Error("not Baselined after the baseline of revision 1")
	}
	if ok, _ := s.Baselined("p", "2"); ok {
		t.Error("Baselined at revision 2, which was never scanned")
	}
	scanOnce(t, s, Policy{ID: "q", Revision: "1", Paths: []string{root}})
	if at, _ := s.LastScanAt("p"); at.Before(before) {
		t.Errorf("LastScanAt %v, scan finished after %v", at, before)
	}
	if ids, err := s.Policies(); err != nil || !slices.Equal(ids, []string{"p", "q"}) {
		t.Errorf("Policies = %q, %v", ids, err)
	}
	must(t, s.Forget("p"))
	must(t, s.Forget("never-seen"))
	if ids, _ := s.Policies(); !slices.Equal(ids, []string{"q"}) {
		t.Errorf("Policies after Forget = %q", ids)
	}
	// A forgotten policy that comes back starts with a baseline, numbered
	// after its last scan: the server drops reports it already holds by
	// (scan, seq), so scan 1 again would be taken for a resend.
	rec, _ := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
	if b := rec.batches[0]; !b.Baseline || b.Scan != 2 {
		t.Errorf("scan after Forget: baseline %v, scan %d; want a baseline numbered 2", b.Baseline, b.Scan)
	}
	if fi, err := os.Stat(s.db.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, %v", fi.Mode(), err)
	}
}

func TestPolicyIsChecked(t *testing.T) {
	cases := map[string]Policy{
		"no id":             {Paths: []string{"/etc"}},
		"no paths":          {ID: "p"},
		"relative path":     {ID: "p", Paths: []string{"etc"}},
		"bad exclude":       {ID: "p", Paths: []string{"/etc"}, Exclude: []string{"/etc/["}},
		"relative exclude":  {ID: "p", Paths: []string{"/etc"}, Exclude: []string{"*.log"}},
		"unknown attribute": {ID: "p", Paths: []string{"/etc"}, Attributes: []string{"colour"}},
	}
	s := openTestState(t)
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Scan(t.Context(), p, ScanOptions{Send: (&recorder{}).send}); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// TestWalkOrderMatchesKeyOrder checks the property the merge-join rests
// on, with names that sort differently as paths and as strings ("a b"
// and "a.b" before "a/x" in byte order, but after it in a walk).
func TestWalkOrderMatchesKeyOrder(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"a/x", "a/x/deep", "a b", "a.b", "a-b/c", "ab", "a\x01", "b"} {
		writeFile(t, filepath.Join(root, p, "f"), "")
	}
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	rec, _ := scanOnce(t, s, p)
	var walked []string
	for _, c := range rec.changes() {
		walked = append(walked, pathKey(c.Path))
	}
	if !slices.IsSorted(walked) {
		t.Errorf("walk order is not key order:\n%q", walked)
	}
	if again, _ := scanOnce(t, s, p); len(again.changes()) != 0 {
		t.Errorf("unchanged rescan reported %q", summarize(root, again.changes()))
	}
}

func TestPseudoFileSystemsAreNotEntered(t *testing.T) {
	w := &walker{plan: plan{roots: []string{"/"}}, root: "/"}
	var seen []string
	w.emit = func(ev walkEvent) error {
		seen = append(seen, ev.path)
		return nil
	}
	w.names = func(path string, want fileStat) ([]dirEntry, int, error) {
		if path == "/" {
			return []dirEntry{{name: "proc"}, {name: "sys"}, {name: "dev"}}, -1, nil
		}
		t.Errorf("entered %s", path)
		return nil, -1, nil
	}
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		st, err := lstat(d)
		if err != nil {
			t.Skipf("no %s here: %v", d, err)
		}
		must(t, w.visit(t.Context(), d, pathKey(d), st))
	}
	if !slices.Equal(seen, []string{"/proc", "/sys", "/dev"}) {
		t.Errorf("visited %q", seen)
	}
}

func TestIncrementalScansReadOnlyWhatMoved(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}, FullRehashEvery: 3}
	const all = uint64(len("onetwoinner"))
	// Scan 1 is the baseline (reads all), 3 and 6 are full re-hashes, and
	// 5 reads only the file changed before it.
	wants := []uint64{all, 0, all, 0, uint64(len("five")), uint64(len("fivetwoinner"))}
	for i, want := range wants {
		if i == 4 {
			writeFile(t, filepath.Join(root, "a/one.txt"), "five")
		}
		_, sum := scanOnce(t, s, p)
		if sum.Scan != uint64(i+1) || sum.Hashed != want {
			t.Errorf("scan %d: hashed %d bytes, want %d", sum.Scan, sum.Hashed, want)
		}
	}
}

func TestStateEpoch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fim.db")
	s, err := OpenState(path)
	must(t, err)
	first := s.Epoch()
	if !isEpoch([]byte(first)) {
		t.Fatalf("epoch %q is not 32 lowercase hex digits", first)
	}
	must(t, s.Close())
	s, err = OpenState(path)
	must(t, err)
	if got := s.Epoch(); got != first {
		t.Errorf("reopened state has epoch %q, created with %q", got, first)
	}
	must(t, s.Close())
	// A state file deleted and created anew is another epoch: its scan
	// numbers start again at 1.
	must(t, os.Remove(path))
	s, err = OpenState(path)
	must(t, err)
	defer s.Close()
	if got := s.Epoch(); got == first || !isEpoch([]byte(got)) {
		t.Errorf("recreated state has epoch %q, the old one was %q", got, first)
	}
}
