package fim

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// releaseMapping drops this process's page mappings of the state file.
// bbolt reads through a shared read-only mmap, so a scan that passes over
// a million records would leave the whole file (over 100 MiB) counted in
// the agent's resident memory, though the pages belong to the page cache
// and the kernel may reclaim them. MADV_DONTNEED on a shared file mapping
// only unmaps them: the next access maps the same page-cache page again,
// so no data changes. It must run inside a transaction: bbolt only
// remaps the file (moving the mapping) while no transaction is open.
func releaseMapping(tx *bolt.Tx) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Stat(tx.DB().Path(), &st); err != nil {
		return
	}
	ino := strconv.FormatUint(st.Ino, 10)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 6 || string(fields[4]) != ino || string(fields[5]) != tx.DB().Path() {
			continue
		}
		start, end, ok := bytes.Cut(fields[0], []byte("-"))
		if !ok {
			continue
		}
		from, err1 := strconv.ParseUint(string(start), 16, 64)
		to, err2 := strconv.ParseUint(string(end), 16, 64)
		if err1 == nil && err2 == nil && to > from {
			_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(from), uintptr(to-from), unix.MADV_DONTNEED)
		}
	}
}
