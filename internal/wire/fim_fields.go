package wire

import (
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

// checkPathList checks at most max entries with check, none repeated.
func checkPathList(field string, list []string, max int, check func(field, s string) error) error {
	if len(list) > max {
		return bad(field, "must hold at most %d entries, holds %d", max, len(list))
	}
	seen := make(map[string]int, len(list))
	for i, s := range list {
		if err := check(index(field, i), s); err != nil {
			return err
		}
		if j, dup := seen[s]; dup {
			return bad(index(field, i), "%q repeats %s", s, index(field, j))
		}
		seen[s] = i
	}
	return nil
}

// checkAbsPath accepts an absolute path ("/etc", or "C:\Windows" for a
// Windows agent) of at most MaxPathLen bytes of valid UTF-8 without NUL.
// Other control characters are allowed: a Unix file name may hold them,
// and the scanner reports names that are not UTF-8 escaped.
func checkAbsPath(field, s string) error {
	if err := checkPathText(field, s, true); err != nil {
		return err
	}
	if !isAbs(s) {
		return bad(field, "must be an absolute path, is %q", s)
	}
	return nil
}

// checkReportPath accepts a path an agent reports: an absolute path as
// checkAbsPath says and, for a Unix path, a clean one (no "." or ".."
// component, no "//", no trailing "/"), as the scanner builds them: else
// "/etc/../root/x" would pass for a path under /etc, and "/etc//lvm/x"
// would slip past an exclude glob.
func checkReportPath(field, s string) error {
	if err := checkAbsPath(field, s); err != nil {
		return err
	}
	if strings.HasPrefix(s, "/") && path.Clean(s) != s {
		return bad(field, `must be a clean path (no "." or ".." component, no "//", no trailing "/"), is %q`, s)
	}
	return nil
}

// checkGlob accepts an exclude glob: a non-empty path pattern.
func checkGlob(field, s string) error { return checkPathText(field, s, true) }

// checkPathText accepts at most MaxPathLen bytes of valid UTF-8 without
// NUL; required says whether it may be empty.
func checkPathText(field, s string, required bool) error {
	switch {
	case s == "" && required:
		return bad(field, "must not be empty")
	case len(s) > MaxPathLen:
		return bad(field, "must be at most %d bytes, is %d", MaxPathLen, len(s))
	case !utf8.ValidString(s):
		return bad(field, "must be valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return bad(field, "must not contain NUL (at byte %d)", strings.IndexByte(s, 0))
	}
	return nil
}

// isAbs reports whether s is an absolute Unix path or a Windows path with
// a drive letter.
func isAbs(s string) bool {
	if strings.HasPrefix(s, "/") {
		return true
	}
	return len(s) >= 3 && (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
}

// checkAttrs accepts distinct names from fim.AllAttrs.
func checkAttrs(field string, attrs []string) error {
	if len(attrs) > len(fim.AllAttrs) {
		return bad(field, "must hold at most %d attributes, holds %d", len(fim.AllAttrs), len(attrs))
	}
	for i, a := range attrs {
		if !slices.Contains(fim.AllAttrs, a) {
			return bad(index(field, i), "%q is not an attribute: use %s", a, strings.Join(fim.AllAttrs, ", "))
		}
		if j := slices.Index(attrs[:i], a); j >= 0 {
			return bad(index(field, i), "%q repeats %s", a, index(field, j))
		}
	}
	return nil
}

// checkChange checks a change's path, its kind against the presence of
// before and after, and both objects. A baseline holds only additions.
func checkChange(c *fim.Change, baseline bool) error {
	if err := checkReportPath("path", c.Path); err != nil {
		return err
	}
	switch c.Kind {
	case fim.Added, fim.Removed:
		if len(c.Attrs) > 0 {
			return bad("attrs", "must be empty for %s (only a modification names attributes)", c.Kind)
		}
	case fim.Modified:
		if len(c.Attrs) == 0 {
			return bad("attrs", "must name the attributes that changed")
		}
		if err := checkAttrs("attrs", c.Attrs); err != nil {
			return err
		}
	default:
		return bad("change", "must be %s, %s or %s, is %q", fim.Added, fim.Removed, fim.Modified, c.Kind)
	}
	if baseline && c.Kind != fim.Added {
		return bad("change", "must be %s in a baseline, is %q", fim.Added, c.Kind)
	}
	wantBefore, wantAfter := c.Kind != fim.Added, c.Kind != fim.Removed
	if err := checkPresence("before", c.Before, wantBefore, c.Kind); err != nil {
		return err
	}
	if err := checkPresence("after", c.After, wantAfter, c.Kind); err != nil {
		return err
	}
	return nil
}

// checkPresence checks that o is there when want says so, and valid.
func checkPresence(field string, o *fim.Object, want bool, kind string) error {
	switch {
	case want && o == nil:
		return bad(field, "must be set for %s", kind)
	case !want && o != nil:
		return bad(field, "must be absent for %s", kind)
	case o == nil:
		return nil
	}
	return within(field, checkObject(o))
}

// checkObject checks one recorded object.
func checkObject(o *fim.Object) error {
	switch o.Type {
	case fim.TypeFile, fim.TypeDir, fim.TypeSymlink, fim.TypeOther:
	default:
		return bad("type", "must be %s, %s, %s or %s, is %q", fim.TypeFile, fim.TypeDir, fim.TypeSymlink, fim.TypeOther, o.Type)
	}
	if o.SHA256 != "" {
		if o.Type != fim.TypeFile {
			return bad("sha256", "must be empty for a %s (only files are hashed)", o.Type)
		}
		if !isSHA256Hex(o.SHA256) {
			return bad("sha256", "must be 64 lowercase hex digits")
		}
	}
	if o.Size < 0 {
		return bad("size", "must not be negative, is %d", o.Size)
	}
	if o.Mode > 0o7777 {
		return bad("mode", "must be permission bits with setuid, setgid and sticky (at most 07777), is %#o", o.Mode)
	}
	if y := o.MTime.Year(); y < 0 || y > 9999 {
		return bad("mtime", "must lie in the years 0 to 9999, is in %d", y)
	}
	if o.Target != "" && o.Type != fim.TypeSymlink {
		return bad("target", "must be empty for a %s (only symlinks have one)", o.Type)
	}
	return checkPathText("target", o.Target, false)
}

// isSHA256Hex reports whether s is 64 lowercase hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// checkScanError checks an error's path and message.
func checkScanError(e *fim.ScanError) error {
	if err := checkReportPath("path", e.Path); err != nil {
		return err
	}
	return checkText("error", e.Error, MaxMessageLen, true)
}
