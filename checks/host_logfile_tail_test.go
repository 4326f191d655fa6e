package checks

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// logStep is one step of a rolling-mode story: do something to the files,
// run the check, and expect a status, counts and a message prefix.
type logStep struct {
	name    string
	do      func(t *testing.T, dir string)
	status  Status
	matches float64
	lines   float64 // -1: do not compare
	message string  // prefix; "$" stands for the directory
}

// runLogSteps runs steps in order against one rolling checker of target
// (relative to a fresh directory) and settings.
func runLogSteps(t *testing.T, target, settings string, steps []logStep) {
	t.Helper()
	dir := t.TempDir()
	target = filepath.Join(dir, target)
	c := logChecker(t, dir, target, settings)
	for _, s := range steps {
		if s.do != nil {
			s.do(t, dir)
		}
		r := runHost(t, c, target)
		want := strings.ReplaceAll(s.message, "$", dir)
		if r.Status != s.status || !strings.HasPrefix(r.Message, want) {
			t.Fatalf("%s: got %s %q,\nwant %s %q…", s.name, r.Status, r.Message, s.status, want)
		}
		if r.Values["matches"] != s.matches || (s.lines >= 0 && r.Values["lines"] != s.lines) {
			t.Fatalf("%s: values %v, want matches %v lines %v (%q)", s.name, r.Values, s.matches, s.lines, r.Message)
		}
	}
}

func appendTo(name, s string) func(*testing.T, string) {
	return func(t *testing.T, dir string) { appendLog(t, filepath.Join(dir, name), s) }
}

func TestLogfileRollingAppend(t *testing.T) {
	runLogSteps(t, "app.log", `{"pattern":"ERROR","max_lines":2}`, []logStep{
		{"first run sees nothing", appendTo("app.log", "ERROR old\nERROR old\n"), StatusOK, 0, 0, "watching $/app.log"},
		{"quiet", nil, StatusOK, 0, 0, "no match in 0 new lines of $/app.log"},
		{"appended lines", appendTo("app.log", "ok\nERROR a\nERROR b\nERROR c\n"), StatusProblem, 3, 4,
			"3 matches in $/app.log: ERROR a | ERROR b … and 1 more"},
		{"counted once", nil, StatusOK, 0, 0, "no match in 0 new lines"},
		{"partial line waits", appendTo("app.log", "fine\nERR"), StatusOK, 0, 1, "no match in 1 new line of $/app.log"},
		{"partial line completed", appendTo("app.log", "OR late\r\nok\n"), StatusProblem, 1, 2, "1 match in $/app.log: ERROR late"},
	})
}

func TestLogfileRollingRotation(t *testing.T) {
	rotate := func(t *testing.T, dir string) {
		p := filepath.Join(dir, "app.log")
		// Written after the last run, before the rename: must still count.
		appendLog(t, p, "ERROR before rotation\nERROR unfinished")
		if err := os.Rename(p, filepath.Join(dir, "app.log.1")); err != nil {
			t.Fatal(err)
		}
		writeLog(t, p, "ERROR in the new file\n")
	}
	runLogSteps(t, "app.log", `{"pattern":"ERROR"}`, []logStep{
		{"first", appendTo("app.log", "ERROR old\n"), StatusOK, 0, 0, "watching"},
		{"rename and create", rotate, StatusProblem, 3, 3,
			"3 matches in $/app.log: ERROR before rotation | ERROR unfinished | ERROR in the new file"},
		{"new file followed", appendTo("app.log", "ERROR next\n"), StatusProblem, 1, 1, "1 match in $/app.log: ERROR next"},
		{"old file let go", appendTo("app.log.1", "ERROR in the rotated file\n"), StatusOK, 0, 0, "no match"},
	})
}

func TestLogfileRollingRenameWithinGlob(t *testing.T) {
	// app.log* names the rotated file too: it keeps its offset (read on,
	// not again from its start) and the new app.log is read from its start.
	rotate := func(t *testing.T, dir string) {
		p := filepath.Join(dir, "app.log")
		appendLog(t, p, "ERROR before rotation\n")
		if err := os.Rename(p, p+".1"); err != nil {
			t.Fatal(err)
		}
		writeLog(t, p, "ERROR new\n")
	}
	runLogSteps(t, "app.log*", `{"pattern":"ERROR"}`, []logStep{
		{"first", appendTo("app.log", "ERROR old\nERROR old\n"), StatusOK, 0, 0, "watching 1 file matching $/app.log*"},
		{"rotated", rotate, StatusProblem, 2, 2,
			"2 matches in 2 files: $/app.log.1: ERROR before rotation | $/app.log: ERROR new"},
		{"both followed", func(t *testing.T, dir string) {
			appendLog(t, filepath.Join(dir, "app.log.1"), "ERROR late write to the old file\n")
			appendLog(t, filepath.Join(dir, "app.log"), "fine\n")
		}, StatusProblem, 1, 2, "1 match in $/app.log.1: ERROR late write"},
	})
}

