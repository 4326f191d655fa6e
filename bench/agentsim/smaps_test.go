package main

import (
	"strings"
	"testing"
)

const smapsSample = `00400000-00b59000 r-xp 00000000 08:01 1234                       /usr/local/bin/vigil
Size:               7524 kB
Rss:                5120 kB
Pss:                5120 kB
7f0000000000-7f0004000000 r--s 00000000 08:01 99                 /data/vigil.db
Size:              65536 kB
Rss:               40000 kB
Pss:               40000 kB
7f0004000000-7f0004021000 rw-p 00000000 00:00 0
Size:                132 kB
Rss:                 100 kB
7f0008000000-7f000c000000 r--s 04000000 08:01 99                 /data/vigil.db
Rss:                  12 kB
7f000c000000-7f000c001000 r--s 00000000 08:01 100                /data/vigil.db.old
Rss:                   4 kB
7ffd0000-7ffd1000 rw-p 00000000 00:00 0                          [stack]
Rss:                   8 kB
`

func TestSmapsRssKB(t *testing.T) {
	tests := []struct {
		path string
		want int64
	}{
		{"/data/vigil.db", 40012},      // both mappings, not the anonymous one after the first
		{"/usr/local/bin/vigil", 5120}, // the binary
		{"/data/vigil.db.old", 4},      // a name that only starts the same is another file
		{"/data/missing.db", 0},        // not mapped
		{"[stack]", 8},                 // pseudo-paths work too
	}
	for _, tt := range tests {
		got, err := smapsRssKB(strings.NewReader(smapsSample), tt.path)
		if err != nil || got != tt.want {
			t.Errorf("smapsRssKB(%q) = %d, %v; want %d", tt.path, got, err, tt.want)
		}
	}
	if _, err := smapsRssKB(strings.NewReader("00400000-00b59000 r-xp 0 08:01 1 /x\nRss: many kB\n"), "/x"); err == nil {
		t.Error("a malformed Rss line was accepted")
	}
}
