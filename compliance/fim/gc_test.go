package fim

import (
	"runtime/debug"
	"testing"
)

func TestRaiseGCRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	origGC := debug.SetGCPercent(100)
	origLimit := debug.SetMemoryLimit(noMemoryLimit)
	defer debug.SetGCPercent(origGC)
	defer debug.SetMemoryLimit(origLimit)

	end1 := raiseGC()
	if gc, limit := readGC(); gc != scanGCPercent || limit != scanMemoryLimit {
		t.Fatalf("during a scan GOGC = %d, limit %d; want %d, %d", gc, limit, scanGCPercent, scanMemoryLimit)
	}
	end2 := raiseGC() // a second scan at once shares the raise
	end1()
	end1() // ending twice ends once
	if gc, limit := readGC(); gc != scanGCPercent || limit != scanMemoryLimit {
		t.Fatalf("with one scan left GOGC = %d, limit %d", gc, limit)
	}
	end2()
	if gc, limit := readGC(); gc != 100 || limit != noMemoryLimit {
		t.Fatalf("after the scans GOGC = %d, limit %d; want 100 and none back", gc, limit)
	}

	debug.SetGCPercent(1000) // set higher, and a lower limit: kept
	debug.SetMemoryLimit(32 << 20)
	end := raiseGC()
	if gc, limit := readGC(); gc != 1000 || limit != 32<<20 {
		t.Fatalf("GOGC 1000 and a 32 MiB limit became %d, %d during a scan", gc, limit)
	}
	end()
	if gc, limit := readGC(); gc != 1000 || limit != 32<<20 {
		t.Fatalf("GOGC 1000 and a 32 MiB limit became %d, %d after a scan", gc, limit)
	}

	t.Setenv("GOGC", "50") // the operator's choices: kept
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(50)
	debug.SetMemoryLimit(1 << 30)
	end = raiseGC()
	if gc, limit := readGC(); gc != 50 || limit != 1<<30 {
		t.Fatalf("GOGC=50 GOMEMLIMIT=1GiB in the environment became %d, %d during a scan", gc, limit)
	}
	end()
}

// readGC returns GOGC and the memory limit without changing them.
func readGC() (int, int64) {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v, debug.SetMemoryLimit(-1)
}
