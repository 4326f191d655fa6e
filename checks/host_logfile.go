package checks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

func init() {
	Register(Type{
		Name:  "logfile",
		Title: "Log file",
		Scope: ScopeHost,
		// In rolling mode a match is seen by one run only: the next run
		// reads only newer lines. Confirmed twice it would never page.
		DefaultConfirm: 1,
		Settings: []Setting{
			{Name: "pattern", Kind: "string", Help: "Regular expression (Go RE2 syntax) matched against each line; give this or stock_pattern."},
			{Name: "stock_pattern", Kind: "enum", Options: stockLogNames(), OptionTitles: stockLogTitles(), Help: "A ready-made pattern instead of your own: SSH authentication failures, kernel OOM kills, sudo failures, HTTP 5xx in access logs, segfaults."},
			{Name: "mode", Kind: "enum", Default: "rolling", Options: []string{"rolling", "whole"}, Help: "rolling reads only the lines written since the last run (across rotation and truncation); whole reads the whole file each time."},
			{Name: "warning_count", Kind: "int", Default: "0", Help: "Warning when at least this many lines match in one run; 0 is off."},
			{Name: "problem_count", Kind: "int", Default: "1", Help: "Problem when at least this many lines match in one run; 0 is off."},
			{Name: "max_lines", Kind: "int", Default: "5", Help: "How many matched lines (1 to 50) the message quotes; the rest are counted."},
			{Name: "max_read_bytes", Kind: "int", Default: strconv.Itoa(logDefaultReadBytes), Help: "The most read from one file in one run (1 KiB to 1 GiB); in rolling mode the rest is read on the next run."},
		},
		TargetHelp:     `absolute path of the log file; a glob names several, e.g. "/var/log/auth.log" or "/var/log/nginx/*.log"`,
		ValidateTarget: validateLogPath,
		New:            newLogfileChecker,
		NewWithEnv:     newLogfileCheckerWithEnv,
	})
}

const (
	logDefaultReadBytes = 16 << 20
	logMinReadBytes     = 1 << 10
	logMaxReadBytes     = 1 << 30
	logMaxPattern       = 4096
)

type logfileSettings struct {
	Pattern      string `json:"pattern"`
	StockPattern string `json:"stock_pattern"`
	Mode         string `json:"mode"`
	WarningCount int    `json:"warning_count"`
	ProblemCount int    `json:"problem_count"`
	MaxLines     int    `json:"max_lines"`
	MaxReadBytes int64  `json:"max_read_bytes"`
}

// logfileChecker matches the lines of the files its target names. In
// rolling mode it keeps the files open between runs (see logTail);
// Close releases them.
type logfileChecker struct {
	s     logfileSettings
	match logMatcher
	// readable is the host's Env.ReadableLog: nil reads nothing.
	readable func(realPath string) error

	mu   sync.Mutex // the scheduler runs one check at a time; this makes sure
	tail logTail
}

var (
	_ Checker   = (*logfileChecker)(nil)
	_ io.Closer = (*logfileChecker)(nil)
)

