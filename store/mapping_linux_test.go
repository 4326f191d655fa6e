package store

import (
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestSharedReadOnlyMapping(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		ok     bool
		lo, hi uint64
	}{
		{"bbolt's mapping", "7f1c2a000000-7f1c2b000000 r--s 00000000 fd:01 4242 /data/vigil.db", true, 0x7f1c2a000000, 0x7f1c2b000000},
		{"deleted file", "7f1c2a000000-7f1c2b000000 r--s 00000000 fd:01 4242 /data/vigil.db (deleted)", true, 0x7f1c2a000000, 0x7f1c2b000000},
		{"writable", "7f1c2a000000-7f1c2b000000 rw-s 00000000 fd:01 4242 /data/vigil.db", false, 0, 0},
		{"private", "7f1c2a000000-7f1c2b000000 r--p 00000000 fd:01 4242 /data/vigil.db", false, 0, 0},
		{"another inode", "7f1c2a000000-7f1c2b000000 r--s 00000000 fd:01 4243 /data/other", false, 0, 0},
		{"anonymous", "7f1c2a000000-7f1c2b000000 rw-p 00000000 00:00 0", false, 0, 0},
		{"garbage", "x y", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi, ok := sharedReadOnlyMapping([]byte(tt.line), 4242)
			if ok != tt.ok || lo != tt.lo || hi != tt.hi {
				t.Fatalf("got %x-%x %v, want %x-%x %v", lo, hi, ok, tt.lo, tt.hi, tt.ok)
			}
		})
	}
}

// TestReleaseFileMapping checks bbolt maps the file shared and read-only
// (what makes the release safe) and that reads after a release see the
// same data.
func TestReleaseFileMapping(t *testing.T) {
	db := openSeriesDB(t, t.TempDir())
	rs := genResults(seriesBase, 300, 30*time.Second, "a")
	appendAll(t, db, "1", rs, 50)
	ino, ok := fileInode(db.Path())
	if !ok {
		t.Fatal("no inode for the store's file")
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip(err)
	}
	found := false
	for _, line := range strings.Split(string(maps), "\n") {
		if strings.HasSuffix(line, db.Path()) {
			if _, _, ok := sharedReadOnlyMapping([]byte(line), ino); !ok {
				t.Fatalf("bbolt maps the file as %q, not shared and read-only", line)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("the store's file is not mapped")
	}
	var released int64
	err = db.bolt.View(func(*bolt.Tx) error {
		released, err = releaseFileMapping(ino)
		return err
	})
	if err != nil || released == 0 {
		t.Fatalf("released %d bytes, %v", released, err)
	}
	got, err := db.Results("1", ResultQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, got, rs)
}
