package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func goodPoll() Poll {
	return Poll{
		Version: "v1.2.3", Hostname: "web1", OS: "linux", Arch: "arm64",
		AssignmentsVersion: "a7", Time: testNow, Spool: SpoolStats{Records: 3, Bytes: 900, Dropped: 1},
		Commands: []string{"check-backup", "raid.md0"},
	}
}

// commandNames returns n distinct names of the longest allowed length.
func commandNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%064d", i)
	}
	return out
}

// TestPollFitsItsBody: the largest Poll an agent may send must fit
// MaxPollBody, or an agent allowing many commands loses its heartbeat.
func TestPollFitsItsBody(t *testing.T) {
	m := goodPoll()
	m.Version, m.Hostname = repeat("v", MaxVersionLen), repeat("h", MaxHostnameLen)
	m.OS, m.Arch = repeat("o", MaxPlatformLen), repeat("a", MaxPlatformLen)
	m.AssignmentsVersion = repeat("7", MaxVersionLen)
	m.Spool = SpoolStats{Records: ^uint64(0), Bytes: ^uint64(0), Dropped: ^uint64(0)}
	m.Commands = commandNames(MaxCommands)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Encode(&b, &m); err != nil {
		t.Fatal(err)
	}
	if b.Len() > MaxPollBody {
		t.Fatalf("the largest Poll is %d bytes, MaxPollBody %d", b.Len(), MaxPollBody)
	}
	t.Logf("the largest Poll is %d bytes of %d", b.Len(), MaxPollBody)
}

func TestPollValidate(t *testing.T) {
	tests := []struct {
		name  string
		mut   func(*Poll)
		field string
	}{
		{"good", func(*Poll) {}, ""},
		{"first poll", func(m *Poll) { m.AssignmentsVersion = "" }, ""},
		{"clock far ahead is still a heartbeat", func(m *Poll) { m.Time = testNow.AddDate(1, 0, 0) }, ""},
		{"no version", func(m *Poll) { m.Version = "" }, "version"},
		{"no hostname", func(m *Poll) { m.Hostname = "" }, "hostname"},
		{"no os", func(m *Poll) { m.OS = "" }, "os"},
		{"arch with dash", func(m *Poll) { m.Arch = "arm-64" }, "arch"},
		{"assignments version with space", func(m *Poll) { m.AssignmentsVersion = "a 7" }, "assignments_version"},
		{"assignments version too long", func(m *Poll) { m.AssignmentsVersion = repeat("7", MaxVersionLen+1) }, "assignments_version"},
		{"no time", func(m *Poll) { m.Time = time.Time{} }, "time"},
		{"clock never set", func(m *Poll) { m.Time = time.Unix(0, 0) }, "time"},
		{"no commands", func(m *Poll) { m.Commands = nil }, ""},
		{"most commands", func(m *Poll) { m.Commands = commandNames(MaxCommands) }, ""},
		{"too many commands", func(m *Poll) { m.Commands = commandNames(MaxCommands + 1) }, "commands"},
		{"command repeated", func(m *Poll) { m.Commands = []string{"a", "b", "a"} }, "commands[2]"},
		{"command empty", func(m *Poll) { m.Commands = []string{""} }, "commands[0]"},
		{"command uppercase", func(m *Poll) { m.Commands = []string{"ok", "Backup"} }, "commands[1]"},
		{"command with space", func(m *Poll) { m.Commands = []string{"rm -rf"} }, "commands[0]"},
		{"command line as name", func(m *Poll) { m.Commands = []string{"/bin/sh"} }, "commands[0]"},
		{"command too long", func(m *Poll) { m.Commands = []string{repeat("c", 65)} }, "commands[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := goodPoll()
			tc.mut(&m)
			wantField(t, m.Validate(), tc.field)
		})
	}
}

