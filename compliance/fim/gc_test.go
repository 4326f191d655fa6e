package fim

import (
	"runtime/debug"
	"testing"
)

func TestRaiseGCRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	end1 := raiseGC()
	if got := readGCPercent(); got != scanGCPercent {
		t.Fatalf("during a scan GOGC = %d, want %d", got, scanGCPercent)
	}
	end2 := raiseGC() // a second scan at once shares the raise
	end1()
	end1() // ending twice ends once
	if got := readGCPercent(); got != scanGCPercent {
		t.Fatalf("with one scan left GOGC = %d, want %d", got, scanGCPercent)
	}
	end2()
	if got := readGCPercent(); got != 100 {
		t.Fatalf("after the scans GOGC = %d, want 100 back", got)
	}

	debug.SetGCPercent(1000) // set higher by the operator: kept
	end := raiseGC()
	if got := readGCPercent(); got != 1000 {
		t.Fatalf("GOGC 1000 during a scan became %d", got)
	}
	end()
	if got := readGCPercent(); got != 1000 {
		t.Fatalf("GOGC 1000 after a scan became %d", got)
	}

	t.Setenv("GOGC", "50") // the operator's choice: kept
	debug.SetGCPercent(50)
	end = raiseGC()
	if got := readGCPercent(); got != 50 {
		t.Fatalf("GOGC=50 in the environment became %d during a scan", got)
	}
	end()
}

// readGCPercent returns GOGC without changing it.
func readGCPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}