func TestLogfileRollingTruncation(t *testing.T) {
	copytruncate := func(t *testing.T, dir string) {
		p := filepath.Join(dir, "app.log")
		appendLog(t, p, "ERROR before truncation\n")
		if err := os.Truncate(p, 0); err != nil {
			t.Fatal(err)
		}
		appendLog(t, p, "ERROR after\n")
	}
	runLogSteps(t, "app.log", `{"pattern":"ERROR"}`, []logStep{
		{"first", appendTo("app.log", strings.Repeat("old line\n", 100)), StatusOK, 0, 0, "watching"},
		{"some lines", appendTo("app.log", "ERROR one\n"), StatusProblem, 1, 1, "1 match"},
		// What was written between the last run and the copy is in the
		// copy, outside the target: only the new content is read.
		{"truncated and rewritten", copytruncate, StatusProblem, 1, 1, "1 match in $/app.log: ERROR after"},
		{"followed from there", appendTo("app.log", "ERROR two\n"), StatusProblem, 1, 1, "1 match in $/app.log: ERROR two"},
	})
}

func TestLogfileRollingReadLimit(t *testing.T) {
	line := "ERROR " + strings.Repeat("x", 121) + "\n" // 128 bytes
	runLogSteps(t, "app.log", `{"pattern":"ERROR","max_read_bytes":1024}`, []logStep{
		{"first", appendTo("app.log", "old\n"), StatusOK, 0, 0, "watching"},
		{"first KiB", appendTo("app.log", strings.Repeat(line, 20)), StatusProblem, 8, 8,
			"8 matches in $/app.log"},
		{"second KiB", nil, StatusProblem, 8, 8, "8 matches"},
		{"rest", nil, StatusProblem, 4, 4, "4 matches"},
		{"done", nil, StatusOK, 0, 0, "no match in 0 new lines"},
	})
	// The note says what is left.
	dir := t.TempDir()
	p := filepath.Join(dir, "big.log")
	writeLog(t, p, "")
	c := logChecker(t, dir, p, `{"pattern":"ERROR","max_read_bytes":1024}`)
	runHost(t, c, p)
	appendLog(t, p, strings.Repeat(line, 20))
	if r := runHost(t, c, p); !strings.HasSuffix(r.Message, "; "+p+": 1.0 KiB read, 1.5 KiB left for the next run") {
		t.Fatalf("message %q lacks the note on what is left", r.Message)
	}
}

func TestLogfileRollingGlob(t *testing.T) {
	runLogSteps(t, "*.log", `{"pattern":"ERROR"}`, []logStep{
		{"first", func(t *testing.T, dir string) {
			appendLog(t, filepath.Join(dir, "a.log"), "ERROR old\n")
			appendLog(t, filepath.Join(dir, "b.log"), "ERROR old\n")
			appendLog(t, filepath.Join(dir, "other.txt"), "ERROR not in the glob\n")
		}, StatusOK, 0, 0, "watching 2 files matching $/*.log"},
		{"both files", func(t *testing.T, dir string) {
			appendLog(t, filepath.Join(dir, "a.log"), "ERROR a\n")
			appendLog(t, filepath.Join(dir, "b.log"), "ERROR b\nfine\n")
		}, StatusProblem, 2, 3, "2 matches in 2 files: $/a.log: ERROR a | $/b.log: ERROR b"},
		{"new file read from its start", appendTo("c.log", "ERROR c1\nERROR c2\n"), StatusProblem, 2, 2,
			"2 matches in $/c.log: ERROR c1 | ERROR c2"},
		{"symbolic link not read twice", func(t *testing.T, dir string) {
			if err := os.Symlink(filepath.Join(dir, "c.log"), filepath.Join(dir, "d.log")); err != nil {
				t.Skip("no symbolic links:", err)
			}
			appendLog(t, filepath.Join(dir, "c.log"), "ERROR c3\n")
		}, StatusProblem, 1, 1, "1 match in $/c.log: ERROR c3"},
		{"vanished file closed", func(t *testing.T, dir string) {
			appendLog(t, filepath.Join(dir, "a.log"), "ERROR last words\n")
			if err := os.Remove(filepath.Join(dir, "a.log")); err != nil {
				t.Fatal(err)
			}
		}, StatusProblem, 1, 1, "1 match in $/a.log: ERROR last words"},
		{"all gone", func(t *testing.T, dir string) {
			for _, n := range []string{"b.log", "c.log", "d.log"} {
				if err := os.Remove(filepath.Join(dir, n)); err != nil {
					t.Fatal(err)
				}
			}
		}, StatusProblem, 0, 0, "no file matches $/*.log"},
		{"back again", appendTo("a.log", "ERROR new a\n"), StatusProblem, 1, 1, "1 match in $/a.log: ERROR new a"},
	})
}

