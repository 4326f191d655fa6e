package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/checks"
)

// Bounds on result times and numbers.
const (
	// MaxClockSkew is how far past the validator's clock a result's time
	// may lie. The store keeps a series in time order, so a result from
	// the future would hide the real ones until then.
	MaxClockSkew = 5 * time.Minute
	// MaxLatencyMS caps a result's latency: an hour, far above MaxTimeout.
	MaxLatencyMS = float64(time.Hour / time.Millisecond)
	// MaxValue caps the magnitude of a result's values.
	MaxValue = 1e15
)

// minTime is the earliest time a result, poll or ack may carry: a clock
// that reads earlier was never set.
var minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ResultBatch is the body of POST PathResults. Seq numbers the agent's
// batches (1, 2, …, never reused by one agent's state directory): the
// agent resends a batch with the same Seq and the same results until it
// gets a ResultAck for that Seq, so the server must treat a resend as the
// same batch.
type ResultBatch struct {
	Seq     uint64          `json:"seq"`
	Results []MonitorResult `json:"results"`
}

// MonitorResult is one check result of one assigned monitor. The server
// sets Result.Location from the agent's certificate, whatever was sent.
type MonitorResult struct {
	MonitorID string        `json:"monitor_id"`
	Result    checks.Result `json:"result"`
}

// ResultAck answers a ResultBatch once the server has committed it to the
// store: Accepted results were stored, Dropped ones were not and never
// will be (unknown monitor, older than retention, already stored).
type ResultAck struct {
	Seq      uint64 `json:"seq"`
	Accepted int    `json:"accepted"`
	Dropped  int    `json:"dropped"`
}

// Validate is ValidateAt the current time.
func (m *ResultBatch) Validate() error { return m.ValidateAt(time.Now()) }

// ValidateAt checks the batch against the clock reading now.
func (m *ResultBatch) ValidateAt(now time.Time) error {
	if m.Seq == 0 {
		return bad("seq", "must be at least 1")
	}
	if len(m.Results) == 0 {
		return bad("results", "must not be empty")
	}
	if len(m.Results) > MaxResultsPerBatch {
		return bad("results", "must hold at most %d results, holds %d", MaxResultsPerBatch, len(m.Results))
	}
	for i := range m.Results {
		if err := m.Results[i].ValidateAt(now); err != nil {
			return within(index("results", i), err)
		}
	}
	return nil
}

// Validate is ValidateAt the current time.
func (m *MonitorResult) Validate() error { return m.ValidateAt(time.Now()) }

// ValidateAt checks the monitor id and the result against the clock
// reading now.
func (m *MonitorResult) ValidateAt(now time.Time) error {
	if err := checkID("monitor_id", m.MonitorID); err != nil {
		return err
	}
	return within("result", checkResult(&m.Result, now))
}

// checkResult validates a check result as the store will keep it.
func checkResult(r *checks.Result, now time.Time) error {
	if err := checkTime("at", r.At, now); err != nil {
		return err
	}
	if err := checkText("location", r.Location, MaxLocationLen, false); err != nil {
		return err
	}
	if !r.Status.Valid() {
		return bad("status", "must be ok, warning or problem, is %q", r.Status)
	}
	if l := r.LatencyMS; math.IsNaN(l) || l < 0 || l > MaxLatencyMS {
		return bad("latency_ms", "must be between 0 and %g, is %g", MaxLatencyMS, l)
	}
	if len(r.Message) > MaxMessageLen {
		return bad("message", "must be at most %d bytes, is %d", MaxMessageLen, len(r.Message))
	}
	if !utf8.ValidString(r.Message) {
		return bad("message", "must be valid UTF-8")
	}
	return checkValues("values", r.Values)
}

// checkValues caps a result's values: few keys, short id-like keys, finite
// numbers of sane size.
func checkValues(field string, v map[string]float64) error {
	if len(v) > MaxValues {
		return bad(field, "must hold at most %d keys, holds %d", MaxValues, len(v))
	}
	for k, x := range v {
		if msg := tokenProblem(k, MaxValueKeyLen, isIDByte, "letters, digits, '.', '_' and '-'"); msg != "" {
			return bad(field, "key %q %s", k, msg)
		}
		if math.IsNaN(x) || math.Abs(x) > MaxValue {
			return bad(field+"."+k, "must be a finite number of magnitude at most %g, is %g", MaxValue, x)
		}
	}
	return nil
}

