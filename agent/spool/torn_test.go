package spool

import (
	"os"
	"path/filepath"
	"testing"
)

// recSize is the size on disk of a record of 100 bytes.
const recSize = headerSize + 100

func TestTornTailCutOnOpen(t *testing.T) {
	truncate := func(n int64) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.Truncate(path, fileSize(t, path)-n); err != nil {
				t.Fatal(err)
			}
		}
	}
	flip := func(off int64) func(t *testing.T, path string) {
		return func(t *testing.T, path string) { flipByte(t, path, off) }
	}
	tests := []struct {
		name     string
		seg      uint64 // first seq of the segment damaged
		damage   func(t *testing.T, path string)
		wantLeft []uint64 // seqs left, as ranges first, last, first, last...
		minNext  uint64   // the least seq the next Append may get
	}{
		{name: "truncated inside the data", seg: 17, damage: truncate(40), wantLeft: []uint64{1, 23}, minNext: 25},
		{name: "truncated inside the header", seg: 17, damage: truncate(recSize - 10), wantLeft: []uint64{1, 23}, minNext: 25},
		{name: "truncated to a few bytes", seg: 17, damage: truncate(7*recSize + 100), wantLeft: []uint64{1, 16}, minNext: 17},
		{name: "flipped byte in the last record's data", seg: 17, damage: flip(7*recSize + 60), wantLeft: []uint64{1, 23}, minNext: 25},
		{name: "flipped byte in a length", seg: 17, damage: flip(3*recSize + 1), wantLeft: []uint64{1, 19}, minNext: 25},
		{name: "flipped byte in a seq", seg: 17, damage: flip(5*recSize + 8), wantLeft: []uint64{1, 21}, minNext: 25},
		{name: "flipped byte in a middle segment", seg: 9, damage: flip(2*recSize + 50), wantLeft: []uint64{1, 10, 17, 24}, minNext: 25},
		{name: "garbage after the last record", seg: 17, damage: appendBytes([]byte{1, 2, 3, 4, 5}), wantLeft: []uint64{1, 24}, minNext: 25},
		{name: "a header claiming a huge record", seg: 17, damage: appendBytes([]byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0}), wantLeft: []uint64{1, 24}, minNext: 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openT(t, dir, smallSegs)
			appendN(t, s, 1, 24, 5, 100) // segments 1-8, 9-16, 17-24
			closeT(t, s)
			path := filepath.Join(dir, segName(tt.seg))
			tt.damage(t, path)

			s = openT(t, dir, smallSegs)
			recs := peekAll(t, s)
			var want []uint64
			for i := 0; i < len(tt.wantLeft); i += 2 {
				for seq := tt.wantLeft[i]; seq <= tt.wantLeft[i+1]; seq++ {
					want = append(want, seq)
				}
			}
			checkSeqs(t, recs, want)
			last, err := s.Append(payload(0, 100))
			if err != nil {
				t.Fatalf("Append after the cut: %v", err)
			}
			// Records still on disk, even corrupt ones, may have been handed
			// out: their seqs are never given again. Bytes gone with a
			// truncation were a write that never returned.
			if last < tt.minNext {
				t.Errorf("Append after the cut got seq %d, want at least %d", last, tt.minNext)
			}
		})
	}
}

// appendBytes returns a damage that appends b to the file.
func appendBytes(b []byte) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}
}

// checkSeqs fails unless recs have exactly the seqs want, each with its payload.
func checkSeqs(t *testing.T, recs []Record, want []uint64) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("got %d records %s, want %d", len(recs), seqRange(recs), len(want))
	}
	for i, r := range recs {
		if r.Seq != want[i] || string(r.Data) != string(payload(want[i], 100)) {
			t.Fatalf("record %d is seq %d %q, want seq %d with its payload", i, r.Seq, r.Data, want[i])
		}
	}
}

func TestEmptySegmentFileRemoved(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, smallSegs)
	appendN(t, s, 1, 3, 3, 100)
	closeT(t, s)
	// A crash between creating a segment and writing to it leaves it empty.
	if err := os.WriteFile(filepath.Join(dir, segName(4)), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openT(t, dir, smallSegs)
	checkRecords(t, peekAll(t, s), 1, 3, 100)
	if got := segFiles(t, dir); len(got) != 1 {
		t.Errorf("segment files %v, want the empty one removed", got)
	}
	appendN(t, s, 4, 1, 1, 100)
}
