package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// A body template may use fields of the event, methods with literal
// arguments ({{.At.Format "2006-01-02"}}), if/else/with, and the functions
// in allowedFuncs. Everything that can build a value bigger than its
// input, again and again, is refused when the template is saved:
// variables ({{$a := printf "%0999999d" 1}}{{$b := print $a $a}}… doubles
// per step), print/printf/println, html/js/urlquery nested in each other,
// a method fed a computed value ({{.At.Format (.At.Format "1")}}),
// index/slice/call. What json returns is budgeted per body (jsonBudget).
// Rendering then costs time and memory in proportion to the template and
// the event, both bounded.
var allowedFuncs = map[string]bool{
	"json": true, "and": true, "or": true, "not": true, "len": true,
	"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true,
}

// refusedBuiltins replaces text/template's built-ins that are not in
// allowedFuncs, in case a template reaches one that checkTemplateShape
// did not see: each fails instead of building a value.
var refusedBuiltins = func() template.FuncMap {
	m := template.FuncMap{}
	for _, name := range []string{"print", "printf", "println", "call", "index", "slice", "html", "js", "urlquery"} {
		m[name] = func(...any) (string, error) { return "", fmt.Errorf("%s is not supported in a body template", name) }
	}
	return m
}()

// jsonBudget bounds the bytes json may return while one body renders, in
// all its calls together: {{json (json (json .Text))}} nearly doubles per
// level, and a value that big could not be sent anyway.
const jsonBudget = maxRenderedBody

var errJSONBudget = fmt.Errorf("json would return over %d bytes in all for this body", jsonBudget)

// jsonFunc is the json function of one rendering, charging what it
// returns to budget. json quotes a value for a JSON body:
// {"title": {{json .Summary}}}.
func jsonFunc(budget *int) func(any) (string, error) {
	return func(v any) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		if *budget -= len(b); *budget < 0 {
			return "", errJSONBudget
		}
		return string(b), nil
	}
}

// templateFuncs are what templates are parsed with; renderBody gives each
// rendering its own json.
func templateFuncs() template.FuncMap {
	m := template.FuncMap{"json": jsonFunc(new(int))}
	for k, v := range refusedBuiltins {
		m[k] = v
	}
	return m
}

// parseBodyTemplate parses a body template and tries it on a sample event,
// so a template that cannot work is refused when the contact is saved, not
// when the first incident opens.
func parseBodyTemplate(src, contentType string) (*template.Template, error) {
	if len(src) > maxTemplateLen {
		return nil, settingErr("body_template", "is longer than %d bytes", maxTemplateLen)
	}
	t, err := template.New("body").Funcs(templateFuncs()).Parse(src)
	if err != nil {
		return nil, settingErr("body_template", "does not parse: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	if err := checkTemplateShape(t); err != nil {
		return nil, settingErr("body_template", "%s", err)
	}
	out, err := renderBody(t, sampleEvent())
	if err != nil {
		return nil, settingErr("body_template", "fails on a sample event: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	if isJSON(contentType) && !json.Valid(out) {
		return nil, settingErr("body_template", "renders invalid JSON for a sample event (whose texts hold quotes): "+
			"quote text with the json function, e.g. {\"name\": {{json .Monitor.Name}}}")
	}
	return t, nil
}

// checkTemplateShape refuses loops, nested templates, variables and
// everything else the comment on allowedFuncs lists. An event holds no
// lists, so a body never needs a loop, and without them rendering takes
// time in proportion to the template: `{{range 1000000000000}}{{end}}` or
// templates calling each other twice per level could otherwise spin a
// sender for hours.
func checkTemplateShape(t *template.Template) error {
	if len(t.Templates()) > 1 {
		return errors.New("define and block are not supported: write one template")
	}
	return checkNode(t.Tree.Root)
}

func checkNode(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNode(c); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode, *parse.CommentNode:
		return nil
	case *parse.ActionNode:
		return checkPipe(n.Pipe)
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.RangeNode:
		return errors.New("range is not supported: an event has no lists to loop over")
	case *parse.TemplateNode:
		return errors.New("template calls are not supported: write one template")
	}
	return fmt.Errorf("%s is not supported", clip(n.String(), 60))
}

func checkBranch(b *parse.BranchNode) error {
	if err := checkPipe(b.Pipe); err != nil {
		return err
	}
	if err := checkNode(b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return checkNode(b.ElseList)
	}
	return nil
}

func checkPipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	if len(p.Decl) > 0 {
		return errors.New("variables ($x := …) are not supported: use the fields directly, e.g. {{json .Monitor.Name}}")
	}
	for i, cmd := range p.Cmds {
		if err := checkCommand(cmd, i > 0); err != nil {
			return err
		}
	}
	return nil
}

