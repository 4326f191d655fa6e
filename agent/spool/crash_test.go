package spool

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// crashDirEnv, when set, makes TestCrashHelper the appending child of
// TestCrashLosesNothingAppended, spooling into that directory.
const crashDirEnv = "VIGIL_SPOOL_CRASH_DIR"

// crashOpts rotate segments often, so the kill can land during a rotation.
var crashOpts = Options{SegmentBytes: 2048}

// TestCrashLosesNothingAppended re-executes the test binary as a child that
// appends and acknowledges in a loop, reporting each call once it returned,
// kills it with SIGKILL mid-way and checks the spool it left; three times
// over the same directory, so each child starts from what a kill left.
func TestCrashLosesNothingAppended(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	c := crashLog{appended: map[uint64]int{}}
	for round := range 3 {
		before := len(c.appended)
		runCrashChild(t, dir, &c)
		if n := len(c.appended) - before; n < 1000 {
			t.Fatalf("round %d: the child reported only %d records before it ended", round, n)
		}
		s := openT(t, dir, crashOpts)
		left := checkAfterCrash(t, s, &c)
		closeT(t, s)
		t.Logf("round %d: %d records appended in all, acked up to %d (Ack called up to %d), %d left",
			round, len(c.appended), c.acked, c.acking, left)
	}
}

// crashLog is what the children reported.
type crashLog struct {
	appended map[uint64]int // seq -> data size, for each record whose Append returned
	acking   uint64         // the last Ack called
	acked    uint64         // the last Ack that returned
}

// runCrashChild starts a child on dir, reads its reports and kills it
// after 1500 lines; the lines it wrote before dying are still read.
func runCrashChild(t *testing.T, dir string, c *crashLog) {
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for n := 0; lines.Scan(); n++ {
		if n == 1500 {
			cmd.Process.Kill() // SIGKILL
		}
		c.parse(lines.Text())
	}
	cmd.Wait()
}

// checkAfterCrash checks that every record whose Append returned is in s
// (unless an Ack may have covered it) with its data, and that none covered
// by a returned Ack is; it returns how many records s holds.
func checkAfterCrash(t *testing.T, s *Spool, c *crashLog) int {
	t.Helper()
	got := map[uint64]bool{}
	for _, r := range peekAll(t, s) {
		if r.Seq <= c.acked {
			t.Errorf("record %d came back after Ack(%d) returned", r.Seq, c.acked)
		}
		if size, ok := c.appended[r.Seq]; ok && string(r.Data) != string(payload(r.Seq, size)) {
			t.Errorf("record %d has data %q, want its payload", r.Seq, r.Data)
		}
		got[r.Seq] = true
	}
	missing := 0
	for seq := range c.appended {
		if seq > c.acking && !got[seq] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the records whose Append returned are missing after the kill", missing)
	}
	return len(got)
}

// parse reads one report of a child: "append SEQ SIZE" for each record of
// a returned Append, "ack SEQ" before an Ack, "acked SEQ" after.
func (c *crashLog) parse(line string) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return // not ours, such as the test framework's
	}
	seq, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return
	}
	switch {
	case f[0] == "append" && len(f) == 3:
		size, _ := strconv.Atoi(f[2])
		c.appended[seq] = size
	case f[0] == "ack":
		c.acking = seq
	case f[0] == "acked":
		c.acked = seq
	}
}

// TestCrashHelper is the child of TestCrashLosesNothingAppended; it does
// nothing unless crashDirEnv is set. It runs until it is killed, or stops
// after a bound in case the parent is gone.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestCrashLosesNothingAppended")
	}
	s, err := Open(dir, crashOpts)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := range 200_000 {
		sizes := make([]int, 1+i%4)
		for j := range sizes {
			sizes[j] = 50 + (i*7+j*13)%300
		}
		last, err := appendPayloads(s, sizes)
		if err != nil {
			t.Fatal(err)
		}
		for j, size := range sizes {
			fmt.Fprintf(w, "append %d %d\n", last-uint64(len(sizes)-1-j), size)
		}
		if i%50 == 49 {
			fmt.Fprintf(w, "ack %d\n", last-20)
			w.Flush() // the parent must know of the Ack before it can happen
			if err := s.Ack(last - 20); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "acked %d\n", last-20)
		}
		w.Flush()
	}
}

// appendPayloads appends records of the given sizes, each the payload of
// the seq it will get.
func appendPayloads(s *Spool, sizes []int) (uint64, error) {
	next := s.nextSeqForTest()
	batch := make([][]byte, len(sizes))
	for j, size := range sizes {
		batch[j] = payload(next+uint64(j), size)
	}
	return s.Append(batch...)
}
