package server

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// File-integrity policy limits and defaults. Paths, globs, interval and
// tuning are bounded as the agent protocol carries them (internal/wire).
const (
	defaultFIMInterval    = time.Hour
	defaultFIMIOLimitMBps = 50
	maxFIMSelectors       = 100
	maxFIMSeverityRules   = 256
)

// fimPolicyInput is a policy as the API and the forms receive it.
type fimPolicyInput struct {
	Name string `json:"name"`
	// Agents are selectors (strings). A GET's "agents" is a list of
	// objects (the agents' scan states): sent back unchanged, it is
	// read-only and the selectors stay as they are.
	Agents          json.RawMessage   `json:"agents"`
	AgentSelectors  []string          `json:"agent_selectors"`
	Paths           []string          `json:"paths"`
	Exclude         []string          `json:"exclude"`
	Attributes      []string          `json:"attributes"`
	Interval        string            `json:"interval"`
	Severity        []fimSeverityRule `json:"severity"`
	FullRehashEvery int               `json:"full_rehash_every"`
	IOLimitMBps     *int              `json:"io_limit_mbps"`

	// Read-only fields a client may send back unchanged from a GET.
	ID          *json.RawMessage `json:"id,omitempty"`
	Revision    *json.RawMessage `json:"revision,omitempty"`
	ScanRequest *json.RawMessage `json:"scan_request,omitempty"`
	ScanAskedAt *json.RawMessage `json:"scan_requested_at,omitempty"`
	OpenChanges *json.RawMessage `json:"open_changes,omitempty"`
	CreatedAt   *json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt   *json.RawMessage `json:"updated_at,omitempty"`
}

// fimSeverityRule is one severity rule in the API.
type fimSeverityRule struct {
	Pattern  string `json:"pattern"`
	Severity string `json:"severity"`
}

// inputFromFIMPolicy is the starting point of an update: fields the
// request leaves out keep their values.
func inputFromFIMPolicy(p store.FIMPolicy) fimPolicyInput {
	rules := make([]fimSeverityRule, 0, len(p.Severity))
	for _, r := range p.Severity {
		rules = append(rules, fimSeverityRule(r))
	}
	io := p.IOLimitMBps
	return fimPolicyInput{
		Name: p.Name, AgentSelectors: slices.Clone(p.Agents), Paths: slices.Clone(p.Paths), Exclude: slices.Clone(p.Exclude),
		Attributes: slices.Clone(p.Attributes), Interval: formatDuration(p.Interval), Severity: rules,
		FullRehashEvery: p.FullRehashEvery, IOLimitMBps: &io,
	}
}

// toFIMPolicy validates in and fills p (keeping its id, revision, scan
// request and times). Every problem is a 400 naming its field; the error
// holds them all (the API answers the first). agents resolves an agent
// selector that is an id or a name.
func (in fimPolicyInput) toFIMPolicy(p *store.FIMPolicy, agents agentLookup) error {
	var errs fieldErrors
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		errs.add(badRequest("name", "name is required"))
	case len(name) > maxNameLen:
		errs.add(badRequest("name", "name has at most %d characters", maxNameLen))
	}
	selectors, err := in.selectors(agents)
	errs.add(err)
	paths, err := fimPaths(in.Paths)
	errs.add(err)
	exclude, err := fimExclude(in.Exclude)
	errs.add(err)
	attrs, err := fimAttributes(in.Attributes)
	errs.add(err)
	interval, err := parseDuration("interval", in.Interval, defaultFIMInterval, wire.MinFIMInterval, wire.MaxFIMInterval)
	errs.add(err)
	rules, err := fimRules(in.Severity)
	errs.add(err)
	if in.FullRehashEvery < 0 || in.FullRehashEvery > wire.MaxFullRehashEvery {
		errs.add(badRequest("full_rehash_every", "full_rehash_every must be 0 (never) or a number of scans up to %d", wire.MaxFullRehashEvery))
	}
	ioLimit := defaultFIMIOLimitMBps
	if in.IOLimitMBps != nil {
		ioLimit = *in.IOLimitMBps
	}
	if ioLimit < 0 || ioLimit > wire.MaxIOLimitMBps {
		errs.add(badRequest("io_limit_mbps", "io_limit_mbps must be 0 (unlimited) or MB/s up to %d", wire.MaxIOLimitMBps))
	}
	if len(errs) > 0 {
		return errs
	}
	p.Name, p.Agents, p.Paths, p.Exclude, p.Attributes = name, selectors, paths, exclude, attrs
	p.Interval, p.Severity, p.FullRehashEvery, p.IOLimitMBps = interval, rules, in.FullRehashEvery, ioLimit
	return nil
}

