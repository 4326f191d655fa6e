package spool

import (
	"bytes"
	"math"
	"testing"
)

func TestScanSegment(t *testing.T) {
	rec := func(seq uint64) []byte { return appendRecord(nil, seq, int64(seq)*1e9, payload(seq, 10)) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	size := int64(headerSize + 10)
	tests := []struct {
		name      string
		file      []byte
		first     uint64
		limit     uint64
		wantLast  uint64
		wantBytes int64
	}{
		{name: "empty", first: 5, wantLast: 4},
		{name: "in sequence", file: cat(rec(5), rec(6), rec(7)), first: 5, wantLast: 7, wantBytes: 3 * size},
		{name: "first record is not the name's", file: cat(rec(6), rec(7)), first: 5, wantLast: 4},
		{name: "a gap in the seqs", file: cat(rec(5), rec(6), rec(8)), first: 5, wantLast: 6, wantBytes: 2 * size},
		{name: "a seq repeated", file: cat(rec(5), rec(6), rec(6)), first: 5, wantLast: 6, wantBytes: 2 * size},
		{name: "reaching into the next segment", file: cat(rec(5), rec(6), rec(7)), first: 5, limit: 7, wantLast: 6, wantBytes: 2 * size},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.limit == 0 {
				tt.limit = math.MaxUint64
			}
			g, err := scanSegment(bytes.NewReader(tt.file), int64(len(tt.file)), tt.first, tt.limit)
			if err != nil {
				t.Fatalf("scanSegment: %v", err)
			}
			if g.last != tt.wantLast || g.size != tt.wantBytes {
				t.Errorf("scanSegment kept seqs up to %d in %d bytes, want up to %d in %d bytes", g.last, g.size, tt.wantLast, tt.wantBytes)
			}
			if g.size > 0 && (g.firstAt != int64(tt.first)*1e9 || g.lastAt != int64(g.last)*1e9) {
				t.Errorf("scanSegment times %d..%d, want those of records %d..%d", g.firstAt, g.lastAt, tt.first, g.last)
			}
		})
	}
}

func TestParseSegName(t *testing.T) {
	tests := []struct {
		name   string
		want   uint64
		wantOK bool
	}{
		{name: segName(1), want: 1, wantOK: true},
		{name: segName(math.MaxUint64), want: math.MaxUint64, wantOK: true},
		{name: "00000000000000000000.seg"},
		{name: "0000000000000000001.seg"},
		{name: "00000000000000000001.seg.tmp"},
		{name: "ack"},
		{name: "+0000000000000000001.seg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseSegName(tt.name)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseSegName(%q) = %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
