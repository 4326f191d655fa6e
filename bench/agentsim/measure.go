package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"
)

// measurement is what the window after the warm-up showed.
type measurement struct {
	elapsed      time.Duration
	serverCPU    float64 // seconds
	simCPU       float64 // seconds, this process
	hwmKB        int64   // the server's VmHWM at the end: of the window when windowPeak, else of its whole life
	windowPeak   bool    // VmHWM was reset when the window began (needs write access to /proc/PID/clear_refs)
	rssKB        []int64 // the server's VmRSS samples
	anonKB       []int64 // RssAnon samples
	fileKB       []int64 // RssFile samples
	dbKB         []int64 // samples of the resident pages of the bbolt file's mapping
	dbBytes      int64   // the bbolt file's size at the end
	accepted     int64   // results acknowledged as stored in the window
	ingest       ingestStats
	window       snapshot
	errorsBefore int // errors counted before the window
}

// measure samples the server and the simulator for cfg.duration.
func measure(ctx context.Context, cfg config, srv *server, api *apiClient, st *stats, log *slog.Logger) (measurement, error) {
	var m measurement
	pid, self := srv.pid(), os.Getpid()
	errs, _ := st.errorCounts()
	for _, n := range errs {
		m.errorsBefore += n
	}
	ing0, err := api.ingest(ctx)
	if err != nil {
		return m, err
	}
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return m, err
	}
	sim0, err := cpuSeconds(self)
	if err != nil {
		return m, err
	}
	acc0 := st.accepted.Load()
	// Writing 5 to clear_refs resets VmHWM, so the peak reported is the
	// window's and not that of joining agents and creating monitors.
	m.windowPeak = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
	t0 := time.Now()
	st.measuring.Store(true)
	tick := time.NewTicker(cfg.sample)
	defer tick.Stop()
	end := time.NewTimer(cfg.duration)
	defer end.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			return m, ctx.Err()
		case <-srv.exited:
			return m, fmt.Errorf("the server exited while measuring; see %s", srv.logPath())
		case <-end.C:
			done = true
		case <-tick.C:
			mem, err := readMemory(pid)
			if err != nil {
				return m, err
			}
			rss := mem.rss
			m.rssKB, m.anonKB, m.fileKB = append(m.rssKB, rss), append(m.anonKB, mem.anon), append(m.fileKB, mem.file)
			if db, err := mappedKB(pid, srv.dbPath()); err == nil {
				m.dbKB = append(m.dbKB, db)
			}
			cpu, _ := cpuSeconds(pid)
			el := time.Since(t0).Seconds()
			snap := st.snapshot()
			log.Info("sample", "results_per_s", fmt.Sprintf("%.0f", float64(st.accepted.Load()-acc0)/el),
				"server_cpu_pct", fmt.Sprintf("%.1f", 100*(cpu-cpu0)/el), "rss_mib", rss/1024,
				"anon_mib", mem.anon/1024, "file_mib", mem.file/1024,
				"ingest_p50_ms", fmtMS(snap.ingest.p50), "ingest_p99_ms", fmtMS(snap.ingest.p99))
		}
	}
	st.measuring.Store(false)
	m.elapsed = time.Since(t0)
	m.accepted = st.accepted.Load() - acc0
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return m, err
	}
	sim1, err := cpuSeconds(self)
	if err != nil {
		return m, err
	}
	m.serverCPU, m.simCPU = cpu1-cpu0, sim1-sim0
	if m.hwmKB, _, err = memoryKB(pid); err != nil {
		return m, err
	}
	if fi, err := os.Stat(srv.dbPath()); err == nil {
		m.dbBytes = fi.Size()
	}
	ing1, err := api.ingest(ctx)
	if err != nil {
		return m, err
	}
	m.ingest = ingestStats{Committed: ing1.Committed - ing0.Committed, Batches: ing1.Batches - ing0.Batches}
	m.window = st.snapshot()
	return m, nil
}

// medianKB is the middle of the samples: the steady resident set.
func medianKB(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
