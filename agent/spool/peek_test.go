package spool

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPeekLimits(t *testing.T) {
	tests := []struct {
		name     string
		max      int
		maxBytes int64
		want     int
	}{
		{name: "no limits", want: 20},
		{name: "count", max: 3, want: 3},
		{name: "count across segments", max: 12, want: 12},
		{name: "bytes", maxBytes: 250, want: 2},
		{name: "bytes exactly", maxBytes: 300, want: 3},
		{name: "one record over the byte limit", maxBytes: 50, want: 1},
		{name: "both, count first", max: 2, maxBytes: 1000, want: 2},
		{name: "both, bytes first", max: 10, maxBytes: 400, want: 4},
	}
	s := openT(t, t.TempDir(), smallSegs)
	appendN(t, s, 1, 20, 20, 100)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // peeking removes nothing
				recs, err := s.Peek(tt.max, tt.maxBytes)
				if err != nil {
					t.Fatalf("Peek: %v", err)
				}
				checkRecords(t, recs, 1, uint64(tt.want), 100)
			}
		})
	}
}

func TestPeekEmpty(t *testing.T) {
	s := openT(t, t.TempDir(), Options{})
	recs, err := s.Peek(10, 0)
	if err != nil || len(recs) != 0 {
		t.Fatalf("Peek on an empty spool = %d records, %v; want none and no error", len(recs), err)
	}
}

func TestAppendTooLarge(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		size    int
		wantErr bool
	}{
		{name: "at the record limit", size: MaxRecordBytes},
		{name: "over the record limit", size: MaxRecordBytes + 1, wantErr: true},
		{name: "fills a small segment", opts: smallSegs, size: 1024 - headerSize},
		{name: "over a small segment", opts: smallSegs, size: 1024 - headerSize + 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openT(t, t.TempDir(), tt.opts)
			appendN(t, s, 1, 1, 1, 10)
			last, err := s.Append([]byte("small"), make([]byte, tt.size))
			if got := errors.Is(err, ErrTooLarge); got != tt.wantErr {
				t.Fatalf("Append of %d bytes = %d, %v; want ErrTooLarge %v", tt.size, last, err, tt.wantErr)
			}
			want := uint64(3)
			if tt.wantErr {
				want = 1 // the whole batch was refused
			}
			if st := s.Stats(); st.Records != want {
				t.Errorf("Stats.Records = %d, want %d", st.Records, want)
			}
		})
	}
}

func TestPeekCutsCorruptionFoundLater(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, smallSegs)
	// Three segments: 1-8, 9-16, 17-24.
	appendN(t, s, 1, 24, 24, 100)
	flipByte(t, filepath.Join(dir, segName(9)), 4*124+30) // inside record 13
	recs := peekAll(t, s)
	if len(recs) != 20 || recs[11].Seq != 12 || recs[12].Seq != 17 {
		t.Fatalf("Peek after corrupting record 13 gave %d records %s, want 1-12 and 17-24", len(recs), seqRange(recs))
	}
	if st := s.Stats(); st.Dropped != 4 || st.Records != 20 {
		t.Errorf("Stats = %+v, want 20 records and 4 dropped", st)
	}
	if got := fileSize(t, filepath.Join(dir, segName(9))); got != 4*124 {
		t.Errorf("corrupt segment is %d bytes, want it cut to %d", got, 4*124)
	}
	closeT(t, s)
	s = openT(t, dir, smallSegs)
	if st := s.Stats(); st.Dropped != 4 || st.Records != 20 {
		t.Errorf("Stats after reopening = %+v, want 20 records and 4 dropped", st)
	}
}

// flipByte inverts the byte at off in a file.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptionInHeadAndActiveSegment(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, smallSegs)
	appendN(t, s, 1, 24, 24, 100) // segments 1-8, 9-16 and 17-24, the last open

	// Ack reads the head segment past record 6 and meets the corrupt record
	// 5: the unacknowledged 7 and 8 go with it.
	flipByte(t, filepath.Join(dir, segName(1)), 4*recSize+30)
	if err := s.Ack(6); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	checkRecords(t, peekAll(t, s), 9, 24, 100)
	if st := s.Stats(); st.Dropped != 2 {
		t.Errorf("Stats.Dropped = %d, want 2", st.Dropped)
	}

	// Corruption in the segment being appended to: it is sealed at the cut
	// and appends go on in a new one.
	flipByte(t, filepath.Join(dir, segName(17)), 3*recSize+30)
	recs := peekAll(t, s)
	if len(recs) != 11 || recs[10].Seq != 19 {
		t.Fatalf("Peek after corrupting record 20 gave %d records %s, want 9-19", len(recs), seqRange(recs))
	}
	appendN(t, s, 25, 2, 2, 100)
	recs = peekAll(t, s)
	if len(recs) != 13 || recs[10].Seq != 19 || recs[11].Seq != 25 {
		t.Fatalf("Peek gave %d records %s, want 9-19 and 25-26", len(recs), seqRange(recs))
	}
	if st := s.Stats(); st.Dropped != 7 || st.Records != 13 {
		t.Errorf("Stats = %+v, want 13 records and 7 dropped", st)
	}
}
