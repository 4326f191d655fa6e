package wire

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on the fields of the messages. They are part of the protocol: both
// sides refuse a message that exceeds one.
const (
	MaxIDLen       = 64       // agent, token and monitor ids
	MaxNameLen     = 200      // agent names, as monitor names on the server
	MaxHostnameLen = 253      // a DNS name's longest form
	MaxPlatformLen = 32       // OS and Arch, GOOS/GOARCH style
	MaxVersionLen  = 64       // build and assignment versions
	MaxSecretLen   = 256      // a join token's secret
	MinSecretLen   = 16       // shorter secrets cannot be what the server issued
	MaxTypeLen     = 32       // a check type name
	MaxTargetLen   = 2048     // as a monitor's target on the server
	MaxMessageLen  = 1024     // a result's message, in bytes
	MaxValues      = 64       // keys in a result's values
	MaxValueKeyLen = 64       // bytes of one values key
	MaxLocationLen = 200      // a result's location
	MaxCodeLen     = 64       // an Error's code
	MaxSettingsLen = 64 << 10 // an assignment's settings, in bytes
)

// FieldError is a message that failed validation; Field names the bad
// field as a JSON path ("results[3].result.status").
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "field: msg".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// bad builds a *FieldError.
func bad(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// within prefixes err's field with parent, so nested messages name the
// whole path; an error that names no field is made one about parent.
func within(parent string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := err.(*FieldError); ok {
		return &FieldError{Field: parent + "." + fe.Field, Msg: fe.Msg}
	}
	return &FieldError{Field: parent, Msg: err.Error()}
}

// checkID accepts 1..MaxIDLen bytes of letters, digits, '.', '_' and '-'.
func checkID(field, s string) error {
	return checkToken(field, s, MaxIDLen, isIDByte, "letters, digits, '.', '_' and '-'")
}

// checkToken accepts 1..maxLen bytes that each satisfy ok.
func checkToken(field, s string, maxLen int, ok func(byte) bool, charset string) error {
	if msg := tokenProblem(s, maxLen, ok, charset); msg != "" {
		return bad(field, "%s", msg)
	}
	return nil
}

// tokenProblem is checkToken's message, or "" when s is fine.
func tokenProblem(s string, maxLen int, ok func(byte) bool, charset string) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > maxLen {
		return fmt.Sprintf("must be at most %d bytes, is %d", maxLen, len(s))
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return fmt.Sprintf("byte %d (%q) is not allowed: use only %s", i, s[i], charset)
		}
	}
	return ""
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// isPlatformByte allows GOOS/GOARCH names ("linux", "amd64", "mips64le").
func isPlatformByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// isVisibleASCII allows printable ASCII without space.
func isVisibleASCII(c byte) bool { return c > ' ' && c < 0x7f }

// isCodeByte allows snake_case error codes.
func isCodeByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' }

// checkText accepts valid UTF-8 without control characters, of at most
// maxLen bytes; required says whether it may be empty.
func checkText(field, s string, maxLen int, required bool) error {
	if s == "" {
		if required {
			return bad(field, "must not be empty")
		}
		return nil
	}
	if len(s) > maxLen {
		return bad(field, "must be at most %d bytes, is %d", maxLen, len(s))
	}
	if !utf8.ValidString(s) {
		return bad(field, "must be valid UTF-8")
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return bad(field, "must not contain control characters (one at byte %d)", i)
	}
	return nil
}

// checkName is checkText for a required name that also may not start or
// end with white space.
func checkName(field, s string, maxLen int) error {
	if err := checkText(field, s, maxLen, true); err != nil {
		return err
	}
	if strings.TrimSpace(s) != s {
		return bad(field, "must not start or end with white space")
	}
	return nil
}
