package agent

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// trimCode asks the kernel to reclaim the pages of the agent's own binary
// that it mapped so far (MADV_PAGEOUT, Linux 5.4 and later). They are
// clean pages of the executable file, most of them code and tables used
// only at start-up (joining, key generation, the first TLS handshakes,
// package initialisation of the server half of this one binary), which
// the kernel would drop anyway under memory pressure. Those the agent
// still uses come back on their next use; afterwards its resident size
// is its working set. Pages other processes map (a server run from the
// same file) are left alone by the kernel. It returns the bytes advised.
func trimCode() (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	// Replaced on disk since the start, the binary reads "… (deleted)"
	// and no longer resolves; the maps name it by the path it had.
	exe = strings.TrimSuffix(exe, " (deleted)")
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	total := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, ok := fileMapping(sc.Text(), exe)
		if !ok {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_PAGEOUT); errno != 0 {
			return total, fmt.Errorf("madvise: %w", errno)
		}
		total += int(end - start)
	}
	if err := sc.Err(); err != nil {
		return total, err
	}
	if total == 0 {
		return 0, fmt.Errorf("no mapping of %s found in /proc/self/maps", exe)
	}
	return total, nil
}

// fileMapping parses one line of /proc/self/maps and reports the range of
// a read-only or executable mapping of the file path: not its writable
// data, whose pages the process may have changed.
func fileMapping(line, path string) (start, end uintptr, ok bool) {
	// address perms offset dev inode path: the path is the rest of the
	// line (it may hold spaces), " (deleted)" after it once the binary
	// was replaced on disk (an upgrade while the agent runs).
	fields := strings.SplitN(line, " ", 6)
	if len(fields) < 6 || strings.Contains(fields[1], "w") {
		return 0, 0, false
	}
	mapped := strings.TrimSuffix(strings.TrimLeft(fields[5], " "), " (deleted)")
	if mapped != path {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
