package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report prints a Markdown block for docs/performance.md.
func report(w io.Writer, cfg config, m measurement, v verdict, st *stats) {
	monitors := cfg.agents * cfg.perAgent
	planned := float64(monitors) / cfg.interval.Seconds()
	rate := float64(m.accepted) / m.elapsed.Seconds()
	pct := func(cpu float64) float64 { return 100 * cpu / m.elapsed.Seconds() }
	perTx := "–"
	if m.ingest.Batches > 0 {
		perTx = fmt.Sprintf("%.0f", float64(m.ingest.Committed)/float64(m.ingest.Batches))
	}
	perBatch := 0.0
	if m.window.batches > 0 {
		perBatch = float64(m.window.results) / float64(m.window.batches)
	}
	fmt.Fprintf(w, "\n### %d agents × %d host monitors every %s\n\n", cfg.agents, cfg.perAgent, cfg.interval)
	fmt.Fprintf(w, "Command: `go build -o /tmp/vigil-agentsim/vigil . && %s` (%s, %d CPUs, %s, measured %s after %s warm-up, %s).\n\n",
		commandLine(cfg), runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(),
		m.elapsed.Round(time.Second), cfg.warmup, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(w, "| agents | results/s (planned) | server CPU, % of one core | server RSS steady / peak | ingest latency p50 / p99 / max | held poll answered late p50 / p99 / max | results per agent batch | results per store transaction | simulator CPU, % of one core |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	fmt.Fprintf(w, "| %d | %.0f (%.0f) | %.1f%% | %.0f / %.0f MiB | %s | %s | %.2f | %s | %.1f%% |\n",
		cfg.agents, rate, planned, pct(m.serverCPU),
		float64(medianKB(m.rssKB))/1024, float64(m.hwmKB)/1024,
		m.window.ingest, m.window.pollLate, perBatch, perTx, pct(m.simCPU))
	if m.windowPeak {
		fmt.Fprintln(w, "\nThe peak is VmHWM over the measured window only (reset when it began).")
	} else {
		fmt.Fprintln(w, "\nThe peak is VmHWM over the server's whole life, setup included (/proc/PID/clear_refs was not writable).")
	}
	fmt.Fprintf(w, "Server memory (medians of the samples): %.0f MiB anonymous (Go heap, stacks) + %.0f MiB file-backed: %.0f MiB of it pages of the bbolt file (%.0f MiB on disk at the end; clean pages the kernel can drop), the rest mostly the binary's code.\n",
		float64(medianKB(m.anonKB))/1024, float64(medianKB(m.fileKB))/1024, float64(medianKB(m.dbKB))/1024, float64(m.dbBytes)/(1<<20))
	fmt.Fprintf(w, "In the window: %d batches acknowledged, %d results stored (%.1f CPU-ms of the server per 1,000 results); polls answered at once with assignments: %d.\n",
		m.window.batches, m.accepted, 1e6*m.serverCPU/float64(max(m.accepted, 1)), m.window.pollAnswer.n)
	fmt.Fprintf(w, "Whole run: %d results made, %d acknowledged as stored, %d acknowledged as dropped, %d lost by the simulator (queue full), %d unacknowledged at the end%s.\n",
		st.generated.Load(), st.accepted.Load(), st.dropped.Load(), st.lost.Load(), v.pending, drainNote(v))
	switch {
	case v.spotErr != nil:
		fmt.Fprintf(w, "Read-back failed: %v.\n", v.spotErr)
	default:
		fmt.Fprintf(w, "Read-back through the API: %d monitors, %d acknowledged results, %d missing.\n", v.spotMonitors, v.spotAcked, v.spotMissing)
	}
	errs, first := st.errorCounts()
	if len(errs) == 0 {
		fmt.Fprintln(w, "Errors: none.")
		return
	}
	kinds := make([]string, 0, len(errs))
	for k := range errs {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s ×%d (first: %s)", k, errs[k], first[k]))
	}
	fmt.Fprintf(w, "Errors (%d before the window): %s.\n", m.errorsBefore, strings.Join(parts, "; "))
}

func drainNote(v verdict) string {
	if v.drained {
		return ""
	}
	return fmt.Sprintf(" (gave up waiting after %s)", drainLimit)
}
