package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// mappedKB returns how many KiB of pid's mappings of the file path are
// resident (the Rss lines of /proc/PID/smaps). For the server's bbolt
// file that is the part of RssFile that is the store rather than the
// binary: every page bbolt read through its mapping, and the pages the
// kernel mapped around each (fault-around, 64 KiB), until the mapping is
// replaced.
func mappedKB(pid int, path string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return 0, fmt.Errorf("read smaps: %w", err)
	}
	defer f.Close()
	return smapsRssKB(f, path)
}

// smapsRssKB sums the Rss of the mappings of path in an smaps listing.
func smapsRssKB(r io.Reader, path string) (int64, error) {
	var total int64
	inPath := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			// A mapping's first line: range, mode, offset, device, inode, path.
			inPath = len(fields) >= 6 && strings.Join(fields[5:], " ") == path
		case inPath && len(fields) == 3 && fields[0] == "Rss:":
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read smaps: %q: %w", sc.Text(), err)
			}
			total += kb
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read smaps: %w", err)
	}
	return total, nil
}
