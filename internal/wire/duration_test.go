package wire

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		json string
	}{
		{"zero", 0, `"0s"`},
		{"millis", 500 * time.Millisecond, `"500ms"`},
		{"seconds", 30 * time.Second, `"30s"`},
		{"minute", time.Minute, `"1m"`},
		{"minute and a half", 90 * time.Second, `"1m30s"`},
		{"ten minutes", 10 * time.Minute, `"10m"`},
		{"hour", time.Hour, `"1h"`},
		{"hour and a half", 90 * time.Minute, `"1h30m"`},
		{"hour and seconds", time.Hour + 5*time.Second, `"1h0m5s"`},
		{"day", 24 * time.Hour, `"24h"`},
		{"fraction", 1500 * time.Millisecond, `"1.5s"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(Duration(tc.d))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.json {
				t.Fatalf("marshal = %s, want %s", b, tc.json)
			}
			var back Duration
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.D() != tc.d {
				t.Fatalf("unmarshal = %v, want %v", back.D(), tc.d)
			}
		})
	}
}

func TestDurationUnmarshalRefuses(t *testing.T) {
	tests := []struct {
		name string
		json string
	}{
		{"number", `30`},
		{"negative", `"-1s"`},
		{"no unit", `"30"`},
		{"words", `"soon"`},
		{"empty", `""`},
		{"null inside object", `{}`},
		{"overflow", `"999999999999h"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tc.json), &d)
			if _, ok := err.(*json.UnmarshalTypeError); !ok {
				t.Fatalf("got %v (%T), want a *json.UnmarshalTypeError", err, err)
			}
		})
	}
}
