package wire

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// Bounds on the durations in Assignments. Interval and Timeout are those
// the server's API allows for a monitor.
const (
	MinInterval = time.Second
	MaxInterval = 24 * time.Hour
	MinTimeout  = 100 * time.Millisecond
	MaxTimeout  = 5 * time.Minute
	MinWait     = time.Second
	MaxWait     = 5 * time.Minute
)

// Poll is the body of POST PathAssignments, the long-poll that is also the
// agent's heartbeat. The agent sends what it is and the version of the
// assignments it runs ("" before the first answer); the server records the
// heartbeat, then answers at once with Assignments when its version
// differs, or else holds the request up to Assignments.Wait and answers 204
// with no body.
type Poll struct {
	Version            string     `json:"version"` // the agent's build version
	Hostname           string     `json:"hostname"`
	OS                 string     `json:"os"`
	Arch               string     `json:"arch"`
	AssignmentsVersion string     `json:"assignments_version"` // "" before the first Assignments
	Time               time.Time  `json:"time"`                // the agent's clock, to show skew
	Spool              SpoolStats `json:"spool"`
	// Commands are the names of the shell commands the agent's own
	// allow-list allows, sorted, so the server can show what a shell
	// monitor may name there. The command lines stay on the agent.
	Commands []string `json:"commands,omitempty"`
}

// MaxCommands caps the names in Poll.Commands; an agent allows no more.
const MaxCommands = 256

// SpoolStats describes the agent's on-disk spool of undelivered results.
type SpoolStats struct {
	Records uint64 `json:"records"` // results waiting
	Bytes   uint64 `json:"bytes"`   // their size on disk
	Dropped uint64 `json:"dropped"` // results dropped since the agent started (spool full or too old, or refused)
}

// Validate checks every field. Time must be set but is not compared with
// the server's clock: the difference is what it is sent for.
func (m *Poll) Validate() error {
	if err := checkHost("", m.Hostname, m.OS, m.Arch, m.Version); err != nil {
		return err
	}
	if m.AssignmentsVersion != "" {
		if err := checkToken("assignments_version", m.AssignmentsVersion, MaxVersionLen, isVisibleASCII, "printable ASCII without spaces"); err != nil {
			return err
		}
	}
	if err := checkTime("time", m.Time, time.Time{}); err != nil {
		return err
	}
	return checkCommands("commands", m.Commands)
}

// checkCommands accepts at most MaxCommands distinct command names.
func checkCommands(field string, names []string) error {
	if len(names) > MaxCommands {
		return bad(field, "must hold at most %d names, holds %d", MaxCommands, len(names))
	}
	seen := make(map[string]int, len(names))
	for i, name := range names {
		if err := checks.CheckCommandName(name); err != nil {
			return bad(index(field, i), "%s", err.Error())
		}
		if j, dup := seen[name]; dup {
			return bad(index(field, i), "%q repeats %s", name, index(field, j))
		}
		seen[name] = i
	}
	return nil
}

// Assignments answers a Poll whose AssignmentsVersion is not current: all
// the monitors this agent runs (an empty list stops them all), the
// file-integrity policies it scans (likewise), the version to send in the
// next Poll, and how long the server holds a Poll.
type Assignments struct {
	Version  string       `json:"version"`
	Monitors []Assignment `json:"monitors"`
	FIM      []FIMPolicy  `json:"fim,omitempty"`
	// Wait is how long the server holds a Poll before answering 204. The
	// agent's request timeout must exceed it, and the server deems an
	// agent offline when no Poll arrived for two Waits and a margin.
	Wait Duration `json:"wait"`
}

// Assignment is one monitor an agent runs. The agent builds it with the
// checks registry from Type, Target and Settings, and refuses (and
// reports) a type it does not run or settings it does not accept.
type Assignment struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Target   string          `json:"target"` // may be empty for host types
	Interval Duration        `json:"interval"`
	Timeout  Duration        `json:"timeout"`
	Settings json.RawMessage `json:"settings,omitempty"` // a JSON object, or absent for none
}

// Validate checks the version, the wait, every assignment and FIM policy,
// and that no monitor or policy id repeats.
func (m *Assignments) Validate() error {
	if err := checkToken("version", m.Version, MaxVersionLen, isVisibleASCII, "printable ASCII without spaces"); err != nil {
		return err
	}
	if err := checkDuration("wait", m.Wait, MinWait, MaxWait); err != nil {
		return err
	}
	if len(m.Monitors) > MaxAssignments {
		return bad("monitors", "must hold at most %d monitors, holds %d", MaxAssignments, len(m.Monitors))
	}
	seen := make(map[string]int, len(m.Monitors))
	for i := range m.Monitors {
		a := &m.Monitors[i]
		if err := a.Validate(); err != nil {
			return within(index("monitors", i), err)
		}
		if j, dup := seen[a.ID]; dup {
			return bad(index("monitors", i)+".id", "%q repeats monitors[%d]", a.ID, j)
		}
		seen[a.ID] = i
	}
	return checkFIMPolicies("fim", m.FIM)
}

// Validate checks one assignment's fields. Whether the type exists and
// the settings suit it is for the checks registry to say.
func (a *Assignment) Validate() error {
	if err := checkID("id", a.ID); err != nil {
		return err
	}
	if err := checkToken("type", a.Type, MaxTypeLen, isPlatformByte, "lowercase letters, digits and '_'"); err != nil {
		return err
	}
	if err := checkText("target", a.Target, MaxTargetLen, false); err != nil {
		return err
	}
	if err := checkDuration("interval", a.Interval, MinInterval, MaxInterval); err != nil {
		return err
	}
	if err := checkDuration("timeout", a.Timeout, MinTimeout, MaxTimeout); err != nil {
		return err
	}
	if a.Timeout > a.Interval {
		return bad("timeout", "must not be longer than the interval (%s), is %s", a.Interval, a.Timeout)
	}
	return checkSettings("settings", a.Settings)
}

// checkSettings accepts nothing, null, or one JSON object of at most
// MaxSettingsLen bytes.
func checkSettings(field string, raw json.RawMessage) error {
	if len(raw) > MaxSettingsLen {
		return bad(field, "must be at most %d bytes, is %d", MaxSettingsLen, len(raw))
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	if t[0] != '{' || !json.Valid(t) {
		return bad(field, "must be a JSON object")
	}
	return nil
}
