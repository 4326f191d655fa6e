package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// enclosingField is the nearest ancestor with class "field", the box a
// control shares with its label, hint and error.
func enclosingField(n *html.Node) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if cls, _ := attr(p, "class"); slices.Contains(strings.Fields(cls), "field") {
			return p
		}
	}
	return nil
}

func TestFieldErrorsBesideFields(t *testing.T) {
	setup := SetupProps{Errors: map[string]string{"code": "wrong code", "password": "too short", "": "try again"}}
	tests := []struct {
		name string
		comp templ.Component
		errs map[string]string
	}{
		{"setup", SetupPage(setup), setup.Errors},
		{"monitor form", MonitorFormPage(sampleForm()), sampleForm().Errors},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for field, msg := range tc.errs {
				if field == "" {
					top := findAll(doc, byTestID("form-error"))
					if len(top) != 1 || !strings.Contains(text(top[0]), msg) {
						t.Errorf("form-wide error %q not shown at the top", msg)
					}
					continue
				}
				controls := findAll(doc, func(n *html.Node) bool {
					name, _ := attr(n, "name")
					typ, _ := attr(n, "type")
					return name == field && typ != "hidden" && (n.Data == "input" || n.Data == "select" || n.Data == "textarea")
				})
				if len(controls) != 1 {
					t.Fatalf("%s: %d controls, want 1", field, len(controls))
				}
				c := controls[0]
				if v, _ := attr(c, "aria-invalid"); v != "true" {
					t.Errorf("%s: aria-invalid = %q", field, v)
				}
				desc, _ := attr(c, "aria-describedby")
				errs := findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == errID(field) })
				if len(errs) != 1 {
					t.Fatalf("%s: no error element with id %s", field, errID(field))
				}
				e := errs[0]
				if !slices.Contains(strings.Fields(desc), errID(field)) {
					t.Errorf("%s: aria-describedby %q lacks %s", field, desc, errID(field))
				}
				if tid, _ := attr(e, "data-testid"); tid != "field-error" {
					t.Errorf("%s: error data-testid = %q", field, tid)
				}
				if text(e) != msg {
					t.Errorf("%s: error text = %q, want %q", field, text(e), msg)
				}
				if f := enclosingField(c); f == nil || f != enclosingField(e) {
					t.Errorf("%s: error is not in the same field box as its control", field)
				}
			}
		})
	}
}

func TestFormFollowsType(t *testing.T) {
	tests := []struct {
		typ          string
		want, absent []string
	}{
		{"http", []string{"settings.method", "settings.expected_status", "settings.headers", "settings.follow_redirects"}, []string{"settings.record_type"}},
		{"dns", []string{"settings.record_type", "settings.server"}, []string{"settings.method"}},
		{"tcp", nil, []string{"settings.method", "settings.record_type"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			p := sampleForm()
			p.Values.Type = tc.typ
			doc := parse(t, render(t, MonitorFormPage(p)))
			names := map[string][]*html.Node{}
			for _, n := range findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "name"); return ok }) {
				name, _ := attr(n, "name")
				names[name] = append(names[name], n)
			}
			for _, w := range tc.want {
				if len(names[w]) == 0 {
					t.Errorf("missing field %s", w)
				}
			}
			for _, a := range tc.absent {
				if len(names[a]) != 0 {
					t.Errorf("field %s of another type is shown", a)
				}
			}
			sel := findAll(doc, func(n *html.Node) bool {
				_, ok := attr(n, "selected")
				name, _ := attr(n.Parent, "name")
				return ok && name == "type"
			})
			if len(sel) != 1 || func() string { v, _ := attr(sel[0], "value"); return v }() != tc.typ {
				t.Errorf("type select does not have %s selected", tc.typ)
			}
		})
	}
	t.Run("bool sends false when unchecked", func(t *testing.T) {
		doc := parse(t, render(t, MonitorFormPage(sampleForm())))
		var kinds []string
		for _, n := range findAll(doc, func(n *html.Node) bool { name, _ := attr(n, "name"); return name == "settings.follow_redirects" }) {
			typ, _ := attr(n, "type")
			val, _ := attr(n, "value")
			_, checked := attr(n, "checked")
			kinds = append(kinds, typ+"="+val+map[bool]string{true: "+checked"}[checked])
		}
		// The hidden input comes first so a checked box (sent last) wins;
		// the sample's typed "false" leaves the box unchecked.
		if want := []string{"hidden=false", "checkbox=true"}; !slices.Equal(kinds, want) {
			t.Errorf("inputs = %q, want %q", kinds, want)
		}
	})
	t.Run("rejected values shown as typed", func(t *testing.T) {
		doc := parse(t, render(t, MonitorFormPage(sampleForm())))
		for name, want := range map[string]string{"interval": "5", "settings.max_redirects": "x", "target": "example.com"} {
			in := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return v == name })
			if len(in) != 1 {
				t.Fatalf("%s: %d inputs", name, len(in))
			}
			if v, _ := attr(in[0], "value"); v != want {
				t.Errorf("%s value = %q, want %q", name, v, want)
			}
		}
	})
	t.Run("change type without javascript", func(t *testing.T) {
		for _, editing := range []bool{false, true} {
			p := sampleForm()
			p.Editing, p.Values.ID = editing, "m 1"
			doc := parse(t, render(t, MonitorFormPage(p)))
			btn := findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "data-change-type-submit"); return ok })
			if len(btn) != 1 {
				t.Fatal("no Change type button")
			}
			action, _ := attr(btn[0], "formaction")
			method, _ := attr(btn[0], "formmethod")
			want := map[bool]string{false: "/monitors/new", true: "/monitors/m%201/edit"}[editing]
			// POST, so the CSRF token and the typed values stay out of the URL.
			if action != want || method != "post" {
				t.Errorf("editing=%v: formaction=%q formmethod=%q, want %q post", editing, action, method, want)
			}
		}
	})
}
