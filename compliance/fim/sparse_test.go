package fim

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestScanHashesA2GiBSparseFile checks that a file past the 1 GiB other
// tools stop at is hashed in full, streamed, and correctly: a sparse file
// of 2 GiB reads as zeros, whose SHA-256 crypto/sha256 computes here too.
func TestScanHashesA2GiBSparseFile(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2 GiB")
	}
	const size = 2 << 30
	root := t.TempDir()
	path := filepath.Join(root, "sparse")
	f, err := os.Create(path)
	must(t, err)
	must(t, f.Truncate(size))
	must(t, f.Close())

	want := sha256.New()
	if _, err := io.CopyN(want, zeros{}, size); err != nil {
		t.Fatal(err)
	}
	s := openTestState(t)
	rec, sum := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{path}})
	ch := rec.changes()
	if len(ch) != 1 || ch[0].After.Size != size {
		t.Fatalf("changes %+v", ch)
	}
	if got := ch[0].After.SHA256; got != hex.EncodeToString(want.Sum(nil)) {
		t.Errorf("sha256 %s, want %x", got, want.Sum(nil))
	}
	if sum.Hashed != size {
		t.Errorf("hashed %d bytes, want %d", sum.Hashed, size)
	}
}
