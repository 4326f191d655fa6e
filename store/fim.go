package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// File integrity (FIM) records: policies a person edits, and per policy
// and agent a mirror of the agent's records, the scan state and the change
// records the agent's reports produce. The mirror lets a restart of the
// agent or the server absorb nothing: a report is compared with what the
// server already holds.

// FIM severities, lowest first.
const (
	FIMLow      = "low"
	FIMMedium   = "medium"
	FIMHigh     = "high"
	FIMCritical = "critical"
)

// FIMSeverities are the levels, lowest first.
var FIMSeverities = []string{FIMLow, FIMMedium, FIMHigh, FIMCritical}

// FIMPolicy says what a set of agents watches: which paths, which
// attributes, how often, and how severe a change under each path is.
type FIMPolicy struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Agents are selectors: an agent id, an agent name, "label:KEY=VALUE"
	// or "label:KEY".
	Agents     []string      `json:"agents"`
	Paths      []string      `json:"paths"`
	Exclude    []string      `json:"exclude"`
	Attributes []string      `json:"attributes"` // empty: all of fim.AllAttrs
	Interval   time.Duration `json:"interval"`
	// Severity rules are tried in order; the first whose pattern matches
	// a path gives its severity (default medium).
	Severity        []FIMSeverityRule `json:"severity"`
	FullRehashEvery int               `json:"full_rehash_every"`
	IOLimitMBps     int               `json:"io_limit_mbps"`
	// ScanRequest is raised by "scan now": an agent scans when it exceeds
	// the last request it acted on.
	ScanRequest uint64 `json:"scan_request"`
	// ScanRequestedAt is when "scan now" last raised ScanRequest. It is
	// not a change of the policy: UpdatedAt stays.
	ScanRequestedAt time.Time `json:"scan_requested_at,omitzero"`
	// Revision is a hash of paths, exclude and attributes, set by the
	// store: a new revision makes the next scan on each agent a baseline.
	Revision  string    `json:"revision"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FIMSeverityRule gives paths matching Pattern (a glob on the full path:
// "*" does not cross "/", a trailing "/**" matches everything below) a
// severity.
type FIMSeverityRule struct {
	Pattern  string `json:"pattern"`
	Severity string `json:"severity"`
}

// FIMAgentState is where one policy stands on one agent.
type FIMAgentState struct {
	PolicyID string `json:"policy_id"`
	AgentID  string `json:"agent_id"`
	// Objects and Bytes are the mirror's size: objects held, bytes of
	// the regular files among them.
	Objects uint64 `json:"objects"`
	Bytes   uint64 `json:"bytes"`
	// Epoch, LastScan and LastSeq are the last report committed. Scans
	// are numbered within an epoch (the agent's local state): a report of
	// the same epoch not past them is a resend or a stale request.
	Epoch         string    `json:"epoch"`
	LastScan      uint64    `json:"last_scan"`
	LastSeq       uint32    `json:"last_seq"`
	ScanStartedAt time.Time `json:"scan_started_at"`
	LastScanAt    time.Time `json:"last_scan_at"` // the last scan that finished
	BaselineAt    time.Time `json:"baseline_at"`  // the last baseline that finished
	// BaselineRevision is the policy revision of the last baseline that
	// finished, "" while none did (or a baseline of a new revision is
	// being taken): a baseline of this revision again means the agent
	// lost its state, and is compared with the mirror, not taken.
	BaselineRevision string `json:"baseline_revision"`
	// BaselineScan is the scan number of a baseline under way (0 none);
	// Comparing says it is compared with the mirror.
	BaselineScan uint64 `json:"baseline_scan,omitempty"`
	Comparing    bool   `json:"comparing,omitempty"`
	// ResetAt is when the agent last sent a baseline of a revision the
	// server already held, and Reset says so to people.
	ResetAt time.Time `json:"reset_at"`
	Reset   string    `json:"reset,omitempty"`
	// Errors are the last scan's, at most 100; ErrorCount counts them all.
	// RootErrors are those on a policy path itself (missing, unreadable).
	Errors      []fim.ScanError `json:"errors"`
	ErrorCount  uint64          `json:"error_count"`
	RootErrors  []fim.ScanError `json:"root_errors,omitempty"`
	OpenChanges int             `json:"open_changes"`
	// Unrecorded counts changes found while maxFIMOpenChanges were open:
	// the mirror holds them but no record was made. Accepting every open
	// change resets it.
	Unrecorded uint64 `json:"unrecorded"`
	// Refused counts changes of paths the policy does not cover (outside
	// its paths, or excluded): ignored, and listed among Errors.
	Refused uint64 `json:"refused"`
}

// FIMResetMessage is FIMAgentState.Reset after a compared baseline.
const FIMResetMessage = "the agent's file-integrity state was reset (lost, deleted, or the policy taken off this agent and given back): its new baseline was compared with the server's copy"

// FIMChange is one change an agent reported, open until a person accepts
// it.
type FIMChange struct {
	ID         string      `json:"id"`
	PolicyID   string      `json:"policy_id"`
	AgentID    string      `json:"agent_id"`
	Path       string      `json:"path"`
	Change     string      `json:"change"` // fim.Added, fim.Removed or fim.Modified
	Severity   string      `json:"severity"`
	Attrs      []string    `json:"attrs,omitempty"`
	Before     *fim.Object `json:"before,omitempty"`
	After      *fim.Object `json:"after,omitempty"`
	DetectedAt time.Time   `json:"detected_at"`
	AcceptedAt time.Time   `json:"accepted_at"` // zero: open
	AcceptedBy string      `json:"accepted_by,omitempty"`
	Note       string      `json:"note,omitempty"`
}

// Open reports whether nobody accepted the change yet.
func (c FIMChange) Open() bool { return c.AcceptedAt.IsZero() }

// FIMChangeQuery selects change records, newest first. Empty fields do
// not filter.
type FIMChangeQuery struct {
	PolicyID, AgentID, Severity, Change, PathContains string
	Open                                              *bool
	Before                                            string // a change id: only older ones, for paging
	Limit                                             int    // 0: all
}

// FIMApplied is what applying one report did.
type FIMApplied struct {
	// Duplicate: this (scan, seq) was committed before; nothing changed
	// and the report is acknowledged again.
	Duplicate bool
	// Changes are the change records the report created.
	Changes []FIMChange
	// Reset: the report began a baseline of a revision the server holds
	// a completed baseline of, so the agent lost its state; it is
	// compared with the mirror.
	Reset bool
	// State is the policy's state on the agent after the report.
	State FIMAgentState
}

var (
	bucketFIMPolicies = []byte("fim_policies")
	// bucketFIMStates holds a FIMAgentState per fimPairKey.
	bucketFIMStates = []byte("fim_states")
	// bucketFIMMirror holds a bucket per fimPairKey: path → fimObject
	// encoding of what the agent holds.
	bucketFIMMirror = []byte("fim_mirror")
	// bucketFIMChanges holds change records by id.
	bucketFIMChanges = []byte("fim_changes")
	// bucketFIMOpen indexes open changes: fimOpenKey → severity.
	bucketFIMOpen = []byte("fim_open")
	// bucketFIMOpenPolicy indexes them by policy: fimOpenPolicyKey →
	// agent id, 0, severity; so a policy's open changes are one range in
	// change order.
	bucketFIMOpenPolicy = []byte("fim_open_policy")
	// bucketFIMSeen holds a bucket per fimPairKey while a baseline is
	// compared with the mirror: the paths it sent, so its end knows which
	// of the mirror's objects it did not find.
	bucketFIMSeen = []byte("fim_seen")
)

func init() {
	topBuckets = append(topBuckets, bucketFIMPolicies, bucketFIMStates, bucketFIMMirror, bucketFIMChanges, bucketFIMOpen,
		bucketFIMOpenPolicy, bucketFIMSeen)
}

// ErrFIMRevision is returned by ApplyFIMReport for a report made under
// another revision of the policy than the stored one: the agent scanned
// paths the policy no longer has, and must start over.
var ErrFIMRevision = errors.New("the report is of an earlier revision of the policy")

// fimPairKey is the key of a (policy, agent) pair: ids never hold a 0 byte.
func fimPairKey(policyID, agentID string) []byte {
	return []byte(policyID + "\x00" + agentID)
}

// fimOpenKey is the open index key: agent, policy, then the change's key,
// so one agent's open changes are one range.
func fimOpenKey(agentID, policyID string, changeKey []byte) []byte {
	k := make([]byte, 0, len(agentID)+len(policyID)+2+len(changeKey))
	k = append(k, agentID...)
	k = append(k, 0)
	k = append(k, policyID...)
	k = append(k, 0)
	return append(k, changeKey...)
}

// splitFIMOpenKey returns the agent, policy and change key of an open
// index key; ok is false for a malformed one.
func splitFIMOpenKey(k []byte) (agentID, policyID string, changeKey []byte, ok bool) {
	if len(k) < 10 {
		return "", "", nil, false
	}
	changeKey, rest := k[len(k)-8:], k[:len(k)-9]
	if k[len(k)-9] != 0 {
		return "", "", nil, false
	}
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return "", "", nil, false
	}
	return string(rest[:i]), string(rest[i+1:]), changeKey, true
}

// FIMRevision is the revision of what a policy scans: a hash of its
// paths, exclude globs and attributes. Each list is sorted and deduped
// first, so reordering does not make a new baseline, and no attributes
// (all of them) hash as the token "*all*", so a new attribute added to
// fim.AllAttrs does not either. Anything else (interval, severity, I/O
// limit) can change without a new baseline.
func FIMRevision(p FIMPolicy) string {
	attrs := []string{"*all*"}
	if len(p.Attributes) > 0 {
		attrs = p.Attributes
	}
	h := sha256.New()
	for _, list := range [][]string{p.Paths, p.Exclude, attrs} {
		for _, s := range slices.Compact(slices.Sorted(slices.Values(list))) {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// fimOpenPolicyKey is the policy index key of an open change.
func fimOpenPolicyKey(policyID string, changeKey []byte) []byte {
	k := make([]byte, 0, len(policyID)+1+len(changeKey))
	k = append(k, policyID...)
	k = append(k, 0)
	return append(k, changeKey...)
}

// fimPolicyAudit is a policy as the audit log keeps it: every field, with
// the interval written as the API writes it ("1h"), not as the nanoseconds
// the stored policy holds. In JSON the outer Interval hides the embedded
// one.
type fimPolicyAudit struct {
	FIMPolicy
	Interval wire.Duration `json:"interval"`
}

// auditedFIMPolicy is p as the audit log keeps it.
func auditedFIMPolicy(p FIMPolicy) fimPolicyAudit {
	return fimPolicyAudit{FIMPolicy: p, Interval: wire.Duration(p.Interval)}
}
