package ui

import "time"

// FIMPoliciesProps fill the file-integrity page: the policies and, for
// editors, the "New policy" form.
type FIMPoliciesProps struct {
	Page
	CanEdit  bool
	Policies []FIMPolicyRow
	// Stock are the stock policies a new one may start from; Form holds
	// the chosen one's values, or what was typed and refused.
	Stock []Option
	Form  FIMPolicyForm
	// Attrs are the attributes a policy may watch, in their order.
	Attrs []Option
	// AgentHint names the agents and labels there are, for the form.
	AgentHint string
}

// FIMPolicyRow is one policy in the list, with what its agents hold.
type FIMPolicyRow struct {
	ID       string
	Name     string
	Agents   []string // the selectors as written: ids, names, "label:k=v"
	Resolved int      // how many agents they name now
	Paths    []string
	Interval string // "1h"
	Objects  uint64 // objects baselined, summed over the agents
	LastScan time.Time
	Scanning int // agents scanning now
	Open     FIMCounts
}

// FIMCounts count open changes by severity.
type FIMCounts struct {
	Critical, High, Medium, Low int
}

// Total is every open change.
func (c FIMCounts) Total() int { return c.Critical + c.High + c.Medium + c.Low }

// FIMPolicyForm is the create or edit form as typed, all strings so a
// refused value comes back as it was entered.
type FIMPolicyForm struct {
	ID       string // "" when creating
	Name     string
	Agents   string // comma-separated selectors
	Paths    string // one per line
	Exclude  string // one glob per line
	Interval string
	// Attributes are the ticked attribute names (a new form ticks all).
	Attributes      []string
	Severity        string // one rule per line: "PATTERN SEVERITY"
	FullRehashEvery string
	IOLimitMBps     string
	Errors          map[string]string // field name ("name", "agents", …, "") → message
}

// FIMPolicyProps fill one policy's page: its settings (and the edit
// form), and what each of its agents holds and is doing.
type FIMPolicyProps struct {
	Page
	CanEdit bool
	Policy  FIMPolicyRow
	Exclude []string
	// Attributes are the watched attributes; Severity the rules in the
	// order they are tried.
	Attributes      []string
	Severity        []FIMSeverityRule
	FullRehashEvery int
	IOLimitMBps     int
	Revision        string
	UpdatedAt       time.Time
	Agents          []FIMAgentRow
	// Form is the edit form; it opens when it holds errors, or when
	// EditOpen says the person asked for it (the Edit button's ?edit=1,
	// for browsers without JavaScript).
	Form     FIMPolicyForm
	Attrs    []Option
	EditOpen bool
	// AcceptErrors are the errors of a refused patch-day acceptance, for
	// the agent AcceptAgent ("" for the form of all agents).
	AcceptErrors map[string]string
	AcceptAgent  string
	// AcceptThrough is the newest open change id when the page was made:
	// "Accept all" accepts nothing newer, as the person has not seen it.
	AcceptThrough string
}

// FIMSeverityRule is one "pattern → severity" rule.
type FIMSeverityRule struct {
	Pattern, Severity string
}

// FIMAgentRow is one agent of a policy: its baseline, its last scan and
// the scan running now.
type FIMAgentRow struct {
	AgentID, AgentName string
	Objects, Bytes     uint64 // in the baseline, as of the last scan
	BaselineAt         time.Time
	LastScanAt         time.Time
	Open               FIMCounts
	// Errors are the last scan's errors (at most 100); ErrorCount how many
	// there were.
	Errors     []FIMScanError
	ErrorCount uint64
	// Scan is the scan running now; nil when none.
	Scan *FIMScanProgress
	// ScanPending: a scan should start within seconds, as the agent is
	// online and either has no baseline yet or was asked to scan (Scan
	// now, or an edit of the paths) after its last scan started.
	// ScanRecent: a scan reported within the last few seconds. Either
	// makes the card refresh as often as during a scan, so a short scan is
	// seen rather than missed between two slow refreshes.
	ScanPending, ScanRecent bool
	// Notices are what a person should look at besides the changes: the
	// agent's state was reset and compared, scans are late or a policy
	// path cannot be read, changes went unrecorded or were refused.
	Notices []string
}

// FIMScanError is a path a scan could not record.
type FIMScanError struct {
	Path, Error string
}

// FIMScanProgress is where a running scan is.
type FIMScanProgress struct {
	Objects, Bytes, Errors uint64
	// ObjectsPerSec and BytesPerSec are the scan's rate; 0 when not known.
	ObjectsPerSec, BytesPerSec float64
	// Expected is the previous scan's object count: the bar's end. 0 when
	// there was none (a baseline): the bar is indeterminate.
	Expected  uint64
	StartedAt time.Time
}

// FIMChangesProps fill the change list: the filters, one page of changes
// and, for editors, the acceptance form around them.
type FIMChangesProps struct {
	Page
	CanEdit  bool
	Filter   FIMChangeFilter
	Policies []Option // for the policy filter
	Agents   []Option // for the agent filter
	Changes  []FIMChangeRow
	// Older is the change id the next page starts below; "" at the end.
	// Paged is true when this page does not start at the newest.
	Older string
	Paged bool
	// Note and Selected are a refused acceptance as typed; AcceptErrors
	// its errors ("note", "ids", "").
	Note         string
	Selected     []string
	AcceptErrors map[string]string
}

// FIMChangeFilter is the change list's filter as chosen.
type FIMChangeFilter struct {
	Policy, Agent, Severity, Kind string
	State                         string // "open" (the default), "accepted" or "all"
	Path                          string // contained in the path
}

// FIMChangeRow is one change.
type FIMChangeRow struct {
	ID                   string
	PolicyID, PolicyName string
	AgentID, AgentName   string
	Path                 string
	Kind                 string   // "added", "removed", "modified"
	Attrs                []string // the attributes that changed
	Severity             string   // "low", "medium", "high", "critical"
	Before, After        *FIMObject
	DetectedAt           time.Time
	AcceptedAt           time.Time // zero: open
	AcceptedBy, Note     string
}

// FIMObject is a file system object as a scan recorded it.
type FIMObject struct {
	Type   string // "file", "dir", "symlink", "other"
	SHA256 string
	Size   int64
	Mode   uint32 // permission bits with setuid, setgid and sticky
	UID    uint32
	GID    uint32
	MTime  time.Time
	Inode  uint64
	Target string
}
