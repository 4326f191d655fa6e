package spool

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fuzzSeeds are segment files for FuzzOpenSegment besides those in
// testdata/fuzz: empty, whole records, a torn tail and lying headers.
func fuzzSeeds() [][]byte {
	one := appendRecord(nil, 1, 1e18, []byte("first"))
	three := appendRecord(appendRecord(one, 2, 1e18+1, nil), 3, 1e18+2, bytes.Repeat([]byte("x"), 300))
	return [][]byte{
		nil,
		one,
		three,
		three[:len(three)-7],
		append(one, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0),
		appendRecord(nil, 7, 0, []byte("not the seq of the name")),
	}
}

// FuzzOpenSegment opens a spool whose only segment file holds arbitrary
// bytes. It must never panic, never allocate much beyond the file's size
// while scanning it, and keep exactly a valid prefix of the file.
func FuzzOpenSegment(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScanAllocs(t, data)

		dir := t.TempDir()
		path := filepath.Join(dir, segName(1))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		recs, err := s.Peek(0, 0)
		if err != nil {
			t.Fatalf("Peek: %v", err)
		}
		var kept []byte
		for i, r := range recs {
			if r.Seq != uint64(i)+1 {
				t.Fatalf("record %d has seq %d", i, r.Seq)
			}
			kept = appendRecord(kept, r.Seq, r.At.UnixNano(), r.Data)
		}
		if !bytes.HasPrefix(data, kept) {
			t.Fatalf("the %d records kept are not a prefix of the file", len(recs))
		}
		if st := s.Stats(); st.Records != uint64(len(recs)) || st.Bytes != uint64(len(kept)) {
			t.Fatalf("Stats = %+v, want %d records in %d bytes", st, len(recs), len(kept))
		}
		if _, err := s.Append([]byte("after")); err != nil {
			t.Fatalf("Append after opening: %v", err)
		}
	})
}

// checkScanAllocs scans data as a segment and fails when that allocates
// more than twice its size plus a little: a header must not make the
// reader allocate the length it claims.
func checkScanAllocs(t *testing.T, data []byte) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g, err := scanSegment(bytes.NewReader(data), int64(len(data)), 1, 1<<63)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("scanSegment: %v", err)
	}
	if g.size > int64(len(data)) {
		t.Fatalf("scanSegment kept %d bytes of %d", g.size, len(data))
	}
	if n, limit := after.TotalAlloc-before.TotalAlloc, 2*uint64(len(data))+256<<10; n > limit {
		t.Fatalf("scanning %d bytes allocated %d bytes, over %d", len(data), n, limit)
	}
}
