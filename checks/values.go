package checks

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that reads and writes Go duration strings
// such as "500ms" or "10s" in settings.
type Duration time.Duration

// UnmarshalJSON parses a Go duration string. A bad value is reported as a
// type error so the decoder can name the field.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Duration]()}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[Duration]()}
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// decodeSettings is DecodeSettings with a clearer message for Duration
// fields, whose type error would otherwise read "must be a number".
func decodeSettings(raw json.RawMessage, dst any) error {
	err := DecodeSettings(raw, dst)
	var se *SettingError
	if err == nil || !errors.As(err, &se) {
		return err
	}
	name, ok := strings.CutPrefix(se.Field, "settings.")
	if ok && jsonFieldType(dst, name) == reflect.TypeFor[Duration]() {
		return &SettingError{Field: se.Field, Msg: `must be a duration such as "500ms" or "10s"`}
	}
	return err
}

// jsonFieldType returns the Go type of the field of the struct dst points
// to whose JSON name is name, or nil.
func jsonFieldType(dst any, name string) reflect.Type {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	for f := range t.Elem().Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name {
			return f.Type
		}
	}
	return nil
}

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct{ Lo, Hi int }

// StatusRanges is a list of HTTP status code ranges, written as
// "200-299" or "200,301-302".
type StatusRanges []StatusRange

// ParseStatusRanges parses a comma-separated list of codes and ranges.
func ParseStatusRanges(s string) (StatusRanges, error) {
	var out StatusRanges
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty entry in %q", s)
		}
		lo, hi, isRange := strings.Cut(part, "-")
		r, err := parseCodeRange(strings.TrimSpace(lo), strings.TrimSpace(hi), isRange)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseCodeRange(lo, hi string, isRange bool) (StatusRange, error) {
	l, err := parseCode(lo)
	if err != nil {
		return StatusRange{}, err
	}
	if !isRange {
		return StatusRange{l, l}, nil
	}
	h, err := parseCode(hi)
	if err != nil {
		return StatusRange{}, err
	}
	if h < l {
		return StatusRange{}, fmt.Errorf("range %d-%d runs backwards", l, h)
	}
	return StatusRange{l, h}, nil
}

func parseCode(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("%q is not a status code between 100 and 599", s)
	}
	return n, nil
}

// Contains reports whether code is in one of the ranges.
func (rs StatusRanges) Contains(code int) bool {
	for _, r := range rs {
		if code >= r.Lo && code <= r.Hi {
			return true
		}
	}
	return false
}

// String writes the ranges back in the form ParseStatusRanges reads.
func (rs StatusRanges) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.Itoa(r.Lo)
		if r.Hi != r.Lo {
			parts[i] += "-" + strconv.Itoa(r.Hi)
		}
	}
	return strings.Join(parts, ",")
}
