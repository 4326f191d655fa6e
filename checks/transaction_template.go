package checks

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// txVarRef matches one {{name}} reference in a step's text. Spaces inside
// the braces are allowed; anything else between braces is left as text.
var txVarRef = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// txVarName is what a variable's name may look like.
var txVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// txTemplate is a step's text with its {{name}} references parsed once, at
// validation, so a run only concatenates.
type txTemplate struct {
	raw   string
	parts []txPart // nil when raw holds no reference
}

// txPart is a literal, or a reference when ref is set.
type txPart struct {
	lit string
	ref string
}

func parseTemplate(s string) txTemplate {
	t := txTemplate{raw: s}
	matches := txVarRef.FindAllStringSubmatchIndex(s, -1)
	if len(matches) == 0 {
		return t
	}
	last := 0
	for _, m := range matches {
		if m[0] > last {
			t.parts = append(t.parts, txPart{lit: s[last:m[0]]})
		}
		t.parts = append(t.parts, txPart{ref: s[m[2]:m[3]]})
		last = m[1]
	}
	if last < len(s) {
		t.parts = append(t.parts, txPart{lit: s[last:]})
	}
	return t
}

// refs returns the names t refers to, in order, repeats included.
func (t txTemplate) refs() []string {
	var out []string
	for _, p := range t.parts {
		if p.ref != "" {
			out = append(out, p.ref)
		}
	}
	return out
}

// hasRefs reports whether t refers to any variable.
func (t txTemplate) hasRefs() bool { return t.parts != nil }

// expand substitutes the variables' values, as they are: no escaping.
// Validation has made sure every name is defined by the time it is used.
func (t txTemplate) expand(vars map[string]string) string {
	if t.parts == nil {
		return t.raw
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.ref != "" {
			b.WriteString(vars[p.ref])
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// shown is expand for messages, which every viewer of the monitor reads:
// the password stays {{password}}, and a variable whose value holds the
// password (a page that echoed it, taken out by an extraction) stays
// {{name}}, so that no one reads the password back through a failed
// expect.contains.
func (t txTemplate) shown(vars map[string]string) string {
	if t.parts == nil {
		return t.raw
	}
	forms := passwordForms(vars["password"])
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case p.ref == "":
			b.WriteString(p.lit)
		case p.ref == "password" || holdsPassword(vars[p.ref], forms):
			b.WriteString("{{" + p.ref + "}}")
		default:
			b.WriteString(vars[p.ref])
		}
	}
	return b.String()
}

// withPlaceholder puts word in place of every reference, so that the
// shape of a URL with references can be checked when it is saved.
func (t txTemplate) withPlaceholder(word string) string {
	if t.parts == nil {
		return t.raw
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.ref != "" {
			b.WriteString(word)
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// startsWithRef reports whether t begins with a reference, as in
// "{{next_url}}": then its scheme and host are only known at run time.
func (t txTemplate) startsWithRef() bool {
	return len(t.parts) > 0 && t.parts[0].ref != ""
}

// txJSON is a step's JSON body. Strings in it may hold references; keys
// may not. Without references the body is encoded once, at validation.
type txJSON struct {
	fixed []byte
	tree  any // decoded JSON whose strings with references are txTemplates
}

// newTxJSON parses a step's JSON body; visit sees each string with
// references and its path below "json" ("user.name", "items[0]").
func newTxJSON(v any, visit func(path string, t txTemplate)) (txJSON, error) {
	found := false
	tree := templateStrings(v, "", func(path string, t txTemplate) {
		found = true
		visit(path, t)
	})
	if found {
		return txJSON{tree: tree}, nil
	}
	b, err := marshalNoEscape(v)
	return txJSON{fixed: b}, err
}

func templateStrings(v any, path string, visit func(string, txTemplate)) any {
	switch x := v.(type) {
	case string:
		if t := parseTemplate(x); t.hasRefs() {
			visit(path, t)
			return t
		}
		return x
	case map[string]any:
		// In key order, so that of two undefined references the same one
		// is reported every time.
		out := make(map[string]any, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out[k] = templateStrings(x[k], joinPath(path, k), visit)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = templateStrings(e, path+"["+strconv.Itoa(i)+"]", visit)
		}
		return out
	}
	return v
}

// encode returns the body with the variables' values in place; a value
// goes in as a JSON string, escaped as JSON needs.
func (j txJSON) encode(vars map[string]string) ([]byte, error) {
	if j.tree == nil {
		return j.fixed, nil
	}
	return marshalNoEscape(expandTree(j.tree, vars))
}

func expandTree(v any, vars map[string]string) any {
	switch x := v.(type) {
	case txTemplate:
		return x.expand(vars)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = expandTree(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expandTree(e, vars)
		}
		return out
	}
	return v
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// marshalNoEscape encodes v as JSON without escaping <, > and & (a body
// is not HTML), and without the encoder's trailing newline.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
