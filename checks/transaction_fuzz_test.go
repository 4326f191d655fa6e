package checks

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// FuzzTransactionExtract feeds hostile answers (and paths) to the
// extractions: they must never panic, and a value is either found or the
// error says why.
func FuzzTransactionExtract(f *testing.F) {
	f.Add([]byte(`{"data":{"items":[{"id":7}]}}`), "data.items[0].id", "v")
	f.Add([]byte(`<input name="csrf" value="abc">`), "$", `value="([^"]*)"`)
	f.Add([]byte(`[[[[[[1]]]]]]`), "[0][0][0][0][0][0]", ``)
	f.Add([]byte(`{"a":`), "a", `(`)
	f.Fuzz(func(t *testing.T, body []byte, path, expr string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			re = regexp.MustCompile(`(.*)`)
		}
		a := &stepAnswer{header: http.Header{"Location": {string(body)}}, body: body}
		xs := []*txExtract{
			{name: "b", from: extractBody, re: re},
			{name: "h", from: extractHeader, header: "Location", re: re},
		}
		if p, err := parseJSONPath(path); err == nil {
			xs = append(xs, &txExtract{name: "j", from: extractJSON, path: p, pathText: path}, &txExtract{name: "jr", from: extractJSON, path: p, pathText: path, re: re})
		}
		for _, x := range xs {
			v, err := x.run(a)
			if err != nil && v != "" {
				t.Fatalf("%s: value %q with error %v", x.name, v, err)
			}
			if err != nil && err.Error() == "" {
				t.Fatalf("%s: empty error", x.name)
			}
		}
	})
}

// FuzzTransactionSettings feeds arbitrary settings to the transaction
// factory: a Checker or a *SettingError naming a field, never a panic.
func FuzzTransactionSettings(f *testing.F) {
	for _, tc := range transactionValidationCases {
		f.Add(tc.settings)
	}
	f.Fuzz(func(t *testing.T, settings string) {
		c, err := newTransactionChecker(json.RawMessage(settings))
		var se *SettingError
		switch {
		case err == nil && c == nil:
			t.Fatalf("nil Checker and nil error for %q", settings)
		case err != nil && (!errors.As(err, &se) || !strings.HasPrefix(se.Field, "settings")):
			t.Fatalf("error %T %v does not name a setting", err, err)
		}
	})
}
