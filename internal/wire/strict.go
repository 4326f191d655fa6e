package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
)

// The messages with lists (ResultBatch, Assignments) decode them element
// by element from a stream and stop at the cap, because encoding/json
// would otherwise build the whole list first: a 4 MiB body of "{}," is
// over a million empty results, hundreds of megabytes before Validate
// could count them. Streaming also keeps the decoder's buffer at the size
// of one element instead of the whole body. A result's values are counted
// before the map is built, for the same reason. These UnmarshalJSON
// methods are as strict as Decode: unknown fields are refused.

// UnmarshalJSON decodes strictly, refusing more than MaxResultsPerBatch
// results before building them.
func (m *ResultBatch) UnmarshalJSON(data []byte) error {
	var out ResultBatch
	err := walkObject(streamOf(data), func(dec *json.Decoder, key string) error {
		switch key {
		case "seq":
			return within("seq", decodeValue(dec, &out.Seq))
		case "results":
			list, err := decodeList[MonitorResult](dec, "results", MaxResultsPerBatch)
			out.Results = list
			return err
		}
		return unknownField(key)
	})
	if err != nil {
		return err
	}
	*m = out
	return nil
}

// UnmarshalJSON decodes strictly, refusing more than MaxAssignments
// monitors or MaxFIMPolicies file-integrity policies before building them.
func (m *Assignments) UnmarshalJSON(data []byte) error {
	var out Assignments
	err := walkObject(streamOf(data), func(dec *json.Decoder, key string) error {
		switch key {
		case "version":
			return within("version", decodeValue(dec, &out.Version))
		case "wait":
			return within("wait", decodeValue(dec, &out.Wait))
		case "monitors":
			list, err := decodeList[Assignment](dec, "monitors", MaxAssignments)
			out.Monitors = list
			return err
		case "fim":
			list, err := decodeList[FIMPolicy](dec, "fim", MaxFIMPolicies)
			out.FIM = list
			return err
		}
		return unknownField(key)
	})
	if err != nil {
		return err
	}
	*m = out
	return nil
}

// monitorResultJSON is MonitorResult with its result left raw.
type monitorResultJSON struct {
	MonitorID string          `json:"monitor_id"`
	Result    json.RawMessage `json:"result"`
}

// UnmarshalJSON decodes strictly, refusing more than MaxValues values
// before building the map.
func (m *MonitorResult) UnmarshalJSON(data []byte) error {
	var aux monitorResultJSON
	if err := strictUnmarshal(data, &aux); err != nil {
		return err
	}
	var r checks.Result
	if len(aux.Result) > 0 {
		if err := countValues(aux.Result, MaxValues); err != nil {
			return within("result", err)
		}
		if err := strictUnmarshal(aux.Result, &r); err != nil {
			return within("result", err)
		}
	}
	m.MonitorID, m.Result = aux.MonitorID, r
	return nil
}

// streamOf returns a strict decoder over data.
func streamOf(data []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec
}

// strictUnmarshal decodes one JSON value, refusing unknown fields, with
// errors that name the field.
func strictUnmarshal(data []byte, v any) error {
	return decodeValue(streamOf(data), v)
}

// decodeValue decodes the next value of dec into v.
func decodeValue(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	return nil
}

func unknownField(key string) error { return fmt.Errorf("unknown field %q", key) }

// walkObject reads a JSON object (or null) from dec, calling member for
// each key with dec positioned at the key's value, which member must
// consume. Keys match exactly.
func walkObject(dec *json.Decoder, member func(dec *json.Decoder, key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonProblem(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("must be an object, not %s", tokenKind(tok))
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return jsonProblem(err)
		}
		k, _ := key.(string)
		if err := member(dec, k); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing brace
	return jsonProblem(err)
}

// decodeList reads a JSON array (or null) of at most max elements from
// dec, one element at a time.
func decodeList[T any](dec *json.Decoder, field string, max int) ([]T, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, within(field, jsonProblem(err))
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('[') {
		return nil, bad(field, "must be an array, not %s", tokenKind(tok))
	}
	var out []T
	for i := 0; dec.More(); i++ {
		if i == max {
			return nil, bad(field, "must hold at most %d elements", max)
		}
		var elem T
		if err := decodeValue(dec, &elem); err != nil {
			return nil, within(index(field, i), err)
		}
		out = append(out, elem)
	}
	_, err = dec.Token() // the closing bracket
	return out, within(field, jsonProblem(err))
}

// countValues refuses a JSON result object whose values objects hold more
// than max keys in all, without building them. It counts every member
// encoding/json would merge into Values: the key matches case-insensitively
// and may repeat.
func countValues(raw json.RawMessage, max int) error {
	n := 0
	return walkObject(streamOf(raw), func(dec *json.Decoder, key string) error {
		if !strings.EqualFold(key, "values") {
			var skip json.RawMessage
			return within(key, decodeValue(dec, &skip))
		}
		var err error
		n, err = countKeys(dec, max, n)
		return within("values", err)
	})
}

// countKeys adds the keys of the JSON object (or null) next in dec to n,
// refusing more than max in all.
func countKeys(dec *json.Decoder, max, n int) (int, error) {
	err := walkObject(dec, func(dec *json.Decoder, _ string) error {
		if n == max {
			return fmt.Errorf("must hold at most %d keys", max)
		}
		n++
		var skip json.RawMessage
		return decodeValue(dec, &skip)
	})
	return n, err
}

// tokenKind names what a JSON token is, for errors.
func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		if tok == json.Delim('[') {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}
