package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runThroughput times full baselines of -dir against `openssl dgst
// -sha256` over the same files in the same run, the page cache warm for
// both. openssl runs under `nice -n 19` as the scanner's hashing threads
// do, so neither is favoured when the shared machine is busy.
func runThroughput(args []string) error {
	fs := newFlags("throughput")
	dir := fs.String("dir", "", "directory whose files are hashed")
	rounds := fs.Int("rounds", 3, "rounds (each: openssl x1, openssl x2, then each worker count)")
	workerList := fs.String("workers", "1,2", "worker counts to time")
	fs.Parse(args)
	files, total, err := listFiles(*dir)
	if err != nil {
		return err
	}
	var workers []int
	for _, w := range strings.Split(*workerList, ",") {
		n, err := strconv.Atoi(w)
		if err != nil {
			return fmt.Errorf("-workers: %w", err)
		}
		workers = append(workers, n)
	}
	tmp, err := os.MkdirTemp("", "fimscan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	list := filepath.Join(tmp, "files")
	if err := os.WriteFile(list, []byte(strings.Join(files, "\x00")), 0o600); err != nil {
		return err
	}
	if err := warm(files); err != nil {
		return err
	}
	fmt.Printf("%d files, %.1f MiB under %s; load average %s\n\n", len(files), mib(total), *dir, loadAvg())
	fmt.Println("Each cell: throughput (wall time; CPU time user+system). Ratios are of wall time to one openssl.")
	fmt.Println()
	fmt.Println("| round | openssl ×1 | openssl ×2 (two processes) | " + joinWorkers(workers) + " |")
	fmt.Println("|---:|---:|---:|" + strings.Repeat("---:|", len(workers)))
	ratios := make([][]float64, len(workers))
	cpuRatios := make([][]float64, len(workers))
	// Against the two openssl processes of the same round: how much of the
	// second core the machine left to two hashers, taken alike.
	ratios2 := make([][]float64, len(workers))
	var twoOne []float64
	for r := range *rounds {
		one, oneCPU, err := timeOpenSSL(list, 1, len(files))
		if err != nil {
			return err
		}
		two, twoCPU, err := timeOpenSSL(list, 2, len(files))
		if err != nil {
			return err
		}
		twoOne = append(twoOne, one.Seconds()/two.Seconds())
		row := fmt.Sprintf("| %d | %s | %s |", r+1, rate(total, one, oneCPU), rate(total, two, twoCPU))
		for i, w := range workers {
			state := filepath.Join(tmp, fmt.Sprintf("state-%d-%d.db", r, w))
			cpu0 := cpuTime()
			sum, d, err := scanOnce(*dir, state, w)
			if err != nil {
				return err
			}
			cpu1 := cpuTime()
			cpu := cpu1.user + cpu1.sys - cpu0.user - cpu0.sys
			if sum.Hashed != total {
				return fmt.Errorf("scan hashed %d bytes, the files hold %d", sum.Hashed, total)
			}
			ratios[i] = append(ratios[i], one.Seconds()/d.Seconds())
			ratios2[i] = append(ratios2[i], two.Seconds()/d.Seconds())
			cpuRatios[i] = append(cpuRatios[i], oneCPU/cpu)
			row += fmt.Sprintf(" %s = %.2f×", rate(total, d, cpu), one.Seconds()/d.Seconds())
			if w > 1 {
				row += fmt.Sprintf(" (%.2f× openssl ×2)", two.Seconds()/d.Seconds())
			}
			row += " |"
			os.Remove(state)
		}
		fmt.Println(row)
	}
	fmt.Printf("\nload average after: %s\n", loadAvg())
	fmt.Printf("median openssl ×2 to openssl ×1: %.2f\n", median(twoOne))
	for i, w := range workers {
		fmt.Printf("median throughput ratio, %d worker(s) to one openssl: %.2f", w, median(ratios[i]))
		if w > 1 {
			fmt.Printf(" (to two openssl processes: %.2f)", median(ratios2[i]))
		}
		fmt.Printf("; median CPU-time ratio (openssl ×1 CPU / scan CPU): %.2f\n", median(cpuRatios[i]))
	}
	return nil
}

// median of xs (sorted in place), the upper one of an even count.
func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func joinWorkers(ws []int) string {
	var s []string
	for _, w := range ws {
		s = append(s, fmt.Sprintf("fim baseline, %d worker(s)", w))
	}
	return strings.Join(s, " | ")
}

func rate(bytes uint64, d time.Duration, cpu float64) string {
	return fmt.Sprintf("%.0f MiB/s (%.2f s; %.2f s)", mib(bytes)/d.Seconds(), d.Seconds(), cpu)
}

func listFiles(dir string) ([]string, uint64, error) {
	var files []string
	var total uint64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, path)
		total += uint64(fi.Size())
		return nil
	})
	return files, total, err
}

// warm reads every file once so both sides hash from the page cache.
func warm(files []string) error {
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, fh)
		fh.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// timeOpenSSL hashes the listed files with procs openssl processes in
// parallel (xargs -P), each given an equal share of the names, and
// returns the wall time and the CPU time of xargs and every openssl.
func timeOpenSSL(list string, procs, n int) (time.Duration, float64, error) {
	per := (n + procs - 1) / procs
	cmd := exec.Command("xargs", "-0", "-a", list, "-P", strconv.Itoa(procs), "-n", strconv.Itoa(per),
		"nice", "-n", "19", "openssl", "dgst", "-sha256")
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	// wait4 counts the waited-for descendants of xargs too.
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return d, cpu.Seconds(), nil
}
