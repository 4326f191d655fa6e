package checks

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// logMessageBytes is the longest message a result carries (the agent and
// the store cut longer ones): the message is built to fit, so that the
// count of lines left out and the notes survive.
const logMessageBytes = 1024

// logRun gathers what one run saw besides the lines: the files read, and
// notes about the rest with the worst status among them.
type logRun struct {
	files    int
	lastPath string // the last file read
	watching bool   // a first rolling run: files watched from their end
	status   Status
	notes    []string
	skipped  []string // "/var/log/apt is a directory"
}

// note adds a remark to the message and lets st count for the status.
func (r *logRun) note(st Status, msg string) {
	r.notes = append(r.notes, msg)
	r.status = Worse(r.status, st)
}

// read counts a file as read in this run.
func (r *logRun) read(path string) {
	r.files++
	r.lastPath = path
}

// usable reports whether a file can be read, noting why not when it
// cannot. A file gone since the glob saw it is passed over in silence.
func (r *logRun) usable(path, skip string, err error) bool {
	var refused *logRefusedError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false
	case errors.As(err, &refused):
		r.note(StatusProblem, refused.Error())
		return false
	case err != nil:
		r.note(StatusProblem, path+": "+logErrText(err))
		return false
	case skip != "":
		r.skipped = append(r.skipped, path+" "+skip)
		return false
	}
	return true
}

// tooMany notes that the target names more files than are read.
func (r *logRun) tooMany(target string, total int) {
	if total > logMaxFiles {
		r.note(StatusWarning, strconv.Itoa(total)+" files match "+target+"; only the first "+strconv.Itoa(logMaxFiles)+" are read")
	}
}

// result judges the run and writes its message and values.
func (c *logfileChecker) result(start time.Time, target string, t *logTally, r *logRun) Result {
	st := Worse(c.judge(t.matches), r.status)
	var head string
	var lines []logMatch
	var notes []string
	prefix := len(t.matchPaths) > 1
	switch {
	case t.matches > 0:
		where := t.lastMatchPath
		if prefix {
			where = logCount(len(t.matchPaths), "file", "files")
		}
		head, lines = logCount(t.matches, "match", "matches")+" in "+where, t.shown
	case r.watching && r.files > 0:
		head = "watching " + r.lastPath
		if r.files > 1 || target != r.lastPath {
			head = "watching " + logCount(r.files, "file", "files") + " matching " + target
		}
	case r.files > 0:
		newLines := " lines of "
		if c.s.Mode == "rolling" {
			newLines = " new lines of "
		}
		if t.lines == 1 {
			newLines = strings.Replace(newLines, "lines", "line", 1)
		}
		where := r.lastPath
		if r.files > 1 {
			where = logCount(r.files, "file", "files")
		}
		head = "no match in " + strconv.Itoa(t.lines) + newLines + where
	}
	// No file read and nothing said why: the target names nothing.
	if r.files == 0 && r.status != StatusProblem {
		st = StatusProblem
		missing := "no file matches " + target
		if !logIsGlob(target) && len(r.skipped) == 0 {
			missing = "no such file " + target
		}
		notes = append(notes, missing)
	}
	notes = append(notes, r.notes...)
	if s := logSkippedNote(r.skipped); s != "" {
		notes = append(notes, s)
	}
	values := map[string]float64{
		"matches": float64(t.matches),
		"lines":   float64(t.lines),
		"bytes":   float64(t.bytes),
		"files":   float64(r.files),
	}
	return Result{Status: st, LatencyMS: Millis(time.Since(start)), Message: logMessage(head, lines, prefix, t.matches, notes), Values: values}
}

// logSkippedNote names the one entry skipped, or counts several.
func logSkippedNote(skipped []string) string {
	switch len(skipped) {
	case 0:
		return ""
	case 1:
		return skipped[0] + ": skipped"
	}
	return "skipped " + strconv.Itoa(len(skipped)) + " entries that are not regular files, such as " + skipped[0]
}

// logMessage joins the summary, as many matched lines as fit, a count of
// the matches not quoted, and the notes, within logMessageBytes. Notes
// get up to a third of the room; lines fill the rest. Without a summary
// (no file was read) the notes have all the room, so that a refusal
// naming two long paths still ends with the rule that refused it.
func logMessage(head string, shown []logMatch, prefix bool, matches int, notes []string) string {
	if head == "" {
		return strings.TrimPrefix(logNotes(notes, logMessageBytes), "; ")
	}
	tail := logNotes(notes, logMessageBytes/3)
	head = cutText(head, logMessageBytes/3)
	const moreRoom = len(" … and 1000000000 more")
	room := logMessageBytes - len(tail) - moreRoom
	var b strings.Builder
	b.WriteString(head)
	quoted := 0
	for i, m := range shown {
		sep := " | "
		if i == 0 {
			sep = ": "
		}
		piece := m.text
		if prefix {
			piece = m.path + ": " + piece
		}
		left := room - b.Len() - len(sep)
		if left < len(piece) {
			if left < 40 {
				break
			}
			piece = cutText(piece, left)
		}
		b.WriteString(sep)
		b.WriteString(piece)
		quoted++
	}
	if more := matches - quoted; more > 0 && quoted > 0 {
		b.WriteString(" … and " + strconv.Itoa(more) + " more")
	}
	b.WriteString(tail)
	return b.String()
}

// logNotes joins notes, each after "; ", within room bytes, counting
// those left out.
func logNotes(notes []string, room int) string {
	var b strings.Builder
	for i, n := range notes {
		n = cutText(n, room/2)
		rest := ""
		if left := len(notes) - i - 1; left > 0 {
			rest = "; and " + strconv.Itoa(left) + " more"
		}
		if b.Len()+2+len(n)+len(rest) > room && i > 0 {
			b.WriteString("; and " + strconv.Itoa(len(notes)-i) + " more")
			break
		}
		b.WriteString("; ")
		b.WriteString(n)
	}
	return b.String()
}

// cutText shortens s to at most n bytes on a character boundary, ending
// it with "…" when cut.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= len("…") {
		return ""
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:max(n, 0)] + "…"
}

// logCount writes n with the noun's singular or plural: "1 match", "3
// matches".
func logCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
