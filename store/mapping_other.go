//go:build !linux

package store

// releaseFileMapping is a no-op where the kernel does not map the pages
// around a faulting one as Linux does (see mapping_linux.go).
func releaseFileMapping(uint64) (int64, error) { return 0, nil }

func fileInode(string) (uint64, bool) { return 0, false }
