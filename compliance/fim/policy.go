package fim

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Policy is what the agent was told to watch, as the scanner needs it.
type Policy struct {
	ID              string
	Revision        string   // a new revision makes the next scan a new baseline
	Paths           []string // absolute; overlapping paths are walked once
	Exclude         []string // globs on the full path, see MatchPath
	Attributes      []string // attributes to watch (AllAttrs when empty); "type" is always watched
	FullRehashEvery int      // every Nth scan re-hashes every file; 0 never
	IOLimit         int64    // bytes hashed per second; 0 unlimited
	Workers         int      // hashing workers; 0: GOMAXPROCS, at most 4
}

// Batch is one report of a scan: at most ScanOptions.MaxChanges changes,
// numbered per scan from 1.
type Batch struct {
	Scan     uint64
	Seq      uint32
	Baseline bool
	Started  time.Time
	Changes  []Change
	Errors   []ScanError // at most maxBatchErrors
	Progress Progress    // totals of the scan so far, including this batch
	Done     bool        // the scan's last batch
}

// Summary is what a finished (or stopped) scan did.
type Summary struct {
	Scan     uint64
	Baseline bool
	Objects  uint64 // objects recorded
	Bytes    uint64 // total size of the regular files recorded
	Hashed   uint64 // bytes read and hashed by this scan
	Errors   uint64
	Changes  uint64
	Started  time.Time
	Finished time.Time
}

// ScanOptions says how a scan reports.
type ScanOptions struct {
	MaxChanges int           // per batch, default 1000
	Every      time.Duration // a batch at least this often while scanning, default 2s
	// Send delivers a batch and returns nil only once the server committed
	// it; the local state moves only then. An error stops the scan.
	Send func(ctx context.Context, b Batch) error
}

// ErrPolicyGone is what Send returns (wrapped or not) when the server says
// the policy is no longer assigned to this agent; Scan stops with it.
var ErrPolicyGone = errors.New("fim: the policy is no longer assigned to this agent")

// ErrScanRunning is returned by Scan when the same policy is already being
// scanned through this State.
var ErrScanRunning = errors.New("fim: a scan of this policy is already running")

const (
	defaultMaxChanges = 1000
	defaultEvery      = 2 * time.Second
	maxBatchErrors    = 100 // the wire carries at most 100 errors per report
	maxWorkers        = 64
)

// plan is a policy checked and made ready to walk.
type plan struct {
	roots   []string        // cleaned, sorted by key, none below another
	exclude []string        // checked patterns
	watch   map[string]bool // watched attributes; "type" always
	hash    bool            // sha256 is watched, so files are read
	workers int
}

func (p Policy) plan() (plan, error) {
	var pl plan
	if p.ID == "" {
		return pl, errors.New("fim: policy has no id")
	}
	if len(p.Paths) == 0 {
		return pl, fmt.Errorf("fim: policy %s: no paths", p.ID)
	}
	for _, path := range p.Paths {
		if !filepath.IsAbs(path) {
			return pl, fmt.Errorf("fim: policy %s: path %q is not absolute", p.ID, path)
		}
		pl.roots = append(pl.roots, filepath.Clean(path))
	}
	pl.roots = disjointRoots(pl.roots)
	for _, pattern := range p.Exclude {
		if err := CheckPattern(pattern); err != nil {
			return pl, fmt.Errorf("fim: policy %s: exclude: %w", p.ID, err)
		}
	}
	pl.exclude = p.Exclude
	attrs := p.Attributes
	if len(attrs) == 0 {
		attrs = AllAttrs
	}
	pl.watch = map[string]bool{AttrType: true}
	for _, a := range attrs {
		if !slices.Contains(AllAttrs, a) {
			return pl, fmt.Errorf("fim: policy %s: unknown attribute %q (known: %s)", p.ID, a, strings.Join(AllAttrs, ", "))
		}
		pl.watch[a] = true
	}
	pl.hash = pl.watch[AttrSHA256]
	pl.workers = p.Workers
	if pl.workers <= 0 {
		pl.workers = min(runtime.GOMAXPROCS(0), 4)
	}
	pl.workers = min(pl.workers, maxWorkers)
	return pl, nil
}

// disjointRoots sorts roots like the walk and drops any root below (or
// equal to) another, so every path is walked once and in key order.
func disjointRoots(roots []string) []string {
	slices.SortFunc(roots, func(a, b string) int { return strings.Compare(pathKey(a), pathKey(b)) })
	var out []string
	for _, r := range roots {
		if n := len(out); n > 0 {
			last := pathKey(out[n-1])
			if k := pathKey(r); k == last || strings.HasPrefix(k, subtreePrefix(last)) {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// excluded reports whether path matches an exclusion.
func (pl plan) excluded(path string) bool {
	for _, pattern := range pl.exclude {
		if MatchPath(pattern, path) {
			return true
		}
	}
	return false
}

// skipBelow reports whether everything below dir is excluded, so the walk
// does not enter it.
func (pl plan) skipBelow(dir string) bool {
	for _, pattern := range pl.exclude {
		if coversSubtree(pattern, dir) {
			return true
		}
	}
	return false
}
