package fim

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// errorsOf is a scan's errors as "path: message" relative to root.
func errorsOf(root string, rec *recorder) []string {
	var out []string
	for _, e := range rec.errors() {
		rel, _ := filepath.Rel(root, e.Path)
		out = append(out, "/"+rel+": "+e.Error)
	}
	slices.Sort(out)
	return out
}

// deny makes the opener fail for the given paths as the kernel does for
// a path the agent may not read. Root bypasses permissions, so the tests
// (run as root in CI) inject the error here; TestUnprivilegedScan checks
// the real kernel error path as an unprivileged user.
func deny(s *State, paths ...string) {
	denied := func(p string) bool { return slices.Contains(paths, p) }
	s.open = opener{
		content: func(at *dirHandle, path string, want fileStat) (contentReader, error) {
			if denied(path) {
				return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}
			}
			return openContent(at, path, want)
		},
		names: func(path string, want fileStat) ([]dirEntry, int, error) {
			if denied(path) {
				return nil, -1, &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}
			}
			return readNames(path, want)
		},
	}
}

// TestScanKeepsRecordsOfUnreadablePaths: what the agent may not read
// keeps its record while it looks as recorded; once its metadata moves
// (or it is new) it is reported with that metadata and no hash, so making
// a file unreadable to the agent cannot hide its changes.
func TestScanKeepsRecordsOfUnreadablePaths(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	scanOnce(t, s, p)

	writeFile(t, filepath.Join(root, "a/one.txt"), "changed")
	writeFile(t, filepath.Join(root, "b/inner.txt"), "changed")
	writeFile(t, filepath.Join(root, "b/new.txt"), "new")
	writeFile(t, filepath.Join(root, "a/new.txt"), "new")
	writeFile(t, filepath.Join(root, "a/secret.txt"), "new, unreadable")
	deny(s, filepath.Join(root, "a/one.txt"), filepath.Join(root, "a/two.txt"), filepath.Join(root, "a/secret.txt"), filepath.Join(root, "b"))
	rec, _ := scanOnce(t, s, p)
	// Nothing below b is reported removed (b cannot be listed); one.txt
	// moved and secret.txt is new: reported with their metadata and no
	// hash; two.txt did not move, so it is not read at all.
	if got, want := summarize(root, rec.changes()), []string{"added /a/new.txt", "added /a/secret.txt", "modified /a/one.txt size,mtime"}; !slices.Equal(got, want) {
		t.Errorf("changes while denied:\n got %q\nwant %q", got, want)
	}
	for _, c := range rec.changes() {
		if strings.HasSuffix(c.Path, "/one.txt") && (c.After == nil || c.After.SHA256 != "" || c.Before == nil || c.Before.SHA256 == "") {
			t.Errorf("one.txt reported with before %+v after %+v; want its old hash before, none after", c.Before, c.After)
		}
	}
	const unknown = ": content not read; reported with its metadata, sha256 unknown"
	wantErrs := []string{
		"/a/one.txt: open: permission denied" + unknown,
		"/a/secret.txt: open: permission denied" + unknown,
		"/b: open: permission denied",
	}
	if got := errorsOf(root, rec); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n got %q\nwant %q", got, wantErrs)
	}
	if rec.batches[len(rec.batches)-1].Progress.Errors != 3 {
		t.Errorf("progress %+v", rec.batches[len(rec.batches)-1].Progress)
	}
	// Still denied, nothing moved: read again (no hash yet), errors only,
	// no change reported twice.
	rec, _ = scanOnce(t, s, p)
	if len(rec.changes()) != 0 {
		t.Errorf("second scan while denied reports %q", summarize(root, rec.changes()))
	}
	if got := errorsOf(root, rec); !slices.Equal(got, []string{"/a/one.txt: open: permission denied", "/a/secret.txt: open: permission denied", "/b: open: permission denied"}) {
		t.Errorf("second scan's errors %q", got)
	}

	s.open = osOpener
	rec, _ = scanOnce(t, s, p)
	want := []string{"added /b/new.txt", "modified /a/one.txt sha256", "modified /a/secret.txt sha256", "modified /b/inner.txt sha256,size,mtime"}
	if got := summarize(root, rec.changes()); !slices.Equal(got, want) {
		t.Errorf("changes once readable:\n got %q\nwant %q", got, want)
	}
}

