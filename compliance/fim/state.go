package fim

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket layout: policies/<policy id>/{meta (key), records (bucket)},
// state/epoch, and forgotten/<policy id> (the last scan number of a policy
// Forget dropped). Records are keyed by pathKey, so a cursor yields them
// in walk order.
var (
	bucketPolicies  = []byte("policies")
	bucketRecords   = []byte("records")
	keyMeta         = []byte("meta")
	bucketState     = []byte("state")
	keyEpoch        = []byte("epoch")
	bucketForgotten = []byte("forgotten")
)

// deleteChunk is how many records one transaction removes: clearing a
// million records happens in many small commits, never one huge one.
const deleteChunk = 10_000

// State is the agent's local file-integrity state: per policy, one record
// per path and the scan bookkeeping. It is safe for concurrent use; scans
// of different policies may run at once.
type State struct {
	db *bolt.DB

	epoch string

	mu      sync.Mutex
	running map[string]bool

	open       opener
	stallLimit time.Duration // 0: defaultStallLimit; tests shorten it
}

// policyMeta is a policy's bookkeeping beside its records.
type policyMeta struct {
	Baselined        bool      `json:"baselined"`                   // a baseline completed, for BaselineRevision
	BaselineRevision string    `json:"baseline_revision,omitempty"` // revision whose baseline completed
	LastScan         uint64    `json:"last_scan"`                   // number of the last scan started
	LastScanAt       time.Time `json:"last_scan_at"`                // when the last completed scan finished
	CompletedScan    uint64    `json:"completed_scan,omitempty"`    // number of the last scan that completed
	ScanRequest      uint64    `json:"scan_request"`                // last "scan now" request acted on
}

// OpenState opens (or creates, mode 0600) the state file at path.
func OpenState(path string) (*State, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("fim: open state %s: %w", path, err)
	}
	var epoch string
	if err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketPolicies); err != nil {
			return err
		}
		var err error
		epoch, err = ensureEpoch(tx)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("fim: open state %s: %w", path, err)
	}
	s := &State{db: db, epoch: epoch, running: map[string]bool{}, open: osOpener}
	return s, nil
}

// Epoch is the state file's random identity (32 lowercase hex digits),
// created with the file and sent in every report: scan and report numbers
// count within one epoch, so the server tells a resend of a report it
// holds from the first reports of a state file that was deleted and
// created anew (whose numbering starts at 1 again).
func (s *State) Epoch() string { return s.epoch }

// ensureEpoch reads the state file's epoch, creating it the first time
// (a file created before epochs existed gets one now: it never sent one).
func ensureEpoch(tx *bolt.Tx) (string, error) {
	b, err := tx.CreateBucketIfNotExists(bucketState)
	if err != nil {
		return "", err
	}
	if v := b.Get(keyEpoch); isEpoch(v) {
		return string(v), nil
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("create epoch: %w", err)
	}
	epoch := hex.EncodeToString(id[:])
	return epoch, b.Put(keyEpoch, []byte(epoch))
}

// isEpoch reports whether v is 32 lowercase hex digits.
func isEpoch(v []byte) bool {
	if len(v) != 32 {
		return false
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// releaseMapping drops the state file's pages from this process's
// resident memory (see releaseMapping in release_linux.go).
func (s *State) releaseMapping() {
	_ = s.db.View(func(tx *bolt.Tx) error {
		releaseMapping(tx)
		return nil
	})
}

// Close closes the state file; scans must have returned.
func (s *State) Close() error { return s.db.Close() }

// Policies lists the ids of the policies the state holds.
func (s *State) Policies() ([]string, error) {
	var ids []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPolicies).ForEachBucket(func(k []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("fim: list policies: %w", err)
	}
	return ids, nil
}

// LastScanRequest is the last "scan now" request acted on for the policy.
func (s *State) LastScanRequest(policyID string) (uint64, error) {
	m, err := s.meta(policyID)
	return m.ScanRequest, err
}

// SetScanRequest records that the policy's "scan now" request n was acted on.
func (s *State) SetScanRequest(policyID string, n uint64) error {
	return s.updateMeta(policyID, func(m *policyMeta) { m.ScanRequest = n })
}

// Baselined reports whether a baseline of the policy at revision
// completed: when not (never scanned, the revision changed, or the
// baseline was interrupted), the next scan is a baseline and is due at
// once rather than at the interval.
func (s *State) Baselined(policyID, revision string) (bool, error) {
	m, err := s.meta(policyID)
	return m.Baselined && m.BaselineRevision == revision, err
}

// Interrupted reports whether the policy's last scan started and did not
// complete (the agent was stopped or killed, or the scan failed): the
// changes it was to report are still unreported, so it is due again at
// once rather than an interval later.
func (s *State) Interrupted(policyID string) (bool, error) {
	m, err := s.meta(policyID)
	return m.LastScan > m.CompletedScan, err
}

// LastScanAt is when the policy's last completed scan finished, zero if
// none has.
func (s *State) LastScanAt(policyID string) (time.Time, error) {
	m, err := s.meta(policyID)
	return m.LastScanAt, err
}

// Forget drops everything the state holds for the policy (it was
// unassigned), in small transactions. It returns ErrScanRunning while the
// policy is being scanned: stop that scan first.
func (s *State) Forget(policyID string) error {
	if err := s.claim(policyID); err != nil {
		return err
	}
	defer s.release(policyID)
	if err := s.clearRecords(policyID); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPolicies).Bucket([]byte(policyID))
		if b == nil {
			return nil
		}
		var m policyMeta
		if err := readMeta(b, &m); err != nil {
			return err
		}
		// The scan number lives on: reports count within the state file's
		// epoch, and the server drops a (scan, seq) it already holds, so
		// numbering from 1 again if the policy comes back would have its
		// reports acknowledged as resends, their changes lost.
		if m.LastScan > 0 {
			t, err := tx.CreateBucketIfNotExists(bucketForgotten)
			if err != nil {
				return err
			}
			if err := t.Put([]byte(policyID), binary.AppendUvarint(nil, m.LastScan)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketPolicies).DeleteBucket([]byte(policyID))
	})
	if err != nil {
		return fmt.Errorf("fim: forget policy %s: %w", policyID, err)
	}
	return nil
}

