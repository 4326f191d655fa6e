package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

// runScan runs one scan of -dir with the state in -state (a baseline when
// the state is new) and prints its time and this process's memory.
func runScan(args []string) error {
	fs := newFlags("scan")
	dir := fs.String("dir", "", "directory to scan")
	state := fs.String("state", "", "state file (created when missing)")
	workers := fs.Int("workers", 0, "hashing workers (0: GOMAXPROCS, at most 4)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the scan here")
	traceOut := fs.String("trace", "", "write an execution trace of the scan here (go tool trace)")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the scan here (every allocation sampled)")
	fs.Parse(args)
	if *traceOut != "" {
		f, err := os.Create(*traceOut)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return err
		}
		defer trace.Stop()
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 1
		defer writeHeapProfile(*memProfile)
	}
	if *dir == "" || *state == "" {
		return fmt.Errorf("-dir and -state are required")
	}
	load0 := loadAvg()
	mem := startSampling(20 * time.Millisecond)
	sum, elapsed, err := scanOnce(*dir, *state, *workers)
	if err != nil {
		return err
	}
	cpu := cpuTime()
	peak := mem.stop()
	fi, _ := os.Stat(*state)
	kind := "incremental"
	if sum.Baseline {
		kind = "baseline"
	}
	fmt.Printf("%s scan of %s: %d objects, %d changes, %d errors, %.1f MiB hashed in %s (%.0f objects/s)\n",
		kind, *dir, sum.Objects, sum.Changes, sum.Errors, float64(sum.Hashed)/(1<<20), elapsed.Round(time.Millisecond),
		float64(sum.Objects)/elapsed.Seconds())
	fmt.Printf("CPU: %.1f s user + %.1f s system (the walk and the hashing run at nice 19, idle I/O class, so a busy machine stretches the wall time); load average before and after: %s / %s\n",
		cpu.user, cpu.sys, load0, loadAvg())
	fmt.Printf("memory: VmHWM %.1f MiB; sampled peaks RssAnon %.1f MiB, RssFile %.1f MiB (the state file's mapped pages), Go heap in use %.1f MiB; state file %.1f MiB; %s, GOMAXPROCS %d\n",
		mib(peak.hwm), mib(peak.anon), mib(peak.file), mib(peak.heap), mib(uint64(fi.Size())), runtime.Version(), runtime.GOMAXPROCS(0))
	return nil
}

// scanOnce runs one scan with a Send that confirms every batch at once,
// as a server on loopback would, minus the network.
func scanOnce(dir, state string, workers int) (fim.Summary, time.Duration, error) {
	s, err := fim.OpenState(state)
	if err != nil {
		return fim.Summary{}, 0, err
	}
	defer s.Close()
	p := fim.Policy{ID: "bench", Revision: "1", Paths: []string{dir}, Workers: workers}
	send := func(context.Context, fim.Batch) error { return nil }
	start := time.Now()
	sum, err := s.Scan(context.Background(), p, fim.ScanOptions{Send: send})
	return sum, time.Since(start), err
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