// TestScanReportsFileChangingWhileRead: a file that changes during one
// read is read again and reported with its hash; one that changes during
// every read is reported with its new metadata and no hash, which the
// next scan fills in.
func TestScanReportsFileChangingWhileRead(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}, FullRehashEvery: 1}
	scanOnce(t, s, p)
	target := filepath.Join(root, "a/two.txt")
	appendOnOpen := func(times int) {
		s.open.content = func(at *dirHandle, path string, want fileStat) (contentReader, error) {
			f, err := openContent(at, path, want)
			if path == target && times > 0 { // a writer appends while the scan reads
				times--
				fh, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				fmt.Fprint(fh, "more")
				fh.Close()
			}
			return f, err
		}
	}
	appendOnOpen(1)
	rec, _ := scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{"modified /a/two.txt sha256,size,mtime"}; !slices.Equal(got, want) {
		t.Errorf("changed during one read:\n got %q\nwant %q", got, want)
	}
	if got := errorsOf(root, rec); len(got) != 0 {
		t.Errorf("errors %q", got)
	}

	appendOnOpen(hashAttempts)
	rec, _ = scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{"modified /a/two.txt size,mtime"}; !slices.Equal(got, want) {
		t.Errorf("changed during every read:\n got %q\nwant %q", got, want)
	}
	if c := rec.changes(); len(c) == 1 && (c[0].After.SHA256 != "" || c[0].Before.SHA256 == "" || c[0].After.Size != 15) {
		t.Errorf("after %+v, before %+v: want the size of the last look (15) and no sha256 after", c[0].After, c[0].Before)
	}
	want := []string{"/a/two.txt: changed while being read (size 15, read 19); read 3 times: sha256 unknown; reported with its new metadata, hashed again by the next scan"}
	if got := errorsOf(root, rec); !slices.Equal(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}

	s.open = osOpener
	must(t, os.Chtimes(target, past, past)) // the last append's mtime may equal the last look's
	rec, _ = scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{"modified /a/two.txt sha256,size,mtime"}; !slices.Equal(got, want) {
		t.Errorf("next scan:\n got %q\nwant %q", got, want)
	}
	if c := rec.changes(); len(c) == 1 && (c[0].Before.SHA256 != "" || c[0].After.SHA256 == "") {
		t.Errorf("before %+v after %+v: want the hash filled in", c[0].Before, c[0].After)
	}
	if rec, _ = scanOnce(t, s, p); len(rec.changes()) != 0 {
		t.Errorf("a scan after that reports %q", summarize(root, rec.changes()))
	}
}

func TestScanReportsVanishedEntriesAndOddNames(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	writeFile(t, filepath.Join(root, "a/bad\xffname"), "x")
	writeFile(t, filepath.Join(root, "a/dir\xfe/below"), "x")
	writeFile(t, filepath.Join(root, "a/line\nbreak"), "x")
	must(t, os.Symlink("to\xfdnowhere", filepath.Join(root, "a/oddlink")))
	// A path longer than a report carries: not recorded, an error instead.
	deep := mkdirDeep(t, root, MaxPathLen)
	s := openTestState(t)
	s.open.names = func(path string, want fileStat) ([]dirEntry, int, error) {
		names, fd, err := readNames(path, want)
		if path == filepath.Join(root, "b") {
			// Listed, then gone before lstat; and a regular file listed,
			// then gone before the hashing worker opened it.
			names = append(names, dirEntry{name: "ghost"}, dirEntry{name: "ghost file", regular: true})
		}
		return names, fd, err
	}
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	rec, _ := scanOnce(t, s, p)
	want := []string{
		"/b/ghost file: vanished during the scan",
		"/b/ghost: vanished during the scan",
	}
	got := errorsOf(root, rec)
	if len(got) != 3 || !slices.Equal(got[:2], want) || !strings.HasSuffix(got[2], "…: path longer than 4096 bytes; not recorded, nor anything below it") {
		t.Fatalf("errors:\n got %q\nwant %q, then one for the deep path", got, want)
	}
	for _, e := range rec.errors() {
		if len(e.Path) > MaxPathLen {
			t.Errorf("error path of %d bytes, more than a report carries", len(e.Path))
		}
	}
	byPath := map[string]Change{}
	for _, c := range rec.changes() {
		if !utf8Valid(c.Path) {
			t.Errorf("change for a path that is not UTF-8: %q", c.Path)
		}
		byPath[strings.TrimPrefix(c.Path, root)] = c
	}
	for _, p := range []string{`/a/bad\xffname`, `/a/dir\xfe`, `/a/dir\xfe/below`, "/a/line\nbreak", "/a/oddlink"} {
		if _, ok := byPath[p]; !ok {
			t.Errorf("%q not recorded; recorded %q", p, summarize(root, rec.changes()))
		}
	}
	if c := byPath["/a/oddlink"]; c.After == nil || c.After.Target != `to\xfdnowhere` {
		t.Errorf("odd symlink reported as %+v, want its target escaped", c.After)
	}
	if got, want := len(rec.changes()), 8+5+len(strings.Split(strings.TrimPrefix(filepath.Dir(deep), root), "/"))-1; got != want {
		t.Errorf("%d objects recorded, want %d: the tree's 8, the 5 odd ones and the deep path's directories", got, want)
	}

	// Changes under odd names are seen like any other.
	writeFile(t, filepath.Join(root, "a/dir\xfe/below"), "changed")
	retarget(t, filepath.Join(root, "a/oddlink"), "to\xfcelsewhere")
	rec, _ = scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{
		`modified /a/dir\xfe/below sha256,size,mtime`,
		"modified /a/oddlink size,mtime,inode,target",
	}; !slices.Equal(got, want) {
		t.Errorf("rescan changes %q, want %q", got, want)
	}
}