func goodAssignments() Assignments {
	return Assignments{
		Version: "a7",
		Wait:    Duration(30 * time.Second),
		Monitors: []Assignment{
			{ID: "1", Type: "http", Target: "https://example.com/", Interval: Duration(time.Minute), Timeout: Duration(10 * time.Second), Settings: json.RawMessage(`{"method":"GET"}`)},
			{ID: "2", Type: "memory", Interval: Duration(10 * time.Second), Timeout: Duration(10 * time.Second)},
		},
	}
}

func TestAssignmentsValidate(t *testing.T) {
	sec := func(n float64) Duration { return Duration(n * float64(time.Second)) }
	tests := []struct {
		name  string
		mut   func(*Assignments)
		field string
	}{
		{"good", func(*Assignments) {}, ""},
		{"no monitors", func(m *Assignments) { m.Monitors = nil }, ""},
		{"no version", func(m *Assignments) { m.Version = "" }, "version"},
		{"version with newline", func(m *Assignments) { m.Version = "a\n7" }, "version"},
		{"no wait", func(m *Assignments) { m.Wait = 0 }, "wait"},
		{"wait too long", func(m *Assignments) { m.Wait = Duration(MaxWait + time.Second) }, "wait"},
		{"longest wait", func(m *Assignments) { m.Wait = Duration(MaxWait) }, ""},
		{"too many monitors", func(m *Assignments) { m.Monitors = make([]Assignment, MaxAssignments+1) }, "monitors"},
		{"repeated id", func(m *Assignments) { m.Monitors[1].ID = "1" }, "monitors[1].id"},
		{"no id", func(m *Assignments) { m.Monitors[1].ID = "" }, "monitors[1].id"},
		{"no type", func(m *Assignments) { m.Monitors[0].Type = "" }, "monitors[0].type"},
		{"type uppercase", func(m *Assignments) { m.Monitors[0].Type = "HTTP" }, "monitors[0].type"},
		{"type too long", func(m *Assignments) { m.Monitors[0].Type = repeat("t", MaxTypeLen+1) }, "monitors[0].type"},
		{"target too long", func(m *Assignments) { m.Monitors[0].Target = repeat("t", MaxTargetLen+1) }, "monitors[0].target"},
		{"target with newline", func(m *Assignments) { m.Monitors[0].Target = "a\nb" }, "monitors[0].target"},
		{"interval too short", func(m *Assignments) { m.Monitors[0].Interval = sec(0.5) }, "monitors[0].interval"},
		{"interval too long", func(m *Assignments) { m.Monitors[0].Interval = Duration(MaxInterval + 1) }, "monitors[0].interval"},
		{"timeout too short", func(m *Assignments) { m.Monitors[0].Timeout = sec(0.05) }, "monitors[0].timeout"},
		{"timeout too long", func(m *Assignments) {
			m.Monitors[0].Interval, m.Monitors[0].Timeout = Duration(time.Hour), Duration(MaxTimeout+1)
		}, "monitors[0].timeout"},
		{"timeout above interval", func(m *Assignments) { m.Monitors[0].Timeout = sec(61) }, "monitors[0].timeout"},
		{"settings null", func(m *Assignments) { m.Monitors[0].Settings = json.RawMessage("null") }, ""},
		{"settings array", func(m *Assignments) { m.Monitors[0].Settings = json.RawMessage("[]") }, "monitors[0].settings"},
		{"settings string", func(m *Assignments) { m.Monitors[0].Settings = json.RawMessage(`"x"`) }, "monitors[0].settings"},
		{"settings broken", func(m *Assignments) { m.Monitors[0].Settings = json.RawMessage(`{"a":`) }, "monitors[0].settings"},
		{"settings too long", func(m *Assignments) {
			m.Monitors[0].Settings = json.RawMessage(`{"a":"` + repeat("x", MaxSettingsLen) + `"}`)
		}, "monitors[0].settings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := goodAssignments()
			tc.mut(&m)
			wantField(t, m.Validate(), tc.field)
		})
	}
}
