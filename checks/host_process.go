package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

func init() {
	Register(Type{
		Name:  "process",
		Title: "Process running",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "match", Kind: "enum", Default: "name", Options: []string{"name", "cmdline"}, Help: "What the target is compared with: the process name (exactly), or the full command line (as a regular expression)."},
			{Name: "min_count", Kind: "int", Default: "1", Help: "Problem when fewer processes than this match."},
			{Name: "max_count", Kind: "int", Default: "0", Help: "Problem when more processes than this match; 0 is no maximum."},
		},
		TargetHelp:     `process name such as "nginx", or with match "cmdline" a regular expression such as "java .*-jar app\.jar"`,
		ValidateTarget: validateProcessTarget,
		New:            newProcessChecker,
	})
}

type processSettings struct {
	Match    string `json:"match"`
	MinCount int    `json:"min_count"`
	MaxCount int    `json:"max_count"`
}

// processLister counts the processes q matches; it returns how many it
// looked at and ctx's error if it had to stop early.
type processLister func(ctx context.Context, q processQuery) (count, seen int, err error)

// processQuery is what a processLister looks for.
type processQuery struct {
	cmdline bool              // match command lines rather than names
	match   func(string) bool // true for a name or command line that counts
	// name is the target of a name match: a lister may skip reading what
	// could not give a process that name.
	name string
}

type processChecker struct {
	s    processSettings
	list processLister

	mu     sync.Mutex
	re     *regexp.Regexp // compiled target, for match "cmdline"
	reFrom string         // the target re was compiled from
}

var _ Checker = (*processChecker)(nil)

// validateProcessTarget accepts any name or pattern without control
// characters. Whether a pattern compiles is checked when it runs: the
// registry validates the target without the settings that say it is one.
func validateProcessTarget(target string) error {
	if strings.TrimSpace(target) == "" || len(target) > 1024 || strings.IndexFunc(target, unicode.IsControl) >= 0 {
		return errors.New(`must be a process name such as "nginx" or a regular expression over the command line`)
	}
	return nil
}

func newProcessChecker(raw json.RawMessage) (Checker, error) {
	s := processSettings{Match: "name", MinCount: 1}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	switch {
	case s.Match != "name" && s.Match != "cmdline":
		return nil, &SettingError{Field: "settings.match", Msg: `must be "name" or "cmdline"`}
	case s.MinCount < 0:
		return nil, &SettingError{Field: "settings.min_count", Msg: "must be 0 or more"}
	case s.MaxCount < 0:
		return nil, &SettingError{Field: "settings.max_count", Msg: "must be 0 (no maximum) or more"}
	case s.MaxCount > 0 && s.MaxCount < s.MinCount:
		return nil, &SettingError{Field: "settings.max_count", Msg: "must not be below min_count"}
	}
	return &processChecker{s: s, list: listProcesses}, nil
}

// Check counts the matching processes and judges the count.
func (c *processChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	q := processQuery{cmdline: c.s.Match == "cmdline"}
	if !q.cmdline {
		q.name = target
	}
	match, what, err := c.matcher(target)
	if err != nil {
		return problem(time.Since(start), err.Error(), nil)
	}
	q.match = match
	n, seen, err := c.list(ctx, q)
	if err != nil {
		return hostReadProblem(ctx, start, fmt.Sprintf("list processes (after %d)", seen), err)
	}
	st, msg := judgeProcessCount(n, c.s.MinCount, c.s.MaxCount, what)
	return Result{Status: st, LatencyMS: Millis(time.Since(start)), Message: msg, Values: map[string]float64{"count": float64(n)}}
}

// matcher returns the test for one process and how to name it in
// messages: "named nginx" or "matching /java .*app/".
func (c *processChecker) matcher(target string) (func(string) bool, string, error) {
	if c.s.Match == "name" {
		win := runtime.GOOS == "windows"
		return func(name string) bool { return processNameIs(name, target, win) }, "named " + target, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.re == nil || c.reFrom != target {
		re, err := regexp.Compile(target)
		if err != nil {
			return nil, "", fmt.Errorf("target is not a valid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		c.re, c.reFrom = re, target
	}
	return c.re.MatchString, "matching /" + target + "/", nil
}

// processNameIs compares a process name with the target. On Windows names
// carry ".exe" and case does not matter, so "nginx" finds "NGINX.EXE".
func processNameIs(name, target string, windows bool) bool {
	if !windows {
		return name == target
	}
	return strings.EqualFold(name, target) || strings.EqualFold(strings.TrimSuffix(strings.ToLower(name), ".exe"), target)
}

// judgeProcessCount returns the status and message for n processes
// against the range min to max (0 = no maximum).
func judgeProcessCount(n, minCount, maxCount int, what string) (Status, string) {
	noun := "processes"
	if n == 1 {
		noun = "process"
	}
	msg := strconv.Itoa(n) + " " + noun + " " + what
	if n == 0 {
		msg = "no process " + what
	}
	switch {
	case n < minCount:
		return StatusProblem, msg + " (at least " + strconv.Itoa(minCount) + " expected)"
	case maxCount > 0 && n > maxCount:
		return StatusProblem, msg + " (at most " + strconv.Itoa(maxCount) + " expected)"
	}
	return StatusOK, msg
}
