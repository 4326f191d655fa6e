package server

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// webFIMLabels name the policy form's fields as the page labels them, so
// an error says which field it is about the way a person sees it.
var webFIMLabels = map[string]string{
	"name": "Name", "agents": "Agents", "paths": "Paths", "exclude": "Exclude", "interval": "Scan every",
	"attributes": "Attributes to watch", "severity": "Severity rules", "full_rehash_every": "Hash every file again",
	"io_limit_mbps": "Read at most",
}

// webFIMDefaultIOLimit is the read limit of a policy whose form leaves it
// empty, in MB/s.
const webFIMDefaultIOLimit = 50

// webFIMFormFrom reads the posted policy form as typed.
func webFIMFormFrom(v url.Values, id string) ui.FIMPolicyForm {
	return ui.FIMPolicyForm{
		ID: id, Name: v.Get("name"), Agents: v.Get("agents"), Paths: v.Get("paths"), Exclude: v.Get("exclude"),
		Interval: v.Get("interval"), Attributes: v["attributes"], Severity: v.Get("severity"),
		FullRehashEvery: v.Get("full_rehash_every"), IOLimitMBps: v.Get("io_limit_mbps"),
	}
}

// webFIMLines are the non-empty lines of a text area, trimmed, with the
// line number (from 1) each came from.
type webFIMLines struct {
	values []string
	line   []int
}

func webFIMSplitLines(s string) webFIMLines {
	var out webFIMLines
	for i, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out.values = append(out.values, l)
			out.line = append(out.line, i+1)
		}
	}
	return out
}

// webFIMFormPolicy turns the form into the API's policy input. What only
// the form can get wrong (a number that is none, a severity line without
// a severity, no attribute ticked) is found here, every field at once;
// the rest the API's checks find. lines maps a list field to the form
// lines its entries came from, so the API's "paths[2]" can be shown as
// "line 3".
func webFIMFormPolicy(f ui.FIMPolicyForm) (fimPolicyInput, map[string]webFIMLines, map[string]string) {
	errs := map[string]string{}
	in := fimPolicyInput{Name: f.Name, Interval: strings.TrimSpace(f.Interval), AgentSelectors: []string{}}
	for _, a := range strings.Split(f.Agents, ",") {
		if a = strings.TrimSpace(a); a != "" {
			in.AgentSelectors = append(in.AgentSelectors, a)
		}
	}
	paths, exclude, sev := webFIMSplitLines(f.Paths), webFIMSplitLines(f.Exclude), webFIMSplitLines(f.Severity)
	in.Paths, in.Exclude = paths.values, exclude.values
	in.FullRehashEvery = webFIMFormInt(errs, "full_rehash_every", f.FullRehashEvery, 0)
	io := webFIMFormInt(errs, "io_limit_mbps", f.IOLimitMBps, webFIMDefaultIOLimit)
	in.IOLimitMBps = &io
	for _, a := range fim.AllAttrs {
		if slices.Contains(f.Attributes, a) {
			in.Attributes = append(in.Attributes, a)
		}
	}
	if len(in.Attributes) == 0 {
		errs["attributes"] = "Attributes to watch: tick at least one"
	} else if len(in.Attributes) == len(fim.AllAttrs) {
		in.Attributes = nil // every one: attributes a later version adds are watched too
	}
	for i, l := range sev.values {
		cut := strings.LastIndexAny(l, " \t")
		if cut < 0 {
			errs["severity"] = fmt.Sprintf("Severity rules, line %d: write the pattern, a space and low, medium, high or critical", sev.line[i])
			break
		}
		in.Severity = append(in.Severity, fimSeverityRule{Pattern: strings.TrimSpace(l[:cut]), Severity: strings.ToLower(l[cut+1:])})
	}
	return in, map[string]webFIMLines{"paths": paths, "exclude": exclude, "severity": sev}, errs
}

