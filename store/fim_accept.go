package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxAuditedFIMChanges caps the changes one audit entry of an acceptance
// lists one by one; it counts them all.
const maxAuditedFIMChanges = 1000

// ErrFIMNoteRequired is returned when a change is accepted without a note.
var ErrFIMNoteRequired = errors.New("accepting changes needs a note that says why")

// AcceptFIMChanges closes the open changes among ids: each becomes part
// of the baseline (the mirror already holds its new state) with note, by
// and now. Changes accepted before are left as they are. An unknown id is
// ErrNotFound and accepts nothing. It returns the changes it closed and
// audits "fim_change.accept" once per policy and agent, listing them.
func (db *DB) AcceptFIMChanges(ids []string, note string, by Actor, now time.Time) ([]FIMChange, error) {
	if strings.TrimSpace(note) == "" {
		return nil, fmt.Errorf("store: accept file integrity changes: %w", ErrFIMNoteRequired)
	}
	var out []FIMChange
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out = nil
		acc := newFIMAccept(tx, note, by, now)
		for _, id := range ids {
			key, err := mustIDKey(id)
			if err != nil {
				return err
			}
			if err := acc.close(key); err != nil {
				return fmt.Errorf("change %s: %w", id, err)
			}
		}
		out = acc.closed
		return acc.finish()
	})
	if err != nil {
		return nil, fmt.Errorf("store: accept file integrity changes: %w", err)
	}
	return out, nil
}

// fimAccept closes changes inside one transaction and then writes the
// open counts and the audit entries.
type fimAccept struct {
	tx     *bolt.Tx
	note   string
	by     Actor
	now    time.Time
	closed []FIMChange
	pairs  map[[2]string][]FIMChange // (policy, agent) → closed there, in order
	order  [][2]string
}

func newFIMAccept(tx *bolt.Tx, note string, by Actor, now time.Time) *fimAccept {
	return &fimAccept{tx: tx, note: strings.TrimSpace(note), by: by, now: now.UTC(), pairs: map[[2]string][]FIMChange{}}
}

// close accepts the change under key when it is open.
func (a *fimAccept) close(key []byte) error {
	b := a.tx.Bucket(bucketFIMChanges)
	var c FIMChange
	if err := getJSON(b, key, &c); err != nil {
		return err
	}
	if !c.Open() {
		return nil
	}
	c.AcceptedAt, c.AcceptedBy, c.Note = a.now, a.by.Username, a.note
	if err := putJSON(b, key, c); err != nil {
		return err
	}
	if err := unindexOpenFIMChange(a.tx, c.PolicyID, c.AgentID, key); err != nil {
		return err
	}
	pair := [2]string{c.PolicyID, c.AgentID}
	if _, seen := a.pairs[pair]; !seen {
		a.order = append(a.order, pair)
	}
	a.pairs[pair] = append(a.pairs[pair], c)
	a.closed = append(a.closed, c)
	return nil
}

// finish lowers each pair's open count and audits each pair's acceptance.
func (a *fimAccept) finish() error {
	if err := a.lowerOpenCounts(); err != nil {
		return err
	}
	for _, pair := range a.order {
		var entry fimAcceptance
		entry.AgentID, entry.Note = pair[1], a.note
		entry.add(a.pairs[pair])
		if err := appendAuditTx(a.tx, a.by, "fim_change.accept", auditTarget("fim_policy", pair[0]), nil, entry); err != nil {
			return err
		}
	}
	return nil
}

// lowerOpenCounts lowers each pair's open count by what was closed there.
// A pair left with none open forgets its unrecorded changes too: the
// person accepted everything the mirror holds.
func (a *fimAccept) lowerOpenCounts() error {
	states := a.tx.Bucket(bucketFIMStates)
	for _, pair := range a.order {
		key := fimPairKey(pair[0], pair[1])
		var st FIMAgentState
		switch err := getJSON(states, key, &st); {
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return err
		}
		st.OpenChanges -= min(st.OpenChanges, len(a.pairs[pair]))
		if st.OpenChanges == 0 {
			st.Unrecorded = 0
		}
		if err := putJSON(states, key, st); err != nil {
			return err
		}
	}
	return nil
}

// fimAcceptance is what the audit log keeps of an acceptance.
type fimAcceptance struct {
	AgentID  string             `json:"agent_id"`
	Note     string             `json:"note"`
	Accepted int                `json:"accepted"`
	Changes  []fimAcceptedEntry `json:"changes"`
	More     int                `json:"more,omitempty"` // accepted but not listed
	// Through is a patch-day acceptance's bound: no newer change was
	// accepted. Partial says its last chunk has not committed (yet).
	Through string `json:"through,omitempty"`
	Partial bool   `json:"partial,omitempty"`
}

type fimAcceptedEntry struct {
	ID       string `json:"id"`
	Path     string `json:"path"`
	Change   string `json:"change"`
	Severity string `json:"severity"`
}

// add counts closed and lists them while fewer than
// maxAuditedFIMChanges are listed.
func (f *fimAcceptance) add(closed []FIMChange) {
	f.Accepted += len(closed)
	for _, c := range closed {
		if len(f.Changes) == maxAuditedFIMChanges {
			f.More++
			continue
		}
		f.Changes = append(f.Changes, fimAcceptedEntry{ID: c.ID, Path: c.Path, Change: c.Change, Severity: c.Severity})
	}
}
