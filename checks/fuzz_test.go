package checks

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzNewSettings feeds arbitrary settings to every type's factory: it
// must never panic, and must return either a Checker or a *SettingError.
func FuzzNewSettings(f *testing.F) {
	for _, cases := range validationCases {
		for _, tc := range cases {
			f.Add(tc.settings)
		}
	}
	f.Fuzz(func(t *testing.T, settings string) {
		for _, typ := range Types() {
			c, err := typ.New(json.RawMessage(settings))
			if err == nil && c == nil {
				t.Fatalf("%s: nil Checker and nil error for %q", typ.Name, settings)
			}
			var se *SettingError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("%s: error %T %v is not a *SettingError", typ.Name, err, err)
			}
		}
	})
}