// selectors returns the agent selectors: "agent_selectors" when sent,
// else "agents" when it is a list of strings. An agent named by id or
// name is stored by id, so a rename keeps it; labels are kept as typed.
func (in fimPolicyInput) selectors(agents agentLookup) ([]string, error) {
	field, list := "agent_selectors", in.AgentSelectors
	if raw := strings.TrimSpace(string(in.Agents)); raw != "" && raw != "null" {
		var strs []string
		if err := json.Unmarshal(in.Agents, &strs); err == nil {
			field, list = "agents", strs
		} else if !readOnlyAgents(in.Agents) {
			return nil, badRequest("agents", "agents must be a list of agent ids, names or label:KEY=VALUE selectors")
		}
	}
	if len(list) > maxFIMSelectors {
		return nil, badRequest(field, "a policy names at most %d agents or labels", maxFIMSelectors)
	}
	out := []string{}
	for i, sel := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		sel = strings.TrimSpace(sel)
		if label, ok := strings.CutPrefix(sel, labelSelector); ok {
			key, _, _ := strings.Cut(label, "=")
			if strings.TrimSpace(key) == "" || len(label) > maxLabelLen || strings.ContainsFunc(label, func(r rune) bool { return r == ',' || r < ' ' || r == 0x7f }) {
				return nil, badRequest(f, "%s: a label selector is label:KEY or label:KEY=VALUE, at most %d characters after label:, no commas", quote(shorten(sel, 40)), maxLabelLen)
			}
		} else {
			a, found := lookupIn(agents, sel)
			switch {
			case sel == "":
				return nil, badRequest(f, "an agent selector must not be empty")
			case !found:
				return nil, badRequest(f, "unknown agent %s: not the id or name of an agent, nor label:KEY=VALUE", quote(shorten(sel, 40)))
			case a.RevokedAt != nil:
				return nil, badRequest(f, "agent %s is revoked: it scans nothing", quote(a.Name))
			}
			sel = a.ID
		}
		if !slices.Contains(out, sel) {
			out = append(out, sel)
		}
	}
	return out, nil
}

func lookupIn(agents agentLookup, ref string) (store.Agent, bool) {
	if agents == nil || ref == "" {
		return store.Agent{}, false
	}
	return agents(ref)
}

// readOnlyAgents reports whether raw is a list of objects, as a GET
// shows the agents' states.
func readOnlyAgents(raw json.RawMessage) bool {
	var objs []map[string]json.RawMessage
	return json.Unmarshal(raw, &objs) == nil
}

// fimPaths checks the watched paths: absolute, cleaned, not repeated.
func fimPaths(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, badRequest("paths", "paths must name at least one absolute path to watch, like \"/etc\"")
	}
	if len(in) > wire.MaxFIMPaths {
		return nil, badRequest("paths", "a policy watches at most %d paths", wire.MaxFIMPaths)
	}
	var out []string
	for i, p := range in {
		f := fmt.Sprintf("paths[%d]", i)
		p = strings.TrimSpace(p)
		if err := checkFIMText(f, p); err != nil {
			return nil, err
		}
		switch {
		case strings.HasPrefix(p, "/"):
			p = path.Clean(p)
		case !windowsAbs(p):
			return nil, badRequest(f, "%s is not an absolute path: start it with / (or a drive, C:\\, on Windows)", quote(shorten(p, 60)))
		}
		if top := fimPseudoFS(p); top != "" {
			return nil, badRequest(f, "%s is under %s, a kernel pseudo file system: its files change all the time and reading some of them blocks or never ends; watch real files", quote(shorten(p, 60)), top)
		}
		if slices.Contains(out, p) {
			return nil, badRequest(f, "%s is listed twice", quote(shorten(p, 60)))
		}
		out = append(out, p)
	}
	return out, nil
}

