package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// fimAcceptChunk is how many changes a patch-day acceptance closes per
// transaction: a policy may have a hundred thousand open on each agent,
// and one transaction holding them all would hold the database and its
// memory. A variable so tests can lower it.
var fimAcceptChunk = 5000

// fimAcceptHooks let tests step in around the chunks of a patch-day
// acceptance: report a change between two chunks, or fail one.
var fimAcceptHooks struct {
	beforeChunk func(chunk int)                    // outside any transaction
	inChunk     func(tx *bolt.Tx, chunk int) error // inside, before the commit
}

// FIMAcceptAll is a patch-day acceptance: every open change of PolicyID,
// on AgentID or on all its agents for "", up to Through.
type FIMAcceptAll struct {
	PolicyID, AgentID string
	// Through is the newest change id the person saw (the policy's page
	// sends it): a change reported after they looked stays open, since
	// an unexpected change arriving on patch day is what the flow must
	// not hide. "" is the newest change when the acceptance starts; a
	// later id is lowered to that too.
	Through string
	Note    string
}

// FIMAcceptedAll is what a patch-day acceptance did.
type FIMAcceptedAll struct {
	Accepted int
	// Through is the bound applied: the newest change id accepted could
	// have ("" when no change was ever reported).
	Through string
	// Newer counts the open changes left because they came after Through.
	Newer int
}

// AcceptFIMPolicyChanges accepts every open change of policyID on agentID
// ("" all) that exists when it starts; see AcceptFIMPolicyChangesThrough.
func (db *DB) AcceptFIMPolicyChanges(policyID, agentID, note string, by Actor, now time.Time) (int, error) {
	res, err := db.AcceptFIMPolicyChangesThrough(FIMAcceptAll{PolicyID: policyID, AgentID: agentID, Note: note}, by, now)
	return res.Accepted, err
}

// AcceptFIMPolicyChangesThrough is the "patch day" flow after a planned
// update: it closes the open changes a selects, newest first, in
// transactions of fimAcceptChunk. Each chunk's transaction also writes
// the acceptance's one audit entry "fim_change.accept" (the first creates
// it, the next ones bring it up to date), so the entry always counts
// exactly what is closed, even when a later chunk fails or the server
// stops; it says "partial" until the last chunk commits. It returns how
// many it closed, also with an error.
func (db *DB) AcceptFIMPolicyChangesThrough(a FIMAcceptAll, by Actor, now time.Time) (FIMAcceptedAll, error) {
	res := FIMAcceptedAll{}
	fail := func(err error) (FIMAcceptedAll, error) {
		return res, fmt.Errorf("store: accept file integrity changes of policy %s: %w", a.PolicyID, err)
	}
	if strings.TrimSpace(a.Note) == "" {
		return fail(ErrFIMNoteRequired)
	}
	bound, err := db.fimAcceptBound(a.Through)
	if err != nil {
		return fail(err)
	}
	if bound > 0 { // 0: no change was ever reported
		res.Through = strconv.FormatUint(bound, 10)
	}
	run := &fimAcceptRun{db: db, a: a, by: by, now: now, below: seqKey(bound + 1),
		sum: fimAcceptance{AgentID: a.AgentID, Note: strings.TrimSpace(a.Note), Through: res.Through}}
	for chunk := 1; ; chunk++ {
		if fimAcceptHooks.beforeChunk != nil {
			fimAcceptHooks.beforeChunk(chunk)
		}
		last, err := run.chunk(chunk)
		res.Accepted, res.Newer = run.sum.Accepted, run.newer
		if err != nil {
			return fail(err)
		}
		if last {
			return res, nil
		}
	}
}

// fimAcceptBound is the newest change id a patch-day acceptance may close:
// through, but never past the newest change committed now, so nothing
// reported after the acceptance starts is closed by it.
func (db *DB) fimAcceptBound(through string) (uint64, error) {
	var newest uint64
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		newest = tx.Bucket(bucketFIMChanges).Sequence()
		return nil
	}); err != nil {
		return 0, err
	}
	if through == "" {
		return newest, nil
	}
	k, err := mustIDKey(through)
	if err != nil {
		return 0, fmt.Errorf("through: %w", err)
	}
	return min(binary.BigEndian.Uint64(k), newest), nil
}

