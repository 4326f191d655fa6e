package fim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// recorder is a Send that keeps every batch it confirms; fail, when set,
// decides per batch whether the "server" refuses it.
type recorder struct {
	batches []Batch
	fail    func(b Batch) error
}

func (r *recorder) send(ctx context.Context, b Batch) error {
	if r.fail != nil {
		if err := r.fail(b); err != nil {
			return err
		}
	}
	r.batches = append(r.batches, b)
	return nil
}

func (r *recorder) changes() []Change {
	var out []Change
	for _, b := range r.batches {
		out = append(out, b.Changes...)
	}
	return out
}

func (r *recorder) errors() []ScanError {
	var out []ScanError
	for _, b := range r.batches {
		out = append(out, b.Errors...)
	}
	return out
}

func openTestState(t *testing.T) *State {
	t.Helper()
	s, err := OpenState(filepath.Join(t.TempDir(), "fim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// scanOnce runs one scan that must succeed and returns what it sent.
func scanOnce(t *testing.T, s *State, p Policy) (*recorder, Summary) {
	t.Helper()
	rec := &recorder{}
	sum, err := s.Scan(context.Background(), p, ScanOptions{Send: rec.send})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if n := len(rec.batches); n == 0 || !rec.batches[n-1].Done {
		t.Fatalf("scan sent %d batches, the last not Done", n)
	}
	return rec, sum
}

// summary is a change as "kind path attr,attr" for exact comparisons.
func summarize(root string, cs []Change) []string {
	var out []string
	for _, c := range cs {
		rel := strings.TrimPrefix(c.Path, root)
		if rel == "" {
			rel = "."
		}
		out = append(out, strings.TrimSpace(c.Kind+" "+rel+" "+strings.Join(c.Attrs, ",")))
	}
	slices.Sort(out)
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// past is a fixed mtime, so tests can tell "mtime changed" exactly.
var past = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }
