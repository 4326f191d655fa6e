package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// DecodeSettings decodes raw into dst (a pointer to a settings struct with
// json tags), rejecting unknown fields. Errors name the field as
// "settings.<name>" so the API can report it.
func DecodeSettings(raw json.RawMessage, dst any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return settingsDecodeError(err)
	}
	if dec.More() {
		return &SettingError{Field: "settings", Msg: "settings must be one JSON object"}
	}
	return nil
}

func settingsDecodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := "settings"
		if typeErr.Field != "" {
			field = "settings." + typeErr.Field
		}
		return &SettingError{Field: field, Msg: fmt.Sprintf("must be %s, not a JSON %s", withArticle(jsonKind(typeErr.Type.Kind().String())), typeErr.Value)}
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name := strings.Trim(rest, `"`)
		return &SettingError{Field: "settings." + name, Msg: fmt.Sprintf("unknown setting %q", name)}
	}
	var fieldErr *SettingError
	if errors.As(err, &fieldErr) {
		return fieldErr
	}
	return &SettingError{Field: "settings", Msg: "settings are not valid JSON: " + strings.TrimPrefix(msg, "json: ")}
}

// withArticle puts "a" or "an" before a kind's name.
func withArticle(kind string) string {
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct":
		return "object"
	default:
		return "number"
	}
}
