package fim

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestScanReportsOwnerChange needs root to chown; CI runs as root, so it
// runs there. Elsewhere it is skipped, saying why.
func TestScanReportsOwnerChange(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown to another owner needs root; run the tests as root (CI does)")
	}
	root := t.TempDir()
	tree(t, root)
	s := openTestState(t)
	p := Policy{ID: "p", Revision: "1", Paths: []string{root}}
	scanOnce(t, s, p)
	must(t, os.Lchown(filepath.Join(root, "a/one.txt"), 1234, -1))
	must(t, os.Lchown(filepath.Join(root, "a/two.txt"), 1234, 5678))
	must(t, os.Lchown(filepath.Join(root, "link"), -1, 5678))
	rec, _ := scanOnce(t, s, p)
	want := []string{"modified /a/one.txt uid", "modified /a/two.txt uid,gid", "modified /link gid"}
	if got := summarize(root, rec.changes()); !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
	for _, c := range rec.changes() {
		if c.Path == filepath.Join(root, "a/two.txt") && (c.Before.UID != 0 || c.After.UID != 1234 || c.After.GID != 5678) {
			t.Errorf("before %+v after %+v", *c.Before, *c.After)
		}
	}
}