// checkCommand checks one command of a pipeline; piped says it gets the
// previous command's value as its last argument.
func checkCommand(c *parse.CommandNode, piped bool) error {
	if len(c.Args) == 0 {
		return nil
	}
	switch first := c.Args[0].(type) {
	case *parse.IdentifierNode:
		if err := checkFunc(first.Ident); err != nil {
			return err
		}
		for _, arg := range c.Args[1:] {
			if err := checkArg(arg); err != nil {
				return err
			}
		}
		return nil
	case *parse.FieldNode, *parse.VariableNode, *parse.ChainNode:
		// A field, or a method such as .At.Format: its arguments must be
		// written out, so no method is fed a value it made itself.
		if piped {
			return fmt.Errorf("%s cannot take a piped value: write its argument out, e.g. {{.At.Format \"2006-01-02\"}}", clip(first.String(), 60))
		}
		for _, arg := range c.Args[1:] {
			if !isLiteral(arg) {
				return fmt.Errorf("the arguments of %s must be written out (text, numbers), e.g. {{.At.Format \"2006-01-02\"}}", clip(first.String(), 60))
			}
		}
		if ch, ok := first.(*parse.ChainNode); ok {
			return checkArg(ch.Node)
		}
		return nil
	}
	for _, arg := range c.Args {
		if err := checkArg(arg); err != nil {
			return err
		}
	}
	return nil
}

func checkArg(n parse.Node) error {
	switch n := n.(type) {
	case *parse.PipeNode:
		return checkPipe(n)
	case *parse.ChainNode:
		return checkArg(n.Node)
	case *parse.IdentifierNode:
		return checkFunc(n.Ident)
	case *parse.FieldNode, *parse.VariableNode, *parse.DotNode:
		return nil
	}
	if isLiteral(n) {
		return nil
	}
	return fmt.Errorf("%s is not supported", clip(n.String(), 60))
}

func checkFunc(name string) error {
	if allowedFuncs[name] {
		return nil
	}
	return fmt.Errorf("the function %s is not supported; a body template may use json, eq, ne, lt, le, gt, ge, and, or, not and len", name)
}

func isLiteral(n parse.Node) bool {
	switch n.(type) {
	case *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
		return true
	}
	return false
}

var errBodyTooLong = errors.New("the rendered body is over 1 MiB")

// cappedBuffer refuses to grow past its limit, so a template cannot
// allocate without bound.
type cappedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, errBodyTooLong
	}
	return b.Buffer.Write(p)
}

// renderBody executes a body template for ev. A test event gets a stand-in
// incident, so a template written for incidents (`{{.Incident.ID}}`) also
// works for the "send a test" button.
func renderBody(t *template.Template, ev Event) ([]byte, error) {
	if ev.Incident == nil {
		ev.Incident = &Incident{ID: "test", StartedAt: ev.At, Status: "open", Message: "test notification from Vigil"}
	}
	// Each rendering gets its own json budget: a clone shares the parsed
	// tree, so this costs little, and concurrent sends do not share it.
	t, err := t.Clone()
	if err != nil {
		return nil, err
	}
	budget := jsonBudget
	t.Funcs(template.FuncMap{"json": jsonFunc(&budget)})
	buf := &cappedBuffer{limit: maxRenderedBody}
	if err := t.Execute(buf, ev); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// sampleEvent is an opened incident whose texts hold the characters that
// break hand-quoted JSON, used to try templates out.
func sampleEvent() Event {
	start := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	return Event{
		Kind:    KindOpened,
		Monitor: Monitor{ID: "mon_sample", Name: `Web "front" <eu>`, Type: "http", Target: "https://example.com/health?a=1&b=2"},
		Incident: &Incident{
			ID: "inc_sample", StartedAt: start, Status: "open",
			Message: "503 Service Unavailable: \"upstream\" \\ down\n",
		},
		At:         start.Add(90 * time.Second),
		MonitorURL: "https://vigil.example.com/monitors/mon_sample",
		Location:   "server",
	}
}
