package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/checks"
)

// Settings of kind "json" (a transaction's steps, an SNMP check's OIDs)
// are edited in the monitor form as JSON text and stored as the JSON value
// the text holds.

func settingKind(t checks.Type, name string) string {
	for _, st := range t.Settings {
		if st.Name == name {
			return st.Kind
		}
	}
	return ""
}

// jsonSettingValue checks the text of a "json" setting and returns it as
// the JSON value it holds (not a string), keeping its keys in the order
// written. A syntax error says where: "not valid JSON: … at line 3, column 7".
func jsonSettingValue(raw string) (json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	var v json.RawMessage
	err := dec.Decode(&v)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return nil, fmt.Errorf("not valid JSON: %s %s", strings.TrimPrefix(syn.Error(), "json: "), textPosition(raw, syn.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("not valid JSON: it ends %s before a bracket, brace or quote is closed", textPosition(raw, int64(len(raw))))
	case err != nil:
		return nil, fmt.Errorf("not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	end := dec.InputOffset()
	if rest := strings.TrimSpace(raw[end:]); rest != "" {
		next := end + int64(strings.Index(raw[end:], rest[:1]))
		return nil, fmt.Errorf("not valid JSON: more text after the value ends, %s", textPosition(raw, next+1))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return compact.Bytes(), nil
}

// textPosition says where byte offset falls in text, as a person counts
// lines and columns: "at line 3, column 7".
func textPosition(text string, offset int64) string {
	if offset > int64(len(text)) {
		offset = int64(len(text))
	}
	before := text[:offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
	return fmt.Sprintf("at line %d, column %d", line, max(col, 1))
}

// indentJSON shows a stored JSON setting pretty-printed, keys in the order
// they were written.
func indentJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
