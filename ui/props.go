package ui

import "time"

// The types in this file are the props the server fills for each screen.
// ui imports nothing of Vigil's: handlers map records to these.

// Page is what every screen shares: the title, who is signed in and the
// CSRF token every state-changing form carries.
type Page struct {
	Title     string
	User      string // signed-in user name; "" on setup and login
	CSRFToken string
	Flash     string // a one-line notice after an action, e.g. "Monitor created."
	Nav       string // "dashboard", "incidents", "": which nav item is current
	Version   string
}

// SetupProps fill the first-run screen.
type SetupProps struct {
	Page
	Username string
	Errors   map[string]string // field name ("code", "username", "password", "password_confirm", "") → message
}

// LoginProps fill the sign-in screen.
type LoginProps struct {
	Page
	Username string
	Error    string
	Next     string // where to go after signing in
}

// DashboardProps fill the list of all monitors.
type DashboardProps struct {
	Page
	Query    string // the filter as typed
	Status   string // "", "ok", "warning", "problem", "paused", "unknown"
	Counts   StatusCounts
	Monitors []MonitorRow // this page's rows: problems first, then by name
	Total    int          // monitors before filtering
	Matched  int          // monitors after filtering, on all pages
	// PageNum is the page shown (from 1) of PageCount; PageCount is 0 or 1
	// when everything fits on one page.
	PageNum, PageCount int
	// Maintenance lists the maintenance windows active now.
	Maintenance []MaintenanceBanner
}

// StatusCounts count monitors per status for the summary strip.
type StatusCounts struct {
	OK, Warning, Problem, Paused, Unknown int
}

// MonitorRow is one monitor on the dashboard.
type MonitorRow struct {
	ID          string
	Name        string
	Type        string
	Target      string
	Status      string  // "ok", "warning", "problem", "paused", "unknown"
	Message     string  // the last result's message
	LastLatency float64 // ms; < 0 when there is no result yet
	Uptime24h   float64 // percent; < 0 when there is no data
	Uptime30d   float64
	Sparkline   []float64 // recent latencies in ms, oldest first; NaN-free; may be empty
	LastCheck   time.Time // zero when never checked
	Maintenance string    // the active maintenance window's name, "" when none
}

// MonitorProps fill one monitor's page.
type MonitorProps struct {
	Page
	Monitor   MonitorRow
	Interval  string
	Timeout   string
	Locations []string
	Paused    bool
	Range     string   // "1h", "24h", "7d", "30d"
	Ranges    []string // the ranges offered, in order
	Chart     Chart
	// Values chart, below the response time, what the results carry
	// (used_percent, load1, step_1_ms, …), most telling first, over the
	// same range and time axis.
	Values []ValueChart
	// ValuesNote says why the value charts show less than the range, or
	// nothing: "" when they cover it all.
	ValuesNote string
	// ValuesFirst puts the value charts above the response time: for host
	// checks, whose latency is only how long reading the host took.
	ValuesFirst bool
	// Lead is the most telling value of the newest result, shown in the
	// summary in place of the latency (host checks); nil for none.
	Lead      *Reading
	Timeline  []TimelineSegment
	Incidents []IncidentRow
	Recent    []ResultRow // the latest results, newest first
	// PerLocation is the state and latency at each location that has
	// reported, by location name; shown when there is more than one
	// location or the one is an agent.
	PerLocation []LocationRow
	// NoLatency hides what a monitor without response times would show
	// as zeros: the timeout, the latencies and the response-time chart
	// (a file-integrity monitor, whose results the server makes from the
	// agent's reports). The status timeline stays.
	NoLatency bool
	// FIMAgent is the agent whose file-integrity changes the page links
	// to (a file-integrity monitor's); "" for none.
	FIMAgent string
}

// LocationRow is a monitor's state at one location ("server" or an agent).
type LocationRow struct {
	Name        string
	Status      string
	Since       time.Time // when this location's status began
	LastLatency float64   // ms; < 0 when there is no result yet
	AvgLatency  float64   // ms, over the chart's range; < 0 without data
	LastCheck   time.Time
	Message     string
}