// mkdirDeep makes directories below root, one inside the other, until
// the path is longer than n bytes, and returns it. Linux refuses a path
// that long, so each is made relative to its parent.
func mkdirDeep(t *testing.T, root string, n int) string {
	t.Helper()
	name := strings.Repeat("d", 200)
	dir, err := os.OpenRoot(root)
	must(t, err)
	path := root
	for len(path) <= n {
		must(t, dir.Mkdir(name, 0o755))
		sub, err := dir.OpenRoot(name)
		must(t, err)
		dir.Close()
		dir, path = sub, path+"/"+name
	}
	dir.Close()
	return path
}

func TestScanRootsMissingOrSymlinks(t *testing.T) {
	root := t.TempDir()
	tree(t, root)
	missing := filepath.Join(root, "missing")
	link := filepath.Join(root, "link") // -> a/one.txt; recorded, not followed
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{missing, link, filepath.Join(root, "b")}}
	rec, _ := scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{"added /b", "added /b/inner.txt", "added /link"}; !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	if got, want := errorsOf(root, rec), []string{"/missing: does not exist"}; !slices.Equal(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	must(t, os.RemoveAll(filepath.Join(root, "b")))
	rec, _ = scanOnce(t, s, p)
	if got, want := summarize(root, rec.changes()), []string{"removed /b", "removed /b/inner.txt"}; !slices.Equal(got, want) {
		t.Errorf("root removed:\n got %q\nwant %q", got, want)
	}
}

func TestScanSplitsManyErrorsOverBatches(t *testing.T) {
	root := t.TempDir()
	var denied []string
	for i := range 250 {
		denied = append(denied, filepath.Join(root, fmt.Sprintf("denied%03d", i)))
		writeFile(t, denied[i], "")
	}
	s := openTestState(t)
	deny(s, denied...)
	rec, sum := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
	for _, b := range rec.batches {
		if len(b.Errors) > 100 {
			t.Errorf("batch %d carries %d errors; the wire allows 100", b.Seq, len(b.Errors))
		}
	}
	if n := len(rec.errors()); n != 250 || sum.Errors != 250 {
		t.Errorf("%d errors reported, summary says %d; want 250", n, sum.Errors)
	}
}

// TestScanBoundsBatchesByBytes: long paths make smaller batches, so the
// batches in flight stay small whatever names a tree holds.
func TestScanBoundsBatchesByBytes(t *testing.T) {
	root := t.TempDir()
	deep := mkdirDeep(t, root, 3000)
	dir, err := os.OpenRoot(deep)
	must(t, err)
	defer dir.Close()
	for i := range 400 {
		f, err := dir.Create(fmt.Sprintf("%03d%s", i, strings.Repeat("f", 200)))
		must(t, err)
		f.Close()
	}
	s := openTestState(t)
	rec, _ := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
	if n := len(rec.changes()); n != 400+strings.Count(strings.TrimPrefix(deep, root), "/")+1 {
		t.Fatalf("%d objects recorded", n)
	}
	for _, b := range rec.batches {
		size := 0
		for _, c := range b.Changes {
			size += 2 * len(c.Path) // the path and its state key
		}
		if size > maxBatchBytes+16<<10 {
			t.Errorf("batch %d holds %d changes, %d bytes of paths; want at most about %d", b.Seq, len(b.Changes), size, maxBatchBytes)
		}
	}
	if len(rec.batches) < 3 {
		t.Errorf("%d batches for 1.3 MB of paths and keys: not split by size", len(rec.batches))
	}
}
