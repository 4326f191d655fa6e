package gateway

import (
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// FIMSilentAfter is how long a scan may send nothing before it is no
// longer shown as scanning: agents send a report at least every few
// seconds while they scan, so a silent one has stopped (the agent
// restarted, lost the server, or went away).
const FIMSilentAfter = 2 * time.Minute

// FIMProgress is where a file-integrity scan stands, as its latest report
// said, in memory only: after a restart of the server it is known again
// from the next report.
type FIMProgress struct {
	Scan     uint64 `json:"scan"`
	Baseline bool   `json:"baseline"`
	// Scanning: the scan has not sent its last report, and sent one
	// within FIMSilentAfter.
	Scanning bool   `json:"scanning"`
	Objects  uint64 `json:"objects"` // recorded so far
	Bytes    uint64 `json:"bytes"`   // hashed so far
	Errors   uint64 `json:"errors"`
	// BytesPerSecond and ObjectsPerSecond are the rates since the server
	// saw the scan's first report.
	BytesPerSecond   float64   `json:"bytes_per_second"`
	ObjectsPerSecond float64   `json:"objects_per_second"`
	StartedAt        time.Time `json:"started_at"` // when the server saw the first report
	UpdatedAt        time.Time `json:"updated_at"` // when it saw the latest
}

type fimKey struct{ policy, agent string }

// fimScan is the progress of one scan and where its rates are measured
// from.
type fimScan struct {
	FIMProgress
	done                   bool
	fromObjects, fromBytes uint64
	fromAt                 time.Time
}

// noteFIMProgress records a committed report's progress.
func (g *Gateway) noteFIMProgress(agentID string, r *wire.FIMReport) {
	now := g.cfg.Now()
	g.fimMu.Lock()
	defer g.fimMu.Unlock()
	k := fimKey{r.PolicyID, agentID}
	sc := g.fimProgress[k]
	if sc == nil || sc.Scan != r.Scan {
		sc = &fimScan{fromAt: now, fromObjects: r.Progress.Objects, fromBytes: r.Progress.Bytes}
		sc.Scan, sc.StartedAt = r.Scan, now
		// The scan's first report counts from the scan's start, by the
		// agent's clock when it agrees roughly with ours.
		if since := now.Sub(r.Started); r.Seq == 1 && since > 0 && since < time.Hour {
			sc.fromObjects, sc.fromBytes, sc.fromAt = 0, 0, r.Started
		}
		g.fimProgress[k] = sc
	}
	sc.Baseline = r.Baseline
	sc.Objects, sc.Bytes, sc.Errors = r.Progress.Objects, r.Progress.Bytes, r.Progress.Errors
	sc.UpdatedAt = now
	sc.done = r.Done
	if secs := now.Sub(sc.fromAt).Seconds(); secs > 0 {
		sc.BytesPerSecond = float64(sc.Bytes-min(sc.Bytes, sc.fromBytes)) / secs
		sc.ObjectsPerSecond = float64(sc.Objects-min(sc.Objects, sc.fromObjects)) / secs
	}
}

// FIMProgress returns the latest scan of policyID on agentID that this
// server saw a report of; ok is false when it saw none.
func (g *Gateway) FIMProgress(policyID, agentID string) (p FIMProgress, ok bool) {
	now := g.cfg.Now()
	g.fimMu.Lock()
	defer g.fimMu.Unlock()
	sc := g.fimProgress[fimKey{policyID, agentID}]
	if sc == nil {
		return FIMProgress{}, false
	}
	p = sc.FIMProgress
	p.Scanning = !sc.done && now.Sub(sc.UpdatedAt) < FIMSilentAfter
	return p, true
}

// ForgetFIM drops the progress kept for policyID (deleted), on every
// agent, so memory follows what exists.
func (g *Gateway) ForgetFIM(policyID string) {
	g.fimMu.Lock()
	defer g.fimMu.Unlock()
	for k := range g.fimProgress {
		if k.policy == policyID {
			delete(g.fimProgress, k)
		}
	}
}
