package checks

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logfileValidationCases is the logfile type's table; init adds it to
// validationCases, so TestValidation runs it and FuzzNewSettings starts
// from it.
var logfileValidationCases = []validationCase{
	{"pattern", "/var/log/auth.log", `{"pattern":"Failed password"}`, ""},
	{"stock", "/var/log/nginx/*.log", `{"stock_pattern":"http_5xx"}`, ""},
	{"everything", "/var/log/app/[a-c]?.log", `{"pattern":"(?i)error","mode":"whole","warning_count":2,"problem_count":10,"max_lines":50,"max_read_bytes":1024}`, ""},
	{"warning only", "/var/log/syslog", `{"stock_pattern":"oom_kills","warning_count":1,"problem_count":0}`, ""},
	{"largest read", "/var/log/syslog", `{"pattern":"x","max_read_bytes":1073741824}`, ""},
	{"windows drive", `C:\logs\app*.log`, `{"pattern":"ERROR"}`, ""},
	{"windows unc", `\\fileserver\logs\app.log`, `{"pattern":"ERROR"}`, ""},
	{"escaped bracket", `/var/log/odd\[1\].log`, `{"pattern":"x"}`, ""},
	{"empty target", "", `{"pattern":"x"}`, "target"},
	{"relative target", "var/log/syslog", `{"pattern":"x"}`, "target"},
	{"bare drive", "C:", `{"pattern":"x"}`, "target"},
	{"directory", "/var/log/", `{"pattern":"x"}`, "target"},
	{"nul in target", "/var/log/a\x00b", `{"pattern":"x"}`, "target"},
	{"long target", "/" + strings.Repeat("a", 4096), `{"pattern":"x"}`, "target"},
	{"bad glob", "/var/log/[a-.log", `{"pattern":"x"}`, "target"},
	{"trailing escape", `/var/log/a\`, `{"pattern":"x"}`, "target"},
	{"no pattern", "/var/log/syslog", `{}`, "settings.pattern"},
	{"both patterns", "/var/log/syslog", `{"pattern":"x","stock_pattern":"segfaults"}`, "settings.pattern"},
	{"bad regex", "/var/log/syslog", `{"pattern":"(unclosed"}`, "settings.pattern"},
	{"huge regex", "/var/log/syslog", `{"pattern":"((a{1000}){1000}){1000}"}`, "settings.pattern"},
	{"long regex", "/var/log/syslog", `{"pattern":"` + strings.Repeat("a", 4097) + `"}`, "settings.pattern"},
	{"pattern wrong type", "/var/log/syslog", `{"pattern":5}`, "settings.pattern"},
	{"unknown stock", "/var/log/syslog", `{"stock_pattern":"ftp_failures"}`, "settings.stock_pattern"},
	{"bad mode", "/var/log/syslog", `{"pattern":"x","mode":"tail"}`, "settings.mode"},
	{"negative warning", "/var/log/syslog", `{"pattern":"x","warning_count":-1}`, "settings.warning_count"},
	{"negative problem", "/var/log/syslog", `{"pattern":"x","problem_count":-1}`, "settings.problem_count"},
	{"warning above problem", "/var/log/syslog", `{"pattern":"x","warning_count":5,"problem_count":3}`, "settings.warning_count"},
	{"no lines", "/var/log/syslog", `{"pattern":"x","max_lines":0}`, "settings.max_lines"},
	{"too many lines", "/var/log/syslog", `{"pattern":"x","max_lines":51}`, "settings.max_lines"},
	{"tiny read", "/var/log/syslog", `{"pattern":"x","max_read_bytes":1023}`, "settings.max_read_bytes"},
	{"huge read", "/var/log/syslog", `{"pattern":"x","max_read_bytes":1073741825}`, "settings.max_read_bytes"},
	{"read not a number", "/var/log/syslog", `{"pattern":"x","max_read_bytes":"16M"}`, "settings.max_read_bytes"},
	{"unknown setting", "/var/log/syslog", `{"pattern":"x","follow":true}`, "settings.follow"},
}

func init() { validationCases["logfile"] = logfileValidationCases }

// TestLogfileStockPatterns runs every stock pattern over the real log
// lines in testdata/logfile/stock: each line of NAME.match.log must match
// and each of NAME.nomatch.log must not.
func TestLogfileStockPatterns(t *testing.T) {
	for _, p := range StockLogPatterns {
		t.Run(p.Name, func(t *testing.T) {
			if p.Title == "" {
				t.Error("no title")
			}
			m := stockLogMatchers[p.Name]
			for _, kind := range []string{"match", "nomatch"} {
				lines := readTestLines(t, filepath.Join("testdata", "logfile", "stock", p.Name+"."+kind+".log"))
				if len(lines) < 3 {
					t.Fatalf("%s: only %d lines; give real examples", kind, len(lines))
				}
				for _, l := range lines {
					if got := m.match([]byte(l)); got != (kind == "match") {
						t.Errorf("%s: matched %v, want %v:\n%s", kind, got, !got, l)
					}
				}
			}
		})
	}
}

// readTestLines returns the lines of a testdata file, without blank lines
// and # comments.
func readTestLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLogfileJudge(t *testing.T) {
	cases := []struct {
		name          string
		warn, problem int
		n             int
		want          Status
	}{
		{"defaults none", 0, 1, 0, StatusOK},
		{"defaults one", 0, 1, 1, StatusProblem},
		{"below warning", 3, 10, 2, StatusOK},
		{"at warning", 3, 10, 3, StatusWarning},
		{"at problem", 3, 10, 10, StatusProblem},
		{"warning only", 2, 0, 1000, StatusWarning},
		{"both off", 0, 0, 1000, StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &logfileChecker{s: logfileSettings{WarningCount: tc.warn, ProblemCount: tc.problem}}
			if got := c.judge(tc.n); got != tc.want {
				t.Fatalf("judge(%d) = %s, want %s", tc.n, got, tc.want)
			}
		})
	}
}

func TestLogfileWhole(t *testing.T) {
	dir := t.TempDir()
	auth := filepath.Join(dir, "auth.log")
	writeLog(t, auth, strings.Join(readTestLines(t, "testdata/logfile/stock/ssh_auth_failures.match.log"), "\n")+"\n"+
		strings.Join(readTestLines(t, "testdata/logfile/stock/ssh_auth_failures.nomatch.log"), "\r\n")+"\n")
	writeLog(t, filepath.Join(dir, "b.log"), "ERROR one\nfine\nERROR two") // no final newline: still a line
	writeLog(t, filepath.Join(dir, "c.log"), "fine\nERROR three\n")
	writeLog(t, filepath.Join(dir, "big.log"), strings.Repeat("ERROR x\n", 1000))
	if err := os.Mkdir(filepath.Join(dir, "d.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	// e.log is c.log under a second name: "?.log" reads it once.
	if err := os.Symlink(filepath.Join(dir, "c.log"), filepath.Join(dir, "e.log")); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(auth, "app.log") // a path through a file: ENOTDIR
	cases := []struct {
		name, target, settings string
		status                 Status
		matches, files         float64
		message                string
	}{
		{"stock", auth, `{"stock_pattern":"ssh_auth_failures","mode":"whole","max_lines":2}`, StatusProblem, 9, 1,
			"9 matches in " + auth + ": Nov 23 08:00:01 web-1 sshd[1234]: Failed password for root from 203.0.113.5 port 52144 ssh2 | Nov 23 08:00:02 web-1 sshd[1240]: Invalid user oracle from 198.51.100.7 port 40022 … and 7 more"},
		{"glob several files", filepath.Join(dir, "[bc].log"), `{"pattern":"^ERROR","mode":"whole"}`, StatusProblem, 3, 2,
			"3 matches in 2 files: " + dir + "/b.log: ERROR one | " + dir + "/b.log: ERROR two | " + dir + "/c.log: ERROR three"},
		{"one file of the glob matches", filepath.Join(dir, "[bc].log"), `{"pattern":"three","mode":"whole"}`, StatusProblem, 1, 2,
			"1 match in " + dir + "/c.log: ERROR three"},
		{"no match", filepath.Join(dir, "c.log"), `{"pattern":"nothing","mode":"whole"}`, StatusOK, 0, 1,
			"no match in 2 lines of " + dir + "/c.log"},
		{"warning", filepath.Join(dir, "?.log"), `{"pattern":"ERROR","mode":"whole","warning_count":2,"problem_count":4}`, StatusWarning, 3, 2,
			"3 matches in 2 files: " + dir + "/b.log: ERROR one | " + dir + "/b.log: ERROR two | " + dir + "/c.log: ERROR three; " + dir + "/d.log is a directory: skipped"},
		{"read in part", filepath.Join(dir, "big.log"), `{"pattern":"ERROR","mode":"whole","max_read_bytes":1024,"max_lines":1}`, StatusProblem, 128, 1,
			"128 matches in " + dir + "/big.log: ERROR x … and 127 more; " + dir + "/big.log: read only the first 1.0 KiB of 7.8 KiB"},
		{"directory skipped", filepath.Join(dir, "d.log"), `{"pattern":"x","mode":"whole"}`, StatusProblem, 0, 0,
			"no file matches " + dir + "/d.log; " + dir + "/d.log is a directory: skipped"},
		{"no such file", filepath.Join(dir, "nope.log"), `{"pattern":"x","mode":"whole"}`, StatusProblem, 0, 0,
			"no such file " + dir + "/nope.log"},
		{"glob matches nothing", filepath.Join(dir, "*.txt"), `{"pattern":"x","mode":"whole"}`, StatusProblem, 0, 0,
			"no file matches " + dir + "/*.txt"},
		{"unreadable", notDir, `{"pattern":"x","mode":"whole"}`, StatusProblem, 0, 0,
			notDir + ": not a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := logChecker(t, dir, tc.target, tc.settings)
			for run := range 2 { // whole mode reads the same again
				r := runHost(t, c, tc.target)
				if r.Status != tc.status || !strings.HasPrefix(r.Message, tc.message) {
					t.Fatalf("run %d: got %s %q,\nwant %s %q…", run, r.Status, r.Message, tc.status, tc.message)
				}
				if r.Values["matches"] != tc.matches || r.Values["files"] != tc.files {
					t.Fatalf("run %d: values %v, want matches %v files %v", run, r.Values, tc.matches, tc.files)
				}
			}
		})
	}
}

func TestLogfileUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("logfile: root reads files whatever their mode")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "secret.log")
	writeLog(t, p, "x\n")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"whole", "rolling"} {
		r := runHost(t, logChecker(t, dir, p, `{"pattern":"x","mode":"`+mode+`"}`), p)
		if r.Status != StatusProblem || r.Message != p+": permission denied" {
			t.Fatalf("%s: got %s %q", mode, r.Status, r.Message)
		}
	}
}

// logChecker builds a logfile checker through the registry, for a host
// that lets it read below root, and closes it when the test ends.
func logChecker(t *testing.T, root, target, settings string) *logfileChecker {
	t.Helper()
	ch, err := NewWithEnv("logfile", target, json.RawMessage(settings), Env{ReadableLog: logRootsForTest(t, root)})
	if err != nil {
		t.Fatalf("new logfile: %v", err)
	}
	c := ch.(*logfileChecker)
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

// logRootsForTest is an Env.ReadableLog, as an agent's would be, that
// allows the real paths below the given directories.
func logRootsForTest(t testing.TB, roots ...string) func(string) error {
	t.Helper()
	var real []string
	for _, r := range roots {
		rr, err := filepath.EvalSymlinks(r)
		if err != nil {
			t.Fatal(err)
		}
		real = append(real, rr)
	}
	return func(p string) error {
		for _, r := range real {
			if rel, err := filepath.Rel(r, p); err == nil && filepath.IsLocal(rel) {
				return nil
			}
		}
		return errors.New("is outside the test's log directories")
	}
}

// writeLog creates or replaces the file at path.
func writeLog(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendLog appends s to the file at path, creating it if needed.
func appendLog(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
