package fim

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// tree builds the fixture every change case starts from: a/ with two
// files, a symlink, an empty directory, and b/ (a directory with a file).
func tree(t *testing.T, root string) {
	t.Helper()
	writeFile(t, filepath.Join(root, "a/one.txt"), "one")
	writeFile(t, filepath.Join(root, "a/two.txt"), "two")
	writeFile(t, filepath.Join(root, "b/inner.txt"), "inner")
	must(t, os.Mkdir(filepath.Join(root, "empty"), 0o755))
	must(t, os.Symlink("a/one.txt", filepath.Join(root, "link")))
	for _, p := range []string{"a/one.txt", "a/two.txt", "b/inner.txt"} {
		must(t, os.Chtimes(filepath.Join(root, p), past, past))
	}
}

// retarget points the symlink elsewhere through a rename, so the new link
// surely has a new inode (unlink and create may reuse the old number).
func retarget(t *testing.T, link, target string) {
	t.Helper()
	tmp := link + ".new"
	must(t, os.Symlink(target, tmp))
	must(t, os.Rename(tmp, link))
}

func TestScanReportsExactChanges(t *testing.T) {
	cases := []struct {
		name    string
		attrs   []string // policy attributes; empty: all
		exclude func(root string) []string
		change  func(t *testing.T, root string)
		want    []string
	}{
		{name: "nothing changed", change: func(*testing.T, string) {}},
		{
			name:   "file added",
			change: func(t *testing.T, root string) { writeFile(t, filepath.Join(root, "a/three.txt"), "3") },
			want:   []string{"added /a/three.txt"},
		},
		{
			name:   "file removed",
			change: func(t *testing.T, root string) { must(t, os.Remove(filepath.Join(root, "a/two.txt"))) },
			want:   []string{"removed /a/two.txt"},
		},
		{
			name:   "directory with content removed",
			change: func(t *testing.T, root string) { must(t, os.RemoveAll(filepath.Join(root, "b"))) },
			want:   []string{"removed /b", "removed /b/inner.txt"},
		},
		{
			name:   "content and size changed",
			change: func(t *testing.T, root string) { writeFile(t, filepath.Join(root, "a/one.txt"), "one more") },
			want:   []string{"modified /a/one.txt sha256,size,mtime"},
		},
		{
			name: "content changed, size and mtime put back",
			change: func(t *testing.T, root string) {
				p := filepath.Join(root, "a/one.txt")
				writeFile(t, p, "ONE")
				must(t, os.Chtimes(p, past, past)) // only ctime betrays it
			},
			want: []string{"modified /a/one.txt sha256"},
		},
		{
			name:   "mode changed",
			change: func(t *testing.T, root string) { must(t, os.Chmod(filepath.Join(root, "a/one.txt"), 0o4711)) },
			want:   []string{"modified /a/one.txt mode"},
		},
		{
			name: "mtime only",
			change: func(t *testing.T, root string) {
				must(t, os.Chtimes(filepath.Join(root, "a/two.txt"), past, past.Add(time.Hour)))
			},
			want: []string{"modified /a/two.txt mtime"},
		},
		{
			name:   "symlink retargeted",
			change: func(t *testing.T, root string) { retarget(t, filepath.Join(root, "link"), "a/two.txt") },
			want:   []string{"modified /link mtime,inode,target"},
		},
		{
			name: "file became a directory",
			change: func(t *testing.T, root string) {
				p := filepath.Join(root, "a/one.txt")
				must(t, os.Mkdir(p+".new", 0o644)) // made first, so surely a new inode
				must(t, os.Chtimes(p+".new", past, past))
				must(t, os.Remove(p))
				must(t, os.Rename(p+".new", p))
			},
			want: []string{"modified /a/one.txt type,sha256,size,inode"},
		},
		{
			name: "directory became a file",
			change: func(t *testing.T, root string) {
				p := filepath.Join(root, "b")
				writeFile(t, p+".new", "")
				must(t, os.Chmod(p+".new", 0o755))
				must(t, os.Chtimes(p+".new", past, past))
				must(t, os.RemoveAll(p))
				must(t, os.Rename(p+".new", p))
			},
			want: []string{"modified /b type,sha256,mtime,inode", "removed /b/inner.txt"},
		},
		{
			name:  "attribute not watched changes silently",
			attrs: []string{AttrSHA256, AttrSize},
			change: func(t *testing.T, root string) {
				must(t, os.Chmod(filepath.Join(root, "a/one.txt"), 0o600))
				writeFile(t, filepath.Join(root, "a/two.txt"), "TWO")
			},
			want: []string{"modified /a/two.txt sha256"},
		},
		{
			name:    "excluded paths change unseen",
			exclude: func(root string) []string { return []string{root + "/b/**", root + "/a/*.log"} },
			change: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "b/new.txt"), "new")
				writeFile(t, filepath.Join(root, "b/inner.txt"), "changed")
				writeFile(t, filepath.Join(root, "a/x.log"), "log")
				writeFile(t, filepath.Join(root, "a/x.txt"), "txt")
			},
			want: []string{"added /a/x.txt"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tree(t, root)
			s := openTestState(t)
			p := Policy{ID: "p", Revision: "1", Paths: []string{root}, Attributes: tc.attrs}
			if tc.exclude != nil {
				p.Exclude = tc.exclude(root)
			}
			base, _ := scanOnce(t, s, p)
			if !base.batches[0].Baseline {
				t.Fatal("first scan is not a baseline")
			}
			tc.change(t, root)
			rec, _ := scanOnce(t, s, p)
			if rec.batches[0].Baseline {
				t.Fatal("second scan is a baseline")
			}
			if got := summarize(root, rec.changes()); !slices.Equal(got, tc.want) {
				t.Errorf("changes:\n got %q\nwant %q", got, tc.want)
			}
			if errs := rec.errors(); len(errs) > 0 {
				t.Errorf("errors: %v", errs)
			}
			again, _ := scanOnce(t, s, p)
			if got := again.changes(); len(got) > 0 {
				t.Errorf("a rescan after the changes reported %q", summarize(root, got))
			}
		})
	}
}

