//go:build !linux

package fim

// pseudoFS: only Linux's pseudo file systems are known by their statfs
// magic; elsewhere the walk relies on the pseudoRoots under "/".
func pseudoFS(string) string { return "" }
