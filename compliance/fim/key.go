package fim

import (
	"path/filepath"
	"strings"
)

// keySep joins path components in a state key. It sorts below every byte a
// name can hold, so a directory's key is followed by the keys of
// everything below it and only then by its next sibling: keys sort exactly
// like a depth-first walk that visits names in byte order, which is what
// lets a scan merge-join the walk with the stored records.
const keySep = "\x00"

// pathKey is the state key of an absolute, cleaned path.
func pathKey(path string) string {
	return strings.ReplaceAll(filepath.ToSlash(path), "/", keySep)
}

// keyPath is the path a state key stands for.
func keyPath(key string) string {
	return filepath.FromSlash(strings.ReplaceAll(key, keySep, "/"))
}

// childKey is the key of name inside the directory whose key is dir.
func childKey(dir, name string) string {
	if dir == keySep { // the root directory "/"
		return dir + name
	}
	return dir + keySep + name
}

// subtreePrefix is what the key of everything below dir starts with.
func subtreePrefix(dir string) string {
	if dir == keySep {
		return dir
	}
	return dir + keySep
}

// toSlash is p with the platform's separators as `/`, the form patterns use.
func toSlash(p string) string { return filepath.ToSlash(p) }
