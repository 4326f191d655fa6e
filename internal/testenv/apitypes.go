package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Monitor is a monitor as the API returns it (CONTRACT.md).
type Monitor struct {
	ID         string          `json:"id,omitempty"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Target     string          `json:"target"`
	Interval   string          `json:"interval,omitempty"`
	Timeout    string          `json:"timeout,omitempty"`
	Locations  []string        `json:"locations,omitempty"`
	Settings   json.RawMessage `json:"settings,omitempty"`
	DependsOn  []string        `json:"depends_on,omitempty"`
	Paused     bool            `json:"paused,omitempty"`
	Confirm    int             `json:"confirm,omitempty"`
	Status     string          `json:"status,omitempty"`
	LastResult *Result         `json:"last_result,omitempty"`
}

// Result is one check result as the API returns it.
type Result struct {
	At        time.Time          `json:"at"`
	Location  string             `json:"location"`
	Status    string             `json:"status"`
	LatencyMS float64            `json:"latency_ms"`
	Message   string             `json:"message"`
	Values    map[string]float64 `json:"values"`
}

// Key identifies a result across server restarts.
func (r Result) Key() string {
	return r.At.UTC().Format(time.RFC3339Nano) + " " + r.Location + " " + r.Status
}

// Incident is an incident as the API returns it.
type Incident struct {
	ID             string  `json:"id"`
	MonitorID      string  `json:"monitor_id"`
	StartedAt      OptTime `json:"started_at"`
	EndedAt        OptTime `json:"ended_at"`
	Status         string  `json:"status"`
	Message        string  `json:"message"`
	AcknowledgedBy string  `json:"acknowledged_by"`
	AcknowledgedAt OptTime `json:"acknowledged_at"`
}

// OptTime is a time that may be absent: JSON null, "" and the zero time all
// decode to the zero value.
type OptTime struct{ time.Time }

// UnmarshalJSON accepts null, "" and RFC 3339.
func (o *OptTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte(`""`)) {
		o.Time = time.Time{}
		return nil
	}
	if err := json.Unmarshal(b, &o.Time); err != nil {
		return fmt.Errorf("time %s: %w", b, err)
	}
	return nil
}

// Set reports whether the time is present.
func (o OptTime) Set() bool { return !o.IsZero() }
