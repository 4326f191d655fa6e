package fim

import (
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

// gcRaise holds GOGC at scanGCPercent while any scan runs, process-wide:
// the setting is the runtime's, so scans share one raise and the last to
// end puts back what was there. A GOGC already higher, or off, is kept,
// and so is any GOGC the environment sets: that is the operator's choice.
var gcRaise struct {
	sync.Mutex
	scans int
	prev  int
}

// raiseGC raises GOGC for a scan; the returned func ends the raise.
func raiseGC() (restore func()) {
	gcRaise.Lock()
	defer gcRaise.Unlock()
	if gcRaise.scans == 0 {
		gcRaise.prev = debug.SetGCPercent(scanGCPercent)
		if gcRaise.prev < 0 || gcRaise.prev > scanGCPercent || os.Getenv("GOGC") != "" {
			debug.SetGCPercent(gcRaise.prev)
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
				debug.SetGCPercent(gcRaise.prev)
			}
		})
	}
}
