package wire

import (
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

// Caps on file-integrity messages.
const (
	// MaxFIMChangesPerReport caps the changes in one FIMReport. A scan's
	// batch holds at most this many; the agent splits one that would not
	// fit MaxFIMReportBody (long paths with characters JSON escapes).
	MaxFIMChangesPerReport = 1000
	// MaxFIMErrorsPerReport caps the scan errors in one FIMReport; the
	// scan counts the rest in Progress.Errors.
	MaxFIMErrorsPerReport = 100
	// MaxFIMPolicies caps the FIM policies in one Assignments.
	MaxFIMPolicies = 100
	// MaxFIMPaths caps the paths of one policy.
	MaxFIMPaths = 64
	// MaxFIMExclude caps the exclude globs of one policy.
	MaxFIMExclude = 256
	// MaxPathLen is the longest path, glob or symlink target, in bytes:
	// Linux's PATH_MAX.
	MaxPathLen = fim.MaxPathLen
	// MaxRevisionLen bounds a policy revision (a hash, hex or base64).
	MaxRevisionLen = 128
	// EpochLen is the length of a FIMReport's epoch: 16 random bytes in
	// lowercase hex.
	EpochLen = 32
	// MaxFullRehashEvery and MaxIOLimitMBps bound a policy's tuning.
	MaxFullRehashEvery = 1 << 20
	MaxIOLimitMBps     = 1 << 20
)

// Bounds on a FIM policy's interval.
const (
	MinFIMInterval = time.Minute
	MaxFIMInterval = 7 * 24 * time.Hour
)

// FIMPolicy is one file-integrity policy an agent scans, in
// Assignments.FIM. A changed Revision (a hash of paths, exclude and
// attributes) makes the agent's next scan of it a new baseline.
type FIMPolicy struct {
	ID         string   `json:"id"`
	Revision   string   `json:"revision"`
	Paths      []string `json:"paths"`
	Exclude    []string `json:"exclude,omitempty"`
	Attributes []string `json:"attributes,omitempty"` // empty: all of fim.AllAttrs
	Interval   Duration `json:"interval"`
	// ScanRequest is raised by "scan now"; the agent scans when it
	// exceeds the last one it acted on.
	ScanRequest     uint64 `json:"scan_request"`
	FullRehashEvery int    `json:"full_rehash_every,omitempty"` // every N scans re-hash all files; 0 never
	IOLimitMBps     int    `json:"io_limit_mbps,omitempty"`     // 0 unlimited
}

// FIMReport is the body of POST PathFIMReport: one part of one scan of a
// policy. Scans are numbered per policy and agent from 1, reports per
// scan from 1 (Seq). The agent resends a report with the same Scan and
// Seq until it gets the FIMAck for them, and moves its local state only
// then; the server must acknowledge a resend of a committed report
// without applying it again. A baseline sends every object as an added
// change; the server replaces its copy with it, or, when it already holds
// a completed baseline of the same revision (the agent lost its state),
// compares the two and records the differences as changes.
//
// Epoch names the agent's local state: a random id made with its fim.db.
// Scan numbers count within an epoch, so the server deduplicates by
// (epoch, scan, seq), and a new epoch tells it the agent starts over.
type FIMReport struct {
	PolicyID string          `json:"policy_id"`
	Revision string          `json:"revision"`
	Epoch    string          `json:"epoch"` // EpochLen lowercase hex digits
	Scan     uint64          `json:"scan"`
	Seq      uint32          `json:"seq"`
	Baseline bool            `json:"baseline"`
	Started  time.Time       `json:"started"`
	Changes  []fim.Change    `json:"changes,omitempty"`
	Errors   []fim.ScanError `json:"errors,omitempty"` // at most MaxFIMErrorsPerReport
	Progress fim.Progress    `json:"progress"`         // totals of the scan so far, including this report
	Done     bool            `json:"done"`             // the scan's last report
}

// FIMAck answers a FIMReport once the server committed it.
type FIMAck struct {
	PolicyID string `json:"policy_id"`
	Scan     uint64 `json:"scan"`
	Seq      uint32 `json:"seq"`
}

// Validate checks the policy's id, revision, paths, globs, attributes,
// interval and tuning.
func (p *FIMPolicy) Validate() error {
	if err := checkID("id", p.ID); err != nil {
		return err
	}
	if err := checkRevision("revision", p.Revision); err != nil {
		return err
	}
	if len(p.Paths) == 0 {
		return bad("paths", "must name at least one path")
	}
	if err := checkPathList("paths", p.Paths, MaxFIMPaths, checkAbsPath); err != nil {
		return err
	}
	if err := checkPathList("exclude", p.Exclude, MaxFIMExclude, checkGlob); err != nil {
		return err
	}
	if err := checkAttrs("attributes", p.Attributes); err != nil {
		return err
	}
	if err := checkDuration("interval", p.Interval, MinFIMInterval, MaxFIMInterval); err != nil {
		return err
	}
	if p.FullRehashEvery < 0 || p.FullRehashEvery > MaxFullRehashEvery {
		return bad("full_rehash_every", "must be between 0 (never) and %d scans, is %d", MaxFullRehashEvery, p.FullRehashEvery)
	}
	if p.IOLimitMBps < 0 || p.IOLimitMBps > MaxIOLimitMBps {
		return bad("io_limit_mbps", "must be between 0 (unlimited) and %d, is %d", MaxIOLimitMBps, p.IOLimitMBps)
	}
	return nil
}

// checkFIMPolicies checks every policy and that no id repeats.
func checkFIMPolicies(field string, ps []FIMPolicy) error {
	if len(ps) > MaxFIMPolicies {
		return bad(field, "must hold at most %d policies, holds %d", MaxFIMPolicies, len(ps))
	}
	seen := make(map[string]int, len(ps))
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			return within(index(field, i), err)
		}
		if j, dup := seen[ps[i].ID]; dup {
			return bad(index(field, i)+".id", "%q repeats %s", ps[i].ID, index(field, j))
		}
		seen[ps[i].ID] = i
	}
	return nil
}