func (s *State) meta(policyID string) (policyMeta, error) {
	var m policyMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPolicies).Bucket([]byte(policyID))
		if b == nil {
			return nil
		}
		return readMeta(b, &m)
	})
	if err != nil {
		return m, fmt.Errorf("fim: read state of policy %s: %w", policyID, err)
	}
	return m, nil
}

func (s *State) updateMeta(policyID string, f func(*policyMeta)) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := policyBucket(tx, policyID)
		if err != nil {
			return err
		}
		return writeMeta(b, func(m *policyMeta) {
			if m.LastScan == 0 {
				m.LastScan = forgottenScan(tx, policyID)
			}
			f(m)
		})
	})
	if err != nil {
		return fmt.Errorf("fim: write state of policy %s: %w", policyID, err)
	}
	return nil
}

// forgottenScan is the number of the last scan of a policy Forget dropped,
// or 0.
func forgottenScan(tx *bolt.Tx, policyID string) uint64 {
	t := tx.Bucket(bucketForgotten)
	if t == nil {
		return 0
	}
	n, k := binary.Uvarint(t.Get([]byte(policyID)))
	if k <= 0 {
		return 0
	}
	return n
}

func policyBucket(tx *bolt.Tx, policyID string) (*bolt.Bucket, error) {
	b, err := tx.Bucket(bucketPolicies).CreateBucketIfNotExists([]byte(policyID))
	if err != nil {
		return nil, err
	}
	if _, err := b.CreateBucketIfNotExists(bucketRecords); err != nil {
		return nil, err
	}
	return b, nil
}

func readMeta(b *bolt.Bucket, m *policyMeta) error {
	if v := b.Get(keyMeta); v != nil {
		if err := json.Unmarshal(v, m); err != nil {
			return fmt.Errorf("decode meta: %w", err)
		}
	}
	return nil
}

func writeMeta(b *bolt.Bucket, f func(*policyMeta)) error {
	var m policyMeta
	if err := readMeta(b, &m); err != nil {
		return err
	}
	f(&m)
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return b.Put(keyMeta, v)
}

// clearRecords deletes the policy's records deleteChunk at a time.
func (s *State) clearRecords(policyID string) error {
	for {
		n := 0
		err := s.db.Update(func(tx *bolt.Tx) error {
			p := tx.Bucket(bucketPolicies).Bucket([]byte(policyID))
			if p == nil || p.Bucket(bucketRecords) == nil {
				return nil
			}
			b := p.Bucket(bucketRecords)
			var keys [][]byte
			c := b.Cursor()
			for k, _ := c.First(); k != nil && len(keys) < deleteChunk; k, _ = c.Next() {
				keys = append(keys, append([]byte(nil), k...))
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil {
			return fmt.Errorf("fim: clear records of policy %s: %w", policyID, err)
		}
		if n < deleteChunk {
			return nil
		}
	}
}

// claim marks the policy as being scanned; release undoes it.
func (s *State) claim(policyID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[policyID] {
		return ErrScanRunning
	}
	s.running[policyID] = true
	return nil
}

func (s *State) release(policyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, policyID)
}
