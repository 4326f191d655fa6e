package store

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/checks"
)

func TestAppendCapsMessage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short", "200 OK", "200 OK"},
		{"exactly at the cap", strings.Repeat("x", 1024), strings.Repeat("x", 1024)},
		{"one byte over", strings.Repeat("x", 1025), strings.Repeat("x", 1021) + "…"},
		{"a mebibyte reason phrase", strings.Repeat("y", 1<<20), strings.Repeat("y", 1021) + "…"},
		// 1020 bytes, then 3-byte runes: the cut at 1021 would split one.
		{"cut on a rune boundary", strings.Repeat("z", 1020) + strings.Repeat("€", 10), strings.Repeat("z", 1020) + "…"},
		{"two-byte runes", strings.Repeat("é", 600), strings.Repeat("é", 510) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSeriesDB(t, t.TempDir())
			appendAll(t, db, "1", []checks.Result{{At: seriesBase, Location: "a", Status: checks.StatusProblem, Message: tt.in}}, 1)
			got, err := db.Results("1", ResultQuery{})
			if err != nil {
				t.Fatal(err)
			}
			m := got[0].Message
			if m != tt.want || len(m) > maxMessageBytes || !utf8.ValidString(m) {
				t.Fatalf("stored message of %d bytes (valid UTF-8 %v), want %d bytes", len(m), utf8.ValidString(m), len(tt.want))
			}
		})
	}
}

func TestAppendCapsValues(t *testing.T) {
	many := map[string]float64{}
	for i := range 100 {
		many[fmt.Sprintf("k%03d", i)] = float64(i)
	}
	firstSorted := map[string]float64{}
	for i := range 64 {
		firstSorted[fmt.Sprintf("k%03d", i)] = float64(i)
	}
	long := strings.Repeat("l", 65)
	withLong := maps.Clone(many)
	withLong[long] = -1
	withLong["a"+long] = -2 // would sort first
	tests := []struct {
		name     string
		in, want map[string]float64
	}{
		{"few", map[string]float64{"status_code": 200}, map[string]float64{"status_code": 200}},
		{"64-byte key kept", map[string]float64{strings.Repeat("k", 64): 1}, map[string]float64{strings.Repeat("k", 64): 1}},
		{"long key dropped", map[string]float64{long: 1, "ok": 2}, map[string]float64{"ok": 2}},
		{"only a long key", map[string]float64{long: 1}, nil},
		{"sorted-first 64 kept", many, firstSorted},
		{"long keys dropped before the count", withLong, firstSorted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSeriesDB(t, t.TempDir())
			appendAll(t, db, "1", []checks.Result{{At: seriesBase, Location: "a", Status: checks.StatusOK, Values: tt.in}}, 1)
			got, err := db.Results("1", ResultQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got[0].Values, tt.want) {
				t.Fatalf("stored values %v, want %v", got[0].Values, tt.want)
			}
		})
	}
}