// Validate checks the report's identity, counts, every change and error.
func (m *FIMReport) Validate() error {
	if err := checkID("policy_id", m.PolicyID); err != nil {
		return err
	}
	if err := checkRevision("revision", m.Revision); err != nil {
		return err
	}
	if err := checkEpoch("epoch", m.Epoch); err != nil {
		return err
	}
	if m.Scan == 0 {
		return bad("scan", "must be at least 1")
	}
	if m.Seq == 0 {
		return bad("seq", "must be at least 1")
	}
	if err := checkTime("started", m.Started, time.Time{}); err != nil {
		return err
	}
	if len(m.Changes) > MaxFIMChangesPerReport {
		return bad("changes", "must hold at most %d changes, holds %d", MaxFIMChangesPerReport, len(m.Changes))
	}
	for i := range m.Changes {
		if err := checkChange(&m.Changes[i], m.Baseline); err != nil {
			return within(index("changes", i), err)
		}
	}
	if len(m.Errors) > MaxFIMErrorsPerReport {
		return bad("errors", "must hold at most %d errors, holds %d", MaxFIMErrorsPerReport, len(m.Errors))
	}
	for i := range m.Errors {
		if err := checkScanError(&m.Errors[i]); err != nil {
			return within(index("errors", i), err)
		}
	}
	return m.checkProgress()
}

// checkProgress: the totals so far include this report's own errors, and
// a baseline's objects include every object it sent.
func (m *FIMReport) checkProgress() error {
	if n := uint64(len(m.Errors)); m.Progress.Errors < n {
		return bad("progress.errors", "must count at least the %d errors of this report, is %d", n, m.Progress.Errors)
	}
	if n := uint64(len(m.Changes)); m.Baseline && m.Progress.Objects < n {
		return bad("progress.objects", "must count at least the %d objects of this baseline report, is %d", n, m.Progress.Objects)
	}
	return nil
}

// Validate checks the policy id and the numbers.
func (m *FIMAck) Validate() error {
	if err := checkID("policy_id", m.PolicyID); err != nil {
		return err
	}
	if m.Scan == 0 {
		return bad("scan", "must be at least 1")
	}
	if m.Seq == 0 {
		return bad("seq", "must be at least 1")
	}
	return nil
}

// checkRevision accepts 1..MaxRevisionLen printable ASCII bytes.
func checkRevision(field, s string) error {
	return checkToken(field, s, MaxRevisionLen, isVisibleASCII, "printable ASCII without spaces")
}

// checkEpoch accepts exactly EpochLen lowercase hex digits.
func checkEpoch(field, s string) error {
	if len(s) != EpochLen {
		return bad(field, "must be %d lowercase hex digits (the agent's state id), is %d characters", EpochLen, len(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return bad(field, "must be lowercase hex digits, has %q at %d", c, i)
		}
	}
	return nil
}
