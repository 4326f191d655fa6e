package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"time"
)

func init() {
	Register(Type{
		Name:  "shell",
		Title: "Shell command",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "use_exit_code", Kind: "bool", Default: "true", Help: "Judge the exit code as Nagios plugins do: 0 ok, 1 warning, 2 or more (or killed) problem."},
			{Name: "range", Kind: "string", Help: `The ok range of the number read from the output, "LOW..HIGH" (either side may be empty, as "..100" or "5.."); outside it is a problem.`},
			{Name: "warning_range", Kind: "string", Help: "Like range, and within it: a number inside range but outside warning_range is a warning."},
			{Name: "value_regex", Kind: "string", Help: "Regular expression with one capture group that selects the number; by default the first number in the output."},
			{Name: "contains", Kind: "string", Help: "Text the output is searched for (see match_means); at most one of contains and regex."},
			{Name: "regex", Kind: "string", Help: "Regular expression the output is matched against (see match_means); at most one of contains and regex."},
			{Name: "match_means", Kind: "enum", Default: "ok", Options: []string{"ok", "problem"}, Help: `What a match of contains or regex means: "ok" (no match is a problem) or "problem".`},
		},
		TargetHelp:     `the name of a command this agent's allow.d allows, e.g. "check-backup"`,
		ValidateTarget: CheckCommandName,
		New:            func(raw json.RawMessage) (Checker, error) { return newShellChecker(raw, Env{}) },
		NewWithEnv:     newShellChecker,
	})
}

// MaxCommandNameLen bounds the name of an allowed shell command.
const MaxCommandNameLen = 64

// CheckCommandName returns an error a person understands unless name is
// a shell command name: 1 to 64 bytes of lowercase letters, digits, '_',
// '.' and '-', starting with a letter or digit. The agent's allow-list,
// the check's target and the protocol all use this one rule.
func CheckCommandName(name string) error {
	const rule = "lowercase letters, digits, '_', '.' and '-', starting with a letter or digit"
	switch {
	case name == "":
		return errors.New(`the command name is missing, e.g. "check-backup"`)
	case len(name) > MaxCommandNameLen:
		return fmt.Errorf("a command name is at most %d bytes, this one %d", MaxCommandNameLen, len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		lowerOrDigit := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !lowerOrDigit && (i == 0 || c != '_' && c != '.' && c != '-') {
			return fmt.Errorf("%q is not a command name: use only %s", name, rule)
		}
	}
	return nil
}

type shellSettings struct {
	UseExitCode  bool   `json:"use_exit_code"`
	Range        string `json:"range"`
	WarningRange string `json:"warning_range"`
	ValueRegex   string `json:"value_regex"`
	Contains     string `json:"contains"`
	Regex        string `json:"regex"`
	MatchMeans   string `json:"match_means"`
}

// shellChecker runs the command a host's allow-list names target and
// judges its exit code, a number in its output and a match in it.
type shellChecker struct {
	useExit bool
	ok      *shellRange    // nil: no ok range
	warn    *shellRange    // nil: no warning range
	valueRe *regexp.Regexp // nil: the first number
	match   *shellMatch    // nil: no contains or regex
	command func(name string) (line string, ok bool)
	run     func(ctx context.Context, line string) shellRun
}

var _ Checker = (*shellChecker)(nil)

// newShellChecker validates the settings. The server calls it with the
// zero Env, which allows no command: it only validates.
func newShellChecker(raw json.RawMessage, env Env) (Checker, error) {
	s := shellSettings{UseExitCode: true, MatchMeans: "ok"}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &shellChecker{useExit: s.UseExitCode, command: env.Command, run: runShell}
	var err error
	if c.ok, err = parseShellRange(s.Range, "range"); err != nil {
		return nil, err
	}
	if c.warn, err = parseShellRange(s.WarningRange, "warning_range"); err != nil {
		return nil, err
	}
	if c.ok != nil && c.warn != nil && !c.ok.covers(c.warn) {
		return nil, &SettingError{Field: "settings.warning_range", Msg: fmt.Sprintf("must lie within range %s", c.ok)}
	}
	if s.ValueRegex != "" {
		if c.valueRe, err = regexp.Compile(s.ValueRegex); err != nil {
			return nil, &SettingError{Field: "settings.value_regex", Msg: "not a valid regular expression: " + regexpErrText(err)}
		}
		if c.valueRe.NumSubexp() != 1 {
			return nil, &SettingError{Field: "settings.value_regex", Msg: fmt.Sprintf("must have exactly one capture group (…) around the number, has %d", c.valueRe.NumSubexp())}
		}
	}
	if c.match, err = newShellMatch(s.Contains, s.Regex, s.MatchMeans); err != nil {
		return nil, err
	}
	return c, nil
}

// Check runs the allowed command line and judges what it did. A name the
// host does not allow is a problem, and nothing runs.
func (c *shellChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	line, ok := "", false
	if c.command != nil {
		line, ok = c.command(target)
	}
	if !ok {
		return problem(time.Since(start), fmt.Sprintf("command %q is not allowed on this agent: allow.d does not name it, or the agent refused allow.d (its log says why)", target), nil)
	}
	r := c.run(ctx, line)
	el := time.Since(start)
	if r.startErr != nil {
		return problem(el, "could not start the command: "+r.startErr.Error(), nil)
	}
	values := map[string]float64{"exit_code": float64(r.exitCode), "duration_ms": roundHundredths(Millis(r.took))}
	if r.timedOut {
		return problem(el, shellMessage([]string{shellStopped(ctx, start)}, r.output), values)
	}
	v := c.judge(r)
	if v.hasValue {
		values["value"] = v.value
	}
	return Result{Status: v.status, LatencyMS: Millis(el), Message: shellMessage(v.reasons, r.output), Values: values}
}

// shellStopped says why a run ended early: its deadline ("timed out
// after 5s") or the agent stopping.
func shellStopped(ctx context.Context, start time.Time) string {
	if errors.Is(ctx.Err(), context.Canceled) {
		return "stopped: the agent is shutting down"
	}
	took := time.Since(start)
	if dl, ok := ctx.Deadline(); ok && dl.After(start) {
		took = dl.Sub(start)
	}
	return "timed out after " + took.Round(10*time.Millisecond).String()
}

// regexpErrText drops the "error parsing regexp: " every error repeats.
func regexpErrText(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: %q", se.Code, se.Expr)
	}
	return err.Error()
}
