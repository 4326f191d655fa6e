package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// releaseFileMapping drops this process's mapping of the pages of the file
// with inode ino (bbolt's file), for every mapping of it that is shared and
// read-only, and returns the bytes of address space it released.
//
// MADV_DONTNEED on a shared read-only file mapping only unmaps clean pages
// of the page cache: nothing is lost, the next read faults the page in
// again from the cache (or the disk), with the same bytes, since the file
// is written with pwrite and bbolt never rewrites a page a transaction can
// still see. A writable or private mapping would be another matter (dirty
// or copied pages would be thrown away), so those are left alone. The
// caller must hold a bbolt read transaction: bbolt cannot remap the file
// (unmap the range, which something else could then take) while one is
// open.
func releaseFileMapping(ino uint64) (int64, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var released int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, ok := sharedReadOnlyMapping(sc.Bytes(), ino)
		if !ok {
			continue
		}
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
		if errno != 0 {
			return released, fmt.Errorf("madvise: %w", errno)
		}
		released += int64(end - start)
	}
	return released, sc.Err()
}

// sharedReadOnlyMapping parses one line of /proc/self/maps
// ("start-end perms offset dev inode path") and reports the range when it
// maps inode ino shared and read-only ("r--s").
func sharedReadOnlyMapping(line []byte, ino uint64) (start, end uint64, ok bool) {
	fields := bytes.Fields(line)
	if len(fields) < 6 || string(fields[1]) != "r--s" {
		return 0, 0, false
	}
	if n, err := strconv.ParseUint(string(fields[4]), 10, 64); err != nil || n != ino {
		return 0, 0, false
	}
	lo, hi, found := bytes.Cut(fields[0], []byte("-"))
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(string(lo), 16, 64)
	e, err2 := strconv.ParseUint(string(hi), 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return s, e, true
}

// fileInode returns the inode of the file at path.
func fileInode(path string) (uint64, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, false
	}
	return st.Ino, true
}
