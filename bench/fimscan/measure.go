package main

import (
	"bufio"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

type memPeak struct{ hwm, anon, file, heap uint64 }

type sampler struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	peak  memPeak
}

// startSampling reads /proc/self/status every interval and keeps the
// peaks of the anonymous and the file-backed resident memory, which
// VmHWM alone does not split.
func startSampling(every time.Duration) *sampler {
	s := &sampler{stopc: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-t.C:
			case <-s.stopc:
				return
			}
		}
	}()
	return s
}

func (s *sampler) stop() memPeak {
	close(s.stopc)
	s.wg.Wait()
	s.sample()
	return s.peak
}

func (s *sampler) sample() {
	st := procStatus()
	s.peak.hwm = st["VmHWM"]
	s.peak.anon = max(s.peak.anon, st["RssAnon"])
	s.peak.file = max(s.peak.file, st["RssFile"])
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	s.peak.heap = max(s.peak.heap, m[0].Value.Uint64())
}

// procStatus is /proc/self/status's memory lines, in bytes.
func procStatus() map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if !ok || len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, _ := strconv.ParseUint(fields[0], 10, 64)
		out[k] = n << 10
	}
	return out
}

// loadAvg is the one-minute load average, to judge how busy the shared
// machine was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
