package main

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// report prints a Markdown block for docs/performance.md.
func report(w io.Writer, cfg config, m measurement) {
	want := float64(cfg.n) / cfg.interval.Seconds()
	rate := float64(m.executed) / m.elapsed.Seconds()
	cpuPer1k := 0.0
	if m.executed > 0 {
		cpuPer1k = m.cpu / (float64(m.executed) / 1000)
	}
	s := m.end.Store
	fileBPR := 0.0
	if s.Results > 0 {
		fileBPR = float64(s.FileBytes) / float64(s.Results)
	}
	fmt.Fprintf(w, "\n### %d HTTP monitors every %s\n\n", cfg.n, cfg.interval)
	fmt.Fprintf(w, "Command: `go build -o vigil . && %s` (%s, %d CPUs, %s, measured %s after %s warm-up, %s).\n\n",
		commandLine(cfg), runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(),
		m.elapsed.Round(time.Second), cfg.warmup, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| monitors | interval | checks/s (planned) | start lag p50 / p99 / max | CPU s per 1,000 checks | peak RSS (VmHWM) | max VmRSS | bytes/result on disk | encoded bytes/result | dashboard server time (median of 20) | dashboard request time (median of 20) |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	fmt.Fprintf(w, "| %d | %s | %.1f (%.1f) | %.1f / %.1f / %.1f ms | %.3f | %.1f MiB | %.1f MiB | %.1f | %.1f | %.2f ms | %.2f ms |\n",
		cfg.n, cfg.interval, rate, want,
		m.end.Scheduler.LagP50MS, m.end.Scheduler.LagP99MS, m.end.Scheduler.LagMaxMS,
		cpuPer1k, float64(m.hwmKB)/1024, float64(m.maxRSSKB)/1024,
		fileBPR, s.BytesPerResult, median(m.dashServer), median(m.dashTotal))
	fmt.Fprintf(w, "\nServer CPU: %.1f%% of the machine (%d CPUs) while measuring.\n", 100*m.cpu/m.elapsed.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU())
	fmt.Fprintf(w, "\nChecks run while measuring: %d (skipped %d); CPU %.1f s; results stored %d in %d chunks; "+
		"bbolt file %d bytes (%d on disk at the end); ingest batches %d; target answered %d requests.\n",
		m.executed, m.skipped, m.cpu, s.Results, s.Chunks, s.FileBytes, m.fileBytes, m.end.Ingest.Batches, m.target)
}
