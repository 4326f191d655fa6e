package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// decodeStrict decodes one JSON object, refusing unknown fields.
func decodeStrict(raw json.RawMessage, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("must be one JSON object")
	}
	return nil
}

// stepDecodeError names the field of a step (or extraction) at fault.
func stepDecodeError(field string, raw json.RawMessage, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" {
			field += "." + typeErr.Field
		}
		return &SettingError{Field: field, Msg: fmt.Sprintf("must be %s, not a JSON %s", withArticle(jsonKind(typeErr.Type.Kind().String())), typeErr.Value)}
	}
	if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ := strconv.Unquote(rest)
		return &SettingError{Field: field + "." + unknownFieldPath(raw, name), Msg: fmt.Sprintf("unknown field %q", name)}
	}
	return &SettingError{Field: field, Msg: "must be a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// unknownFieldPath finds where in a step an unknown field sits: encoding/json
// names only the key, and a step's expect object is a level deeper.
func unknownFieldPath(raw json.RawMessage, name string) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return name
	}
	if _, ok := top[name]; ok {
		return name
	}
	var expect map[string]json.RawMessage
	if json.Unmarshal(top["expect"], &expect) == nil {
		if _, ok := expect[name]; ok {
			return "expect." + name
		}
	}
	return name
}

// validHeaderName reports whether s is a header name: a non-empty token
// of the characters RFC 9110 allows.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func regexpMessage(err error) string {
	return "not a valid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

func sortFields(fs []txField) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].name < fs[j].name })
}
