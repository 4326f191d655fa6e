package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"
)

// measurement is everything the report prints.
type measurement struct {
	elapsed         time.Duration
	executed        int64   // checks run while measuring
	skipped         int64   // runs the scheduler skipped while measuring
	cpu             float64 // server CPU seconds while measuring
	hwmKB, maxRSSKB int64
	end             system
	fileBytes       int64
	dashServer      []float64
	dashTotal       []float64
	target          int64 // requests the target answered, whole run
}

// measure samples the server for cfg.duration and then times the dashboard.
func measure(ctx context.Context, cfg config, srv *server, api *apiClient, log *slog.Logger) (measurement, error) {
	var m measurement
	pid := srv.cmd.Process.Pid
	start, err := api.system(ctx)
	if err != nil {
		return m, err
	}
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return m, err
	}
	t0 := time.Now()
	tick := time.NewTicker(cfg.sample)
	defer tick.Stop()
	end := time.NewTimer(cfg.duration)
	defer end.Stop()
	sample := func() error {
		_, rss, err := memoryKB(pid)
		if err != nil {
			return err
		}
		m.maxRSSKB = max(m.maxRSSKB, rss)
		s, err := api.system(ctx)
		if err != nil {
			return err
		}
		rate := float64(s.Scheduler.Executed-start.Scheduler.Executed) / time.Since(t0).Seconds()
		log.Info("sample", "checks_per_s", fmt.Sprintf("%.1f", rate), "lag_p99_ms", s.Scheduler.LagP99MS,
			"rss_mb", rss/1024, "queued", s.Ingest.Queued)
		m.end = s
		return nil
	}
	for done := false; !done; {
		select {
		case <-ctx.Done():
			return m, ctx.Err()
		case <-srv.exited:
			return m, fmt.Errorf("the server exited while measuring")
		case <-end.C:
			done = true
		case <-tick.C:
			if err := sample(); err != nil {
				return m, err
			}
		}
	}
	if err := sample(); err != nil {
		return m, err
	}
	m.elapsed = time.Since(t0)
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return m, err
	}
	m.cpu = cpu1 - cpu0
	m.executed = m.end.Scheduler.Executed - start.Scheduler.Executed
	m.skipped = m.end.Scheduler.Skipped - start.Scheduler.Skipped
	if m.hwmKB, _, err = memoryKB(pid); err != nil {
		return m, err
	}
	if fi, err := os.Stat(srv.dbPath()); err == nil {
		m.fileBytes = fi.Size()
	}
	hc, err := webSession(ctx, srv.url)
	if err != nil {
		return m, err
	}
	m.dashServer, m.dashTotal, err = dashboardTimes(ctx, hc, srv.url, 20)
	return m, err
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
