package server

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// change is a compact way to write an expected ui.AuditChange: "field:
// before → after", with "∅" for a side without the field and a leading
// "*" when the row is marked changed.
func change(c ui.AuditChange) string {
	side := func(v string, has bool) string {
		if !has {
			return "∅"
		}
		return v
	}
	mark := ""
	if c.Changed {
		mark = "*"
	}
	return mark + c.Field + ": " + side(c.Before, c.HasBefore) + " → " + side(c.After, c.HasAfter)
}

func TestAuditChanges(t *testing.T) {
	box, err := seal.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal("public", "test")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		kind          string // the record's kind, as the target names it
		before, after string
		wantKind      string
		want          []string
	}{
		{"a monitor's durations are written as durations", "monitor",
			`{"name":"web","interval":60000000000,"timeout":10000000000,"remind_every":0,"confirm":2}`,
			`{"name":"web","interval":30000000000,"timeout":1500000000,"remind_every":5400000000000,"confirm":2}`,
			"update", []string{"name: web → web", "*interval: 1m → 30s", "*timeout: 10s → 1.5s", "*remind_every: 0s → 1h30m", "confirm: 2 → 2"}},
		{"the same number elsewhere stays a number", "contact",
			`{"timeout":60000000000}`, `{"timeout":60000000001}`,
			"update", []string{"*timeout: 60000000000 → 60000000001"}},
		{"an escalation step's delay in a list of objects", "escalation_policy",
			`{"steps":[{"after":0,"targets":["2"]}]}`,
			`{"steps":[{"after":0,"targets":["2"]},{"after":900000000000,"targets":["2","3"]}]}`,
			"update", []string{"steps[0].after: 0s → 0s", `steps[0].targets: ["2"] → ["2"]`, "*steps[1].after: ∅ → 15m", `*steps[1].targets: ∅ → ["2", "3"]`}},
		{"settings are flattened, lists of plain values stay on one line", "monitor",
			`{"settings":{"expected_status":["200"],"headers":{"Accept":"text/html"},"password":"(set)"},"tags":[],"locations":["server"]}`,
			`{"settings":{"expected_status":["200","204"],"headers":{},"password":"(set)"},"tags":["web, eu"],"locations":["server"]}`,
			"update", []string{`*settings.expected_status: ["200"] → ["200", "204"]`, "*settings.headers.Accept: text/html → ∅",
				"settings.password: (set) → (set)", `*tags: [] → ["web, eu"]`, `locations: ["server"] → ["server"]`,
				"*settings.headers: ∅ → {}"}},
		{"a sealed secret never shows, wherever it is", "monitor",
			fmt.Sprintf(`{"settings":{"community":%q,"oids":[{"oid":"1.3","auth":[%q]}]}}`, sealed, sealed), "",
			"delete", []string{"*settings.community: (set) → ∅", `*settings.oids[0].oid: 1.3 → ∅`, `*settings.oids[0].auth: ["(set)"] → ∅`}},
		{"a creation has only the after", "contact", "", `{"name":"Ops","paused":false,"note":"","x":null}`,
			"create", []string{"*name: ∅ → Ops", "*paused: ∅ → false", `*note: ∅ → ""`, "*x: ∅ → null"}},
		{"a record that is no JSON says so", "monitor", `{"name":`, `{"name":"b"}`,
			"update", []string{"*(record): not readable as JSON → ∅", "*name: ∅ → b"}},
		{"a record that is not an object", "settings", `"smtp"`, `7`,
			"update", []string{"*(value): smtp → 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, changes, truncated := auditChanges(tt.kind, json.RawMessage(tt.before), json.RawMessage(tt.after))
			var got []string
			for _, c := range changes {
				got = append(got, change(c))
			}
			if kind != tt.wantKind || truncated || !slices.Equal(got, tt.want) {
				t.Errorf("kind %q truncated %v changes\n%s\nwant kind %q\n%s", kind, truncated,
					strings.Join(got, "\n"), tt.wantKind, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestAuditChangesBounded feeds records no person would make: very many
// fields, very deep nesting, a very long value. The page stays bounded.
func TestAuditChangesBounded(t *testing.T) {
	var many strings.Builder
	many.WriteString("{")
	for i := range 5000 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"f%d":%d`, i, i)
	}
	many.WriteString("}")
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	long := `{"v":"` + strings.Repeat("é", 100000) + `"}`
	tests := []struct {
		name          string
		raw           string
		wantTruncated bool
		maxFields     int
	}{
		{"many fields", many.String(), true, auditMaxFields},
		{"deep", deep, false, 1},
		{"long value", long, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, changes, truncated := auditChanges("monitor", nil, json.RawMessage(tt.raw))
			if truncated != tt.wantTruncated || len(changes) > tt.maxFields || len(changes) == 0 {
				t.Fatalf("%d fields, truncated %v; want at most %d, truncated %v", len(changes), truncated, tt.maxFields, tt.wantTruncated)
			}
			for _, c := range changes {
				if len(c.After) > auditMaxValue+len("…") || strings.Count(c.Field, ".") > auditMaxDepth {
					t.Errorf("field %.40q… value of %d bytes: not bounded", c.Field, len(c.After))
				}
				if tt.name != "many fields" && !strings.HasSuffix(c.After, "…") {
					t.Errorf("field %.40q…: a cut value is not marked", c.Field)
				}
				if !utf8.ValidString(c.After) {
					t.Errorf("field %.40q…: cut inside a character", c.Field)
				}
			}
		})
	}
}

func TestListPattern(t *testing.T) {
	tests := map[string]string{
		"interval":               "interval",
		"steps[0].after":         "steps[].after",
		"steps[12].targets[3].x": "steps[].targets[].x",
		"odd[":                   "odd[",
		"":                       "",
	}
	for in, want := range tests {
		if got := listPattern(in); got != want {
			t.Errorf("listPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAuditDurationsCoverTheRecords walks every record the store audits
// and fails when one holds a time.Duration that auditDurations does not
// name: the page would show it as nanoseconds.
func TestAuditDurationsCoverTheRecords(t *testing.T) {
	records := map[string]any{
		"monitor": store.Monitor{}, "escalation_policy": store.EscalationPolicy{}, "contact": store.Contact{},
		"contact_group": store.ContactGroup{}, "notify_route": store.NotifyRoute{}, "maintenance": store.MaintenanceWindow{},
		"agent": store.Agent{}, "join_token": store.JoinToken{}, "token": store.APIToken{}, "user": store.User{},
		"incident": store.Incident{}, "settings": store.SMTPSettings{},
	}
	for kind, rec := range records {
		t.Run(kind, func(t *testing.T) {
			var got []string
			durationPaths(reflect.TypeOf(rec), "", &got, 0)
			want := auditDurations[kind]
			slices.Sort(got)
			w := slices.Clone(want)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("%s holds durations at %q; auditDurations names %q", kind, got, want)
			}
		})
	}
	for kind := range auditDurations {
		if _, ok := records[kind]; !ok {
			t.Errorf("auditDurations names %q, which this test does not know", kind)
		}
	}
}

var durationType = reflect.TypeFor[time.Duration]()

// durationPaths adds the JSON paths of t's time.Duration fields, written
// as auditDurations writes them.
func durationPaths(t reflect.Type, prefix string, out *[]string, depth int) {
	if depth > 8 {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		*out = append(*out, prefix)
		return
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		durationPaths(t.Elem(), prefix+"[]", out, depth+1)
		return
	case t.Kind() != reflect.Struct:
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case f.Anonymous && name == "":
			durationPaths(f.Type, prefix, out, depth+1)
			continue
		case name == "":
			name = f.Name
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		durationPaths(f.Type, name, out, depth+1)
	}
}