// webFIMFormInt reads a whole number of 0 or more from field name, def when
// it is empty; a mistake goes into errs.
func webFIMFormInt(errs map[string]string, name, v string, def int) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		errs[name] = webFIMLabels[name] + ": a whole number, 0 or more"
	}
	return n
}

// webFIMIndexed is an API field such as "paths[2]" or "severity[0].pattern".
var webFIMIndexed = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]`)

// webFIMFormError places an API validation error (field "paths[2]") beside
// the form field it is about ("paths"), naming the label and the line.
func webFIMFormError(field, msg string, lines map[string]webFIMLines) (string, string) {
	name, line := field, 0
	if m := webFIMIndexed.FindStringSubmatch(field); m != nil {
		name = m[1]
		if name == "agent_selectors" {
			name = "agents"
		}
		i, _ := strconv.Atoi(m[2])
		if l, ok := lines[name]; ok && i < len(l.line) {
			line = l.line[i]
		} else if name == "agents" {
			line = -1 // agents are comma-separated: the message names the agent
		}
	} else if i := strings.IndexByte(field, '.'); i > 0 {
		name = field[:i]
	} else if name == "agent_selectors" {
		name = "agents"
	}
	label, ok := webFIMLabels[name]
	if !ok {
		return "", msg // a field the form does not have: the error goes on top
	}
	if line > 0 {
		label += fmt.Sprintf(", line %d", line)
	} else if rest, ok := strings.CutPrefix(msg, field+" "); ok {
		return name, label + " " + rest // "interval must be …" reads "Scan every must be …"
	}
	return name, label + ": " + msg
}

// webFIMFormFromPolicy fills the form with a stored or stock policy,
// its agents by name.
func webFIMFormFromPolicy(p store.FIMPolicy, agentNames map[string]string) ui.FIMPolicyForm {
	f := ui.FIMPolicyForm{
		ID: p.ID, Name: p.Name, Agents: strings.Join(webFIMSelectorNames(p.Agents, agentNames), ", "), Paths: strings.Join(p.Paths, "\n"),
		Exclude: strings.Join(p.Exclude, "\n"), Interval: formatDuration(p.Interval), Attributes: p.Attributes,
		IOLimitMBps: strconv.Itoa(p.IOLimitMBps),
	}
	if len(f.Attributes) == 0 {
		f.Attributes = fim.AllAttrs
	}
	if p.FullRehashEvery > 0 {
		f.FullRehashEvery = strconv.Itoa(p.FullRehashEvery)
	}
	var rules []string
	for _, r := range p.Severity {
		rules = append(rules, r.Pattern+" "+r.Severity)
	}
	f.Severity = strings.Join(rules, "\n")
	return f
}

// webFIMNewForm is the empty "New policy" form: every attribute ticked.
func webFIMNewForm() ui.FIMPolicyForm {
	return ui.FIMPolicyForm{Interval: "1h", IOLimitMBps: strconv.Itoa(webFIMDefaultIOLimit), Attributes: fim.AllAttrs}
}

// webFIMAttrOptions are the attributes a policy may watch, for the form.
func webFIMAttrOptions() []ui.Option {
	words := map[string]string{
		fim.AttrType: "type", fim.AttrSHA256: "content (SHA-256)", fim.AttrSize: "size", fim.AttrMode: "mode",
		fim.AttrUID: "owner (uid)", fim.AttrGID: "group (gid)", fim.AttrMTime: "modified time", fim.AttrInode: "inode",
		fim.AttrTarget: "symlink target",
	}
	out := make([]ui.Option, 0, len(fim.AllAttrs))
	for _, a := range fim.AllAttrs {
		out = append(out, ui.Option{Value: a, Label: words[a]})
	}
	return out
}

// webFIMSelectorNames writes a policy's agent selectors for people: an
// agent (stored by id, so a rename keeps it) by its name.
func webFIMSelectorNames(selectors []string, agentNames map[string]string) []string {
	out := make([]string, 0, len(selectors))
	for _, sel := range selectors {
		if name, ok := agentNames[sel]; ok {
			sel = name
		}
		out = append(out, sel)
	}
	return out
}