// fimAcceptRun is one patch-day acceptance between its chunks.
type fimAcceptRun struct {
	db    *DB
	a     FIMAcceptAll
	by    Actor
	now   time.Time
	below []byte        // the key just past the bound
	sum   fimAcceptance // what committed chunks closed: the audit entry
	audit []byte        // the audit entry's key, once the first chunk committed it
	newer int
}

// chunk closes up to fimAcceptChunk changes in one transaction, with the
// audit entry brought up to date, and reports whether none are left.
func (r *fimAcceptRun) chunk(n int) (last bool, err error) {
	err = r.db.bolt.Update(func(tx *bolt.Tx) error {
		key, err := mustIDKey(r.a.PolicyID)
		if err != nil {
			return err
		}
		if tx.Bucket(bucketFIMPolicies).Get(key) == nil {
			return ErrNotFound
		}
		var keys [][]byte
		if err := walkOpenFIMChanges(tx, r.a.AgentID, r.a.PolicyID, r.below, func(k []byte) (bool, error) {
			keys = append(keys, k)
			return len(keys) > fimAcceptChunk, nil
		}); err != nil {
			return err
		}
		last = len(keys) <= fimAcceptChunk
		keys = keys[:min(len(keys), fimAcceptChunk)]
		acc := newFIMAccept(tx, r.a.Note, r.by, r.now)
		for _, k := range keys {
			if err := acc.close(k); err != nil {
				return fmt.Errorf("change %s: %w", keyID(k), err)
			}
		}
		if err := acc.lowerOpenCounts(); err != nil {
			return err
		}
		sum := r.sum
		sum.Changes = slices.Clone(sum.Changes) // r.sum stays as committed should this roll back
		sum.add(acc.closed)
		sum.Partial = !last
		auditKey := r.audit
		if sum.Accepted > 0 {
			if auditKey, err = putFIMAcceptAudit(tx, r.audit, r.by, r.a.PolicyID, sum); err != nil {
				return err
			}
		}
		newer := 0
		if last {
			if newer, err = countOpenFIMChangesFrom(tx, r.a.AgentID, r.a.PolicyID, r.below); err != nil {
				return err
			}
		}
		if fimAcceptHooks.inChunk != nil {
			if err := fimAcceptHooks.inChunk(tx, n); err != nil {
				return err
			}
		}
		r.sum, r.audit, r.newer = sum, auditKey, newer // only once the chunk commits
		return nil
	})
	return last, err
}

// putFIMAcceptAudit writes a patch-day acceptance's audit entry: a new
// one when key is nil, else the entry under key with sum as its after.
// It returns the entry's key.
func putFIMAcceptAudit(tx *bolt.Tx, key []byte, by Actor, policyID string, sum fimAcceptance) ([]byte, error) {
	audit := tx.Bucket(bucketAudit)
	if key == nil {
		if err := appendAuditTx(tx, by, "fim_change.accept", auditTarget("fim_policy", policyID), nil, sum); err != nil {
			return nil, err
		}
		// appendAuditTx took the bucket's next sequence number in this
		// transaction, which no other writer can share.
		return seqKey(audit.Sequence()), nil
	}
	var e AuditEntry
	if err := getJSON(audit, key, &e); err != nil {
		return nil, fmt.Errorf("audit entry %s: %w", keyID(key), err)
	}
	after, err := auditJSON(sum)
	if err != nil {
		return nil, fmt.Errorf("audit fim_change.accept: %w", err)
	}
	e.After = after
	if err := putJSON(audit, key, e); err != nil {
		return nil, fmt.Errorf("audit fim_change.accept: %w", err)
	}
	return key, nil
}

// countOpenFIMChangesFrom counts the open changes of policyID on agentID
// ("" all) at or past the key from.
func countOpenFIMChangesFrom(tx *bolt.Tx, agentID, policyID string, from []byte) (int, error) {
	n := 0
	err := walkOpenFIMChanges(tx, agentID, policyID, nil, func(k []byte) (bool, error) {
		if bytes.Compare(k, from) < 0 {
			return true, nil
		}
		n++
		return false, nil
	})
	return n, err
}
