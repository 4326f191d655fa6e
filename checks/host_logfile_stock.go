package checks

import (
	"bytes"
	"regexp"
)

// StockLogPattern is a ready-made regular expression for a common kind of
// log line, chosen with the logfile type's stock_pattern setting.
type StockLogPattern struct {
	Name  string // value of the stock_pattern setting, e.g. "ssh_auth_failures"
	Title string // for people, e.g. "SSH authentication failures"
	Regex string // RE2 syntax, matched against one line

	// needle is text every matching line contains. Most lines lack it,
	// and looking for it first is 10 to 100 times faster than running
	// a regular expression that does not start with fixed text.
	needle string
}

// StockLogPatterns lists the stock patterns in the order forms and docs
// show them. Each is tested against real log lines in
// testdata/logfile/stock: the lines it must find and look-alikes it must
// not.
//
// Where one event writes several lines, a pattern counts the line that is
// always written once per event, so match counts mean events: the kernel
// rate-limits the "invoked oom-killer" and "oom-kill:" report lines under
// memory pressure, but always writes the "Killed process" line, so
// oom_kills counts that one.
var StockLogPatterns = []StockLogPattern{
	{
		Name:  "ssh_auth_failures",
		Title: "SSH authentication failures",
		// sshd (OpenSSH 9.8 and later log as sshd-session): a failed
		// password or key, an unknown user, or PAM's report for sshd.
		needle: "sshd",
		Regex:  `(?:^|\s)sshd(?:-session)?(?:\[\d+\])?: (?:Failed (?:password|publickey|keyboard-interactive/pam|none) for |Invalid user |pam_\w+\(sshd:auth\): authentication failure)`,
	},
	{
		Name:  "oom_kills",
		Title: "Kernel out-of-memory kills",
		// "Out of memory: Killed process 4321 (java)" (kernels before 5.0:
		// "Kill process"), also "Memory cgroup out of memory: …" for
		// containers and "Out of memory (oom_kill_allocating_task): …".
		needle: "ut of memory",
		Regex:  `(?:Out of memory|Memory cgroup out of memory)(?: \(oom_kill_allocating_task\))?: Kill(?:ed)? process \d+`,
	},
	{
		Name:  "sudo_failures",
		Title: "sudo failures",
		// sudo's own report "alice : 3 incorrect password attempts ; TTY=…"
		// (or "user NOT in sudoers", "command not allowed"), or PAM's
		// report for sudo. The success line has "TTY=" right after the
		// user, so a command that merely contains these words is no match.
		needle: "sudo",
		Regex:  `(?:^|\s)sudo(?:\[\d+\])?: (?:pam_\w+\(sudo:auth\): authentication failure|\s*\S+ : (?:\d+ incorrect password attempts?|user NOT in sudoers|user NOT authorized on host|command not allowed) ;)`,
	},
	{
		Name:  "http_5xx",
		Title: "HTTP 5xx responses (nginx/Apache access log)",
		// Common and combined log format: the status right after the
		// quoted request line. Both servers escape a quote inside the
		// request, so a "500" in the URL, size or user agent is no match.
		needle: `" 5`,
		Regex:  `\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" 5\d\d(?: |$)`,
	},
	{
		Name:  "segfaults",
		Title: "Segmentation faults",
		// The kernel's "myapp[4321]: segfault at 0 ip 00005588… sp … error 4".
		needle: "]: segfault at ",
		Regex:  `\[\d+\]: segfault at [0-9a-f]+ ip [0-9a-f]+`,
	},
}

// stockLogMatchers holds each stock pattern compiled once; a pattern that
// does not compile fails every test of this package at start.
var stockLogMatchers = func() map[string]logMatcher {
	m := make(map[string]logMatcher, len(StockLogPatterns))
	for _, p := range StockLogPatterns {
		m[p.Name] = logMatcher{re: regexp.MustCompile(p.Regex), needle: []byte(p.needle)}
	}
	return m
}()

// logMatcher matches one line: the regular expression, tried only on
// lines that contain the needle (when there is one).
type logMatcher struct {
	re     *regexp.Regexp
	needle []byte
}

// match reports whether line matches.
func (m logMatcher) match(line []byte) bool {
	return (len(m.needle) == 0 || bytes.Contains(line, m.needle)) && m.re.Match(line)
}

// stockLogNames returns the stock pattern names in order, for the
// setting's options.
func stockLogNames() []string {
	names := make([]string, len(StockLogPatterns))
	for i, p := range StockLogPatterns {
		names[i] = p.Name
	}
	return names
}

// stockLogTitles names the stock patterns for the form, in the order of
// stockLogNames.
func stockLogTitles() []string {
	titles := make([]string, len(StockLogPatterns))
	for i, p := range StockLogPatterns {
		titles[i] = p.Title
	}
	return titles
}