func TestScanBaselineSendsEveryObjectAsAdded(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	writeFile(t, filepath.Join(root, "excluded/x"), "x")
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root, filepath.Join(root, "a")}, Exclude: []string{root + "/excluded"}}
	rec, sum := scanOnce(t, s, p)
	want := []string{"added .", "added /a", "added /a/one.txt", "added /a/two.txt", "added /b", "added /b/inner.txt", "added /empty", "added /link"}
	if got := summarize(root, rec.changes()); !slices.Equal(got, want) {
		t.Errorf("baseline:\n got %q\nwant %q", got, want)
	}
	for _, b := range rec.batches {
		if !b.Baseline || b.Scan != 1 {
			t.Errorf("batch %d: baseline %v scan %d", b.Seq, b.Baseline, b.Scan)
		}
	}
	if !sum.Baseline || sum.Objects != 8 || sum.Changes != 8 || sum.Bytes != uint64(len("onetwoinner")) {
		t.Errorf("summary %+v", sum)
	}
	for _, c := range rec.changes() {
		if c.Path == filepath.Join(root, "a/one.txt") {
			if c.After.SHA256 != "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed" || c.After.Size != 3 || c.After.Mode != 0o644 || !c.After.MTime.Equal(past) {
				t.Errorf("one.txt recorded as %+v", *c.After)
			}
		}
		if c.Path == filepath.Join(root, "link") && (c.After.Type != TypeSymlink || c.After.Target != "a/one.txt") {
			t.Errorf("link recorded as %+v", *c.After)
		}
	}
	// A new revision is a new baseline: everything again, as added.
	p.Revision = "2"
	rec, _ = scanOnce(t, s, p)
	if got := summarize(root, rec.changes()); !rec.batches[0].Baseline || !slices.Equal(got, want) {
		t.Errorf("new revision: baseline %v, changes %q", rec.batches[0].Baseline, got)
	}
}