// checkTime accepts a time after minTime and, when now is not zero, no
// more than MaxClockSkew after now.
func checkTime(field string, t, now time.Time) error {
	if t.IsZero() {
		return bad(field, "must be set")
	}
	if t.Before(minTime) {
		return bad(field, "must not be before %s, is %s", minTime.Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	if !now.IsZero() && t.After(now.Add(MaxClockSkew)) {
		return bad(field, "must not be more than %s in the future, is %s ahead", Duration(MaxClockSkew), Duration(t.Sub(now).Round(time.Second)))
	}
	return nil
}

// Validate checks the sequence number and the counts.
func (m *ResultAck) Validate() error {
	if m.Seq == 0 {
		return bad("seq", "must be at least 1")
	}
	if m.Accepted < 0 || m.Accepted > MaxResultsPerBatch {
		return bad("accepted", "must be between 0 and %d, is %d", MaxResultsPerBatch, m.Accepted)
	}
	if m.Dropped < 0 {
		return bad("dropped", "must not be negative, is %d", m.Dropped)
	}
	if m.Dropped > MaxResultsPerBatch-m.Accepted {
		return bad("dropped", "accepted plus dropped must be at most %d, is %d", MaxResultsPerBatch, m.Accepted+m.Dropped)
	}
	return nil
}

// index names element i of a list field.
func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// decodeFast fills m from a whole body with one streaming decoder: each
// result goes straight into resultElem, whose values count their keys
// before the map is built, instead of through MonitorResult.UnmarshalJSON,
// which starts three decoders of its own per result (a quarter of the
// server's garbage with a thousand agents). It refuses what the strict
// UnmarshalJSON refuses and caps the same things; when it refuses anything
// the strict decoder runs on the body, so the error (or, should the two
// ever disagree, the message) is exactly the strict decoder's. One
// difference is left on purpose: a result object given twice in one
// element is merged field by field (encoding/json's way) where the strict
// decoder keeps the last; either way the result is validated alike.
func (m *ResultBatch) decodeFast(data []byte) error {
	var out ResultBatch
	err := walkObject(streamOf(data), func(dec *json.Decoder, key string) error {
		switch key {
		case "seq":
			return decodeValue(dec, &out.Seq)
		case "results":
			var err error
			out.Results, err = decodeResults(dec)
			return err
		}
		return unknownField(key)
	})
	var exact exactError
	switch {
	case errors.As(err, &exact):
		return exact.error
	case err != nil:
		return m.UnmarshalJSON(data)
	}
	*m = out
	return nil
}

// exactError is an error of decodeFast worded as the strict decoder words
// it, so it is returned without decoding the body again: the caps, which
// hostile bodies hit, and where a second decoder would double the memory.
type exactError struct{ error }

// decodeResults reads the results list (or null) one element at a time,
// as decodeList does.
func decodeResults(dec *json.Decoder) ([]MonitorResult, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, jsonProblem(err)
	}
	if tok != json.Delim('[') {
		return nil, errors.New("results not an array")
	}
	var out []MonitorResult
	for i := 0; dec.More(); i++ {
		if i == MaxResultsPerBatch {
			return nil, exactError{bad("results", "must hold at most %d elements", MaxResultsPerBatch)}
		}
		var elem resultElem
		if err := decodeValue(dec, &elem); err != nil {
			if errors.Is(err, errTooManyValues) {
				err = exactError{within(index("results", i), bad("result.values", "must hold at most %d keys", MaxValues))}
			}
			return nil, err
		}
		out = append(out, elem.monitorResult())
	}
	_, err = dec.Token() // the closing bracket
	return out, jsonProblem(err)
}

// resultElem is MonitorResult as the fast decoder reads it.
type resultElem struct {
	MonitorID string     `json:"monitor_id"`
	Result    resultJSON `json:"result"`
}

// resultJSON mirrors checks.Result field for field (a test keeps them
// alike) with its values counted before they are built.
type resultJSON struct {
	At        time.Time     `json:"at"`
	Location  string        `json:"location"`
	Status    checks.Status `json:"status"`
	LatencyMS float64       `json:"latency_ms"`
	Message   string        `json:"message"`
	Values    cappedValues  `json:"values,omitempty"`
}

func (e *resultElem) monitorResult() MonitorResult {
	r := e.Result
	return MonitorResult{MonitorID: e.MonitorID, Result: checks.Result{
		At: r.At, Location: r.Location, Status: r.Status, LatencyMS: r.LatencyMS, Message: r.Message,
		Values: r.Values.m,
	}}
}

// cappedValues is a result's values map that refuses more than MaxValues
// members in all before building them: encoding/json merges every object
// given for the field (its name matches case-insensitively and may
// repeat) into the same map, so members counts over all of them, as the
// strict decoder does.
type cappedValues struct {
	m       map[string]float64
	members int
}

var errTooManyValues = errors.New("too many values")

// UnmarshalJSON counts data's members, then decodes it into the map.
// encoding/json has checked data is one valid JSON value.
func (v *cappedValues) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		v.m = nil
		return nil
	}
	n, ok := countMembers(data)
	if !ok {
		return errors.New("must be an object")
	}
	if v.members += n; v.members > MaxValues {
		return errTooManyValues
	}
	if v.m == nil {
		v.m = make(map[string]float64, n)
	}
	return json.Unmarshal(data, &v.m)
}

// countMembers counts the members of the valid JSON object data (every
// member, repeated keys too); ok is false when data is not an object.
func countMembers(data []byte) (n int, ok bool) {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '{' {
		return 0, false
	}
	depth, inString, escaped, empty := 0, false, false, true
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 1:
			n++
		}
		if depth == 1 && c != '{' && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			empty = false
		}
	}
	if empty {
		return 0, true
	}
	return n + 1, true
}