func TestLogfileRollingMissingAtStart(t *testing.T) {
	runLogSteps(t, "app.log", `{"pattern":"ERROR"}`, []logStep{
		{"missing", nil, StatusProblem, 0, 0, "no such file $/app.log"},
		{"created: new, read from its start", appendTo("app.log", "ERROR first\n"), StatusProblem, 1, 1, "1 match in $/app.log: ERROR first"},
	})
}

func TestLogfileRollingTooManyFiles(t *testing.T) {
	dir := t.TempDir()
	for i := range logMaxFiles + 3 {
		writeLog(t, filepath.Join(dir, strings.Repeat("f", 1+i/26)+string(rune('a'+i%26))+".log"), "")
	}
	target := filepath.Join(dir, "*.log")
	c := logChecker(t, dir, target, `{"pattern":"ERROR"}`)
	r := runHost(t, c, target)
	want := "; 259 files match " + target + "; only the first 256 are read"
	if r.Status != StatusWarning || !strings.HasSuffix(r.Message, want) || r.Values["files"] != logMaxFiles {
		t.Fatalf("got %s %q %v", r.Status, r.Message, r.Values)
	}
	if n := len(c.tail.files); n != logMaxFiles {
		t.Fatalf("%d files open, want %d", n, logMaxFiles)
	}
}

func TestLogfileCloseAndTargetChange(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	writeLog(t, a, "ERROR a\n")
	writeLog(t, b, "ERROR b\n")
	c := logChecker(t, dir, a, `{"pattern":"ERROR"}`)
	runHost(t, c, a)
	if r := runHost(t, c, b); !strings.HasPrefix(r.Message, "watching "+b) || r.Values["matches"] != 0 {
		t.Fatalf("another target is a first run: %q", r.Message)
	}
	if len(c.tail.files) != 1 || c.tail.files[b] == nil {
		t.Fatalf("files followed after the target changed: %v", c.tail.files)
	}
	f := c.tail.files[b].f
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat(); err == nil {
		t.Fatal("file still open after Close")
	}
	appendLog(t, b, "ERROR after close\n")
	if r := runHost(t, c, b); !strings.HasPrefix(r.Message, "watching "+b) {
		t.Fatalf("a check after Close is a first run: %q", r.Message)
	}
}

func TestLogfileCancelled(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	writeLog(t, p, "")
	c := logChecker(t, dir, p, `{"pattern":"ERROR"}`)
	runHost(t, c, p)
	appendLog(t, p, "ERROR kept for the next run\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := c.Check(ctx, p); r.Status != StatusProblem || !strings.Contains(r.Message, "timed out after") || !strings.HasSuffix(r.Message, "the rest is read on the next run") {
		t.Fatalf("cancelled run: %s %q", r.Status, r.Message)
	}
	if r := runHost(t, c, p); r.Values["matches"] != 1 {
		t.Fatalf("after a cancelled run: %q %v", r.Message, r.Values)
	}
}

// TestLogfileHostile feeds a 10 MiB line without a newline and binary
// junk: the check stays within a few buffers of memory and counts the
// long line once.
func TestLogfileHostile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	writeLog(t, p, "")
	c := logChecker(t, dir, p, `{"pattern":"ERROR","max_read_bytes":1073741824}`)
	runHost(t, c, p)
	junk := make([]byte, 1<<20)
	for i := range junk {
		junk[i] = byte(i*7919>>3) | 0x80 // never a newline
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("ERROR\x1b[31m"); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := f.Write(junk); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := runHost(t, c, p)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 1<<20 {
		t.Fatalf("reading 10 MiB allocated %d bytes", alloc)
	}
	t.Logf("reading a 10 MiB line allocated %d bytes", alloc)
	if r.Values["matches"] != 1 || r.Values["lines"] != 1 || r.Values["bytes"] < 10<<20 {
		t.Fatalf("long line: %q %v", r.Message, r.Values)
	}
	if strings.Contains(r.Message, "\x1b") || len(r.Message) > logMessageBytes {
		t.Fatalf("message not made safe: %q", r.Message)
	}
	if held := cap(c.tail.files[p].split.carry); held > logMaxLine {
		t.Fatalf("holding %d bytes of an unfinished line", held)
	}
	appendLog(t, p, "rest of the long line\nERROR next\n")
	if r := runHost(t, c, p); r.Values["matches"] != 1 || r.Values["lines"] != 1 {
		t.Fatalf("after the long line: %q %v", r.Message, r.Values)
	}
}
