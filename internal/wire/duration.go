package wire

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written in JSON as a Go duration string
// ("30s", "1m30s"), as the JSON API writes durations.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String writes d as people write it: "1m", "30s", "1h30m", "500ms".
func (d Duration) String() string {
	v := time.Duration(d)
	if v == 0 {
		return "0s"
	}
	s := v.String()
	if v%time.Second != 0 || v < time.Second {
		return s
	}
	s = strings.TrimSuffix(s, "m0s")
	if !strings.HasSuffix(s, "s") {
		s += "m" // the minutes were cut with the zero seconds
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// durationWords is what a bad Duration is told to be.
const durationWords = `a non-negative duration string such as "30s"`

// UnmarshalJSON reads a non-negative Go duration string. Numbers are
// refused: a bare 30 could mean seconds or nanoseconds. A bad value is a
// *json.UnmarshalTypeError, so the decoder can name the field.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[Duration]()}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[Duration]()}
	}
	*d = Duration(v)
	return nil
}

// checkDuration accepts lo <= d <= hi.
func checkDuration(field string, d Duration, lo, hi time.Duration) error {
	if v := d.D(); v < lo || v > hi {
		return bad(field, "must be between %s and %s, is %s", Duration(lo), Duration(hi), d)
	}
	return nil
}