// validateLogPath accepts an absolute path (Unix, Windows drive or UNC)
// that is a well-formed glob. The agent's host may differ from the
// server's, so both forms are accepted wherever this runs, and the glob
// is checked with forward slashes as separators.
func validateLogPath(target string) error {
	switch {
	case target == "":
		return errors.New(`the log file's path is missing, e.g. "/var/log/auth.log"`)
	case strings.ContainsRune(target, 0) || len(target) > 4096:
		return errors.New("must be a path of at most 4096 characters")
	case strings.HasSuffix(target, "/") || strings.HasSuffix(target, `\`):
		return errors.New("must name files, not a directory: add a file name or a pattern such as *.log")
	}
	glob := target
	switch {
	case strings.HasPrefix(target, "/"):
	case len(target) > 3 && isWindowsDrivePath(target), strings.HasPrefix(target, `\\`):
		// Windows' Glob has no escape character: \ is a separator.
		glob = strings.ReplaceAll(target, `\`, "/")
	default:
		return errors.New(`must be an absolute path such as "/var/log/syslog", or on Windows "C:\logs\app.log"`)
	}
	if _, err := path.Match(glob, ""); err != nil {
		return errors.New("is not a valid glob: check its [ ] brackets and \\ escapes")
	}
	return nil
}

// newLogfileCheckerWithEnv is newLogfileChecker for a host that says,
// through env.ReadableLog, which files it lets the check read.
func newLogfileCheckerWithEnv(raw json.RawMessage, env Env) (Checker, error) {
	c, err := newLogfileChecker(raw)
	if err != nil {
		return nil, err
	}
	c.(*logfileChecker).readable = env.ReadableLog
	return c, nil
}

// newLogfileChecker validates the settings and returns a checker that,
// without an Env, reads no file.
func newLogfileChecker(raw json.RawMessage) (Checker, error) {
	s := logfileSettings{Mode: "rolling", ProblemCount: 1, MaxLines: 5, MaxReadBytes: logDefaultReadBytes}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	m, err := logPattern(s.Pattern, s.StockPattern)
	if err != nil {
		return nil, err
	}
	switch {
	case s.Mode != "rolling" && s.Mode != "whole":
		return nil, &SettingError{Field: "settings.mode", Msg: `must be "rolling" or "whole"`}
	case s.WarningCount < 0:
		return nil, &SettingError{Field: "settings.warning_count", Msg: "must be 0 (off) or a positive number of lines"}
	case s.ProblemCount < 0:
		return nil, &SettingError{Field: "settings.problem_count", Msg: "must be 0 (off) or a positive number of lines"}
	case s.WarningCount > 0 && s.ProblemCount > 0 && s.WarningCount > s.ProblemCount:
		return nil, &SettingError{Field: "settings.warning_count", Msg: "must not be above problem_count"}
	case s.MaxLines < 1 || s.MaxLines > 50:
		return nil, &SettingError{Field: "settings.max_lines", Msg: "must be between 1 and 50"}
	case s.MaxReadBytes < logMinReadBytes || s.MaxReadBytes > logMaxReadBytes:
		return nil, &SettingError{Field: "settings.max_read_bytes", Msg: "must be between 1024 (1 KiB) and 1073741824 (1 GiB)"}
	}
	return &logfileChecker{s: s, match: m}, nil
}

// logPattern compiles the pattern the settings choose: exactly one of
// pattern and stock_pattern.
func logPattern(pattern, stock string) (logMatcher, error) {
	switch {
	case pattern != "" && stock != "":
		return logMatcher{}, &SettingError{Field: "settings.pattern", Msg: "give either pattern or stock_pattern, not both"}
	case stock != "":
		m, ok := stockLogMatchers[stock]
		if !ok {
			return logMatcher{}, &SettingError{Field: "settings.stock_pattern", Msg: "must be one of " + strings.Join(stockLogNames(), ", ")}
		}
		return m, nil
	case pattern == "":
		return logMatcher{}, &SettingError{Field: "settings.pattern", Msg: "give a regular expression to look for, or choose a stock_pattern"}
	case len(pattern) > logMaxPattern:
		return logMatcher{}, &SettingError{Field: "settings.pattern", Msg: "must be at most 4096 characters"}
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return logMatcher{}, &SettingError{Field: "settings.pattern", Msg: "is not a valid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
	}
	return logMatcher{re: re}, nil
}

// Check reads what is new in the files (rolling) or the whole files, and
// judges the number of matching lines.
func (c *logfileChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &logTally{match: c.match, maxShown: c.s.MaxLines}
	var r logRun
	if c.s.Mode == "whole" {
		c.readWhole(ctx, target, t, &r)
	} else {
		c.tail.run(ctx, target, c.s.MaxReadBytes, c.readable, t, &r)
	}
	if ctx.Err() != nil {
		note := "timed out after " + time.Since(start).Round(time.Millisecond).String()
		if c.s.Mode == "rolling" {
			note += "; the rest is read on the next run"
		}
		r.note(StatusProblem, note)
	}
	return c.result(start, target, t, &r)
}

// Close closes the files rolling mode keeps open. A later Check starts
// afresh, as a first run.
func (c *logfileChecker) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tail.close()
}

// judge returns the status n matching lines earn.
func (c *logfileChecker) judge(n int) Status {
	switch {
	case c.s.ProblemCount > 0 && n >= c.s.ProblemCount:
		return StatusProblem
	case c.s.WarningCount > 0 && n >= c.s.WarningCount:
		return StatusWarning
	}
	return StatusOK
}