// fimPseudoFSRoots are the kernel's pseudo file systems a policy may not
// watch.
var fimPseudoFSRoots = []string{"/proc", "/sys", "/dev"}

// fimPseudoFS returns the pseudo file system the cleaned path p is (or is
// under), or "".
func fimPseudoFS(p string) string {
	for _, top := range fimPseudoFSRoots {
		if p == top || strings.HasPrefix(p, top+"/") {
			return top
		}
	}
	return ""
}

// fimExclude checks the exclude globs.
func fimExclude(in []string) ([]string, error) {
	if len(in) > wire.MaxFIMExclude {
		return nil, badRequest("exclude", "a policy has at most %d exclude patterns", wire.MaxFIMExclude)
	}
	out := []string{}
	for i, g := range in {
		f := fmt.Sprintf("exclude[%d]", i)
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		if err := checkFIMText(f, g); err != nil {
			return nil, err
		}
		if err := fim.CheckPattern(g); err != nil {
			return nil, badRequest(f, "%s", err.Error())
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out, nil
}

// checkFIMText checks what the agent protocol needs of a path or glob.
func checkFIMText(field, s string) error {
	switch {
	case s == "":
		return badRequest(field, "must not be empty")
	case len(s) > wire.MaxPathLen:
		return badRequest(field, "is longer than %d bytes", wire.MaxPathLen)
	case strings.IndexByte(s, 0) >= 0:
		return badRequest(field, "must not contain a NUL character")
	}
	return nil
}

// fimAttributes checks the watched attributes; none means all.
func fimAttributes(in []string) ([]string, error) {
	out := []string{}
	for i, a := range in {
		a = strings.TrimSpace(a)
		if !slices.Contains(fim.AllAttrs, a) {
			return nil, badRequest(fmt.Sprintf("attributes[%d]", i), "unknown attribute %s: use %s", quote(shorten(a, 40)), strings.Join(fim.AllAttrs, ", "))
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == len(fim.AllAttrs) {
		return []string{}, nil // all of them: stored as "all", so new attributes are watched too
	}
	// Stored in fim.AllAttrs order, so the same set is the same revision.
	slices.SortFunc(out, func(a, b string) int { return slices.Index(fim.AllAttrs, a) - slices.Index(fim.AllAttrs, b) })
	return out, nil
}

// fimRules checks the severity rules.
func fimRules(in []fimSeverityRule) ([]store.FIMSeverityRule, error) {
	if len(in) > maxFIMSeverityRules {
		return nil, badRequest("severity", "a policy has at most %d severity rules", maxFIMSeverityRules)
	}
	out := []store.FIMSeverityRule{}
	for i, r := range in {
		f := fmt.Sprintf("severity[%d]", i)
		pattern := strings.TrimSpace(r.Pattern)
		if err := checkFIMText(f+".pattern", pattern); err != nil {
			return nil, err
		}
		if err := fim.CheckPattern(pattern); err != nil {
			return nil, badRequest(f+".pattern", "%s", err.Error())
		}
		sev := strings.ToLower(strings.TrimSpace(r.Severity))
		if !slices.Contains(store.FIMSeverities, sev) {
			return nil, badRequest(f+".severity", "severity must be %s, not %s", strings.Join(store.FIMSeverities, ", "), quote(shorten(r.Severity, 20)))
		}
		out = append(out, store.FIMSeverityRule{Pattern: pattern, Severity: sev})
	}
	return out, nil
}

// windowsAbs reports whether p starts with a drive letter and a slash,
// as a Windows agent's paths do.
func windowsAbs(p string) bool {
	return len(p) >= 3 && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}
