package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// templateFuncs are offered to body templates beyond text/template's own.
var templateFuncs = template.FuncMap{
	// json quotes a value for a JSON body: {"title": {{json .Summary}}}.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}

// parseBodyTemplate parses a body template and tries it on a sample event,
// so a template that cannot work is refused when the contact is saved, not
// when the first incident opens.
func parseBodyTemplate(src, contentType string) (*template.Template, error) {
	if len(src) > maxTemplateLen {
		return nil, settingErr("body_template", "is longer than %d bytes", maxTemplateLen)
	}
	t, err := template.New("body").Funcs(templateFuncs).Parse(src)
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

// checkTemplateShape refuses loops and nested templates. An event holds no
// lists, so a body never needs them, and without them rendering takes time
// in proportion to the template: `{{range 1000000000000}}{{end}}` or
// templates calling each other twice per level could otherwise spin a
// sender for hours.
func checkTemplateShape(t *template.Template) error {
	if len(t.Templates()) > 1 {
		return errors.New("define and block are not supported: write one template")
	}
	var walk func(n parse.Node) error
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *parse.IfNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.WithNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.RangeNode:
			return errors.New("range is not supported: an event has no lists to loop over")
		case *parse.TemplateNode:
			return errors.New("template calls are not supported: write one template")
		}
		return nil
	}
	return walk(t.Tree.Root)
}

func walkBranch(walk func(parse.Node) error, b *parse.BranchNode) error {
	if err := walk(b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return walk(b.ElseList)
	}
	return nil
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
