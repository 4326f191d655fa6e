package fim

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// scanGCPercent is the garbage collector's target (GOGC) while a scan
// runs. A scan makes about 1.7 KB of short-lived garbage per object
// (records, changes, bbolt's page copies) over a live heap of a few MiB,
// so at the default of 100 a scan of 100,000 files a second collects
// every 10–20 ms; every collection stops the hashing workers, and each is
// locked to its low-priority thread, so each stop costs them thread
// hand-offs as well. At 400 a scan collects a quarter as often for at
// most a few MiB more heap (about 16 MiB instead of 4 while the live heap
// is small), and two workers hash small files about 10% faster.
const scanGCPercent = 400

// scanMemoryLimit is the soft memory limit (GOMEMLIMIT) held with the
// raised GOGC. GOGC lets the heap grow to five times what is live, and a
// tree of hostile names (4 KiB paths and symlink targets) makes the
// batches in flight several MiB each: the limit has the collector run
// more often as the Go runtime's memory nears it, instead of letting the
// raise grow the heap past it.
const scanMemoryLimit = 64 << 20

// gcRaise holds GOGC at scanGCPercent, and the memory limit at
// scanMemoryLimit, while any scan runs, process-wide: the settings are the
// runtime's, so scans share one raise and the last to end puts back what
// was there. A GOGC already higher, or off, is kept, and so is a lower
// memory limit; GOGC or GOMEMLIMIT set in the environment are the
// operator's choice and kept as they are.
var gcRaise struct {
	sync.Mutex
	scans     int
	prevGC    int
	prevLimit int64
}

// raiseGC raises GOGC for a scan; the returned func ends the raise.
func raiseGC() (restore func()) {
	gcRaise.Lock()
	defer gcRaise.Unlock()
	if gcRaise.scans == 0 {
		gcRaise.prevGC = debug.SetGCPercent(scanGCPercent)
		if gcRaise.prevGC < 0 || gcRaise.prevGC > scanGCPercent || os.Getenv("GOGC") != "" {
			debug.SetGCPercent(gcRaise.prevGC)
		}
		gcRaise.prevLimit = debug.SetMemoryLimit(-1) // reads it
		if gcRaise.prevLimit > scanMemoryLimit && os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(scanMemoryLimit)
		}
	}
	gcRaise.scans++
	var once sync.Once
	return func() {
		once.Do(func() {
			gcRaise.Lock()
			defer gcRaise.Unlock()
			gcRaise.scans--
			if gcRaise.scans == 0 {
				debug.SetGCPercent(gcRaise.prevGC)
				debug.SetMemoryLimit(gcRaise.prevLimit)
			}
		})
	}
}

// noMemoryLimit is the runtime's "no limit" (math.MaxInt64).
const noMemoryLimit = math.MaxInt64
