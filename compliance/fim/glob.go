package fim

import (
	"fmt"
	"path"
	"strings"
)

// MatchPath reports whether pattern matches the absolute path p. The
// pattern is matched against the whole path: `*` and `?` do not cross `/`,
// `[...]` is a character class, and a trailing `/**` matches everything
// below the directory the rest of the pattern names (not that directory
// itself). Exclusions and the server's severity rules share this meaning.
// A malformed pattern matches nothing; CheckPattern says why.
func MatchPath(pattern, p string) bool {
	p = toSlash(p)
	if base, ok := strings.CutSuffix(pattern, "/**"); ok {
		if base == "" { // "/**": everything below the root
			return len(p) > 1
		}
		for i := 1; i < len(p); i++ {
			if p[i] != '/' {
				continue
			}
			if m, _ := path.Match(base, p[:i]); m {
				return true
			}
		}
		return false
	}
	m, _ := path.Match(pattern, p)
	return m
}

// CheckPattern returns an error a person understands when pattern is not
// a usable glob: relative, or malformed for path.Match.
func CheckPattern(pattern string) error {
	if !strings.HasPrefix(pattern, "/") {
		return fmt.Errorf("pattern %q must start with / (it is matched against the full path)", pattern)
	}
	base := strings.TrimSuffix(pattern, "/**")
	if _, err := path.Match(base, ""); err != nil {
		return fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return nil
}

// coversSubtree reports whether pattern, a `/**` pattern, matches
// everything below dir, so the walk need not enter dir at all.
func coversSubtree(pattern, dir string) bool {
	if !strings.HasSuffix(pattern, "/**") {
		return false
	}
	child := strings.TrimSuffix(toSlash(dir), "/") + "/x"
	return MatchPath(pattern, child)
}
