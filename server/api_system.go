package server

import (
	"net/http"
	"time"

	"github.com/vigil-monitor/vigil/internal/version"
)

// handleAPISystem reports the server's own health: how far the scheduler
// lags, how much the ingest queue holds, how large the store is.
func (s *Server) handleAPISystem(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	sched := s.sched.Stats()
	ing := s.writer.Stats()
	fileBytes, err := s.db.Size()
	if err != nil {
		return err
	}
	series, err := s.db.SeriesStats()
	if err != nil {
		return err
	}
	perResult := 0.0
	if series.Results > 0 {
		perResult = float64(series.Bytes) / float64(series.Results)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	writeJSON(w, http.StatusOK, map[string]any{
		"version":  version.Version,
		"uptime_s": int64(time.Since(s.started).Seconds()),
		"monitors": s.monitors.len(),
		"scheduler": map[string]any{
			"jobs": sched.Jobs, "running": sched.Running, "executed": sched.Executed, "skipped": sched.Skipped,
			"lag_p50_ms": ms(sched.LagP50), "lag_p99_ms": ms(sched.LagP99), "lag_max_ms": ms(sched.LagMax),
		},
		"ingest": map[string]any{"queued": ing.Queued, "committed": ing.Committed, "batches": ing.Batches},
		"store": map[string]any{
			"file_bytes": fileBytes, "results": series.Results, "chunks": series.Chunks,
			"encoded_bytes": series.Bytes, "bytes_per_result": perResult,
		},
	})
	return nil
}