// Chart is a response-time or value chart, rendered as SVG on the server.
type Chart struct {
	From, To time.Time
	Series   []ChartSeries
	// Bucketed is true when points are rollups (min/avg/max), false for raw results.
	Bucketed bool
	// Step is how far apart points are expected (the check interval, or
	// the bucket when longer); the line breaks where data is missing for
	// longer. 0: judged from the points.
	Step time.Duration
}

// ValueChart is one value the monitor's results carry, charted.
type ValueChart struct {
	Key   string // as results carry it: "used_percent", "rx_bytes_per_second"; the label and unit come from it
	Unit  string // when set, the unit ("%", "ms", …) rather than the one the key's suffix says
	Chart Chart
}

// Reading is one value of a result.
type Reading struct {
	Key   string
	Unit  string // as ValueChart.Unit
	Value float64
}

// ChartSeries is one line on a chart, typically one location.
type ChartSeries struct {
	Name   string
	Points []ChartPoint
}

// ChartPoint is one point: a raw result (Min = Avg = Max) or a rollup.
type ChartPoint struct {
	At            time.Time
	Min, Avg, Max float64 // ms, or the value's unit
	Status        string  // the worst status in this point
	// Failed says every result in the point was a problem: its latency is
	// no response time, so the point is marked and the line breaks.
	Failed bool
}

// TimelineSegment is a stretch of time in one status, for the status bar.
type TimelineSegment struct {
	From, To time.Time
	Status   string
}

// ResultRow is one raw result in a table.
type ResultRow struct {
	At        time.Time
	Location  string
	Status    string
	LatencyMS float64
	Message   string
}

// IncidentRow is one incident in a list.
type IncidentRow struct {
	ID             string
	MonitorID      string
	MonitorName    string
	StartedAt      time.Time
	EndedAt        time.Time // zero while open
	Open           bool
	Message        string
	AcknowledgedBy string
	AcknowledgedAt time.Time
	AckNote        string
}

// IncidentsProps fill the incidents page.
type IncidentsProps struct {
	Page
	Filter    string // "open" or "all"
	Incidents []IncidentRow
}

// MonitorFormProps fill the create and edit forms. Fields follow the
// chosen type: Types lists every type with its settings, and the form
// shows the settings of Values.Type.
type MonitorFormProps struct {
	Page
	Editing bool // false: create; true: edit Values.ID
	Types   []CheckType
	Values  MonitorForm
	Errors  map[string]string // form field name → message; "" for the form as a whole
	// NotifyOptions are the contacts and groups a monitor may notify;
	// PolicyOptions the escalation policies.
	NotifyOptions []Option
	PolicyOptions []Option
}

// MonitorForm holds the form's values as typed, all strings so that a
// rejected value is shown back as it was entered.
type MonitorForm struct {
	ID        string
	Name      string
	Type      string
	Target    string
	Interval  string
	Timeout   string
	Confirm   string
	DependsOn string // comma-separated monitor ids
	Locations string // comma-separated: "server" and agent names
	Paused    bool
	Settings  map[string]string // setting name → value as typed
	// Notify holds the contact and group ids ticked; Escalation a policy
	// id ("" for none); RemindEvery a duration as typed.
	Notify      []string
	Escalation  string
	RemindEvery string
}

// CheckType describes a check type for the form.
type CheckType struct {
	Name       string
	Title      string
	TargetHelp string
	Settings   []CheckSetting
}

// CheckSetting is one setting's form field. Its form field name is
// "settings." + Name.
type CheckSetting struct {
	Name    string
	Kind    string // "string", "int", "bool", "duration", "list", "map", "enum", "text"
	Default string
	Options []string
	// OptionTitles names Options for people, in the same order; empty
	// shows the values themselves.
	OptionTitles []string
	Help         string
}

// ErrorProps fill an error page (404, 403, 500).
type ErrorProps struct {
	Page
	Code    int
	Message string
}
