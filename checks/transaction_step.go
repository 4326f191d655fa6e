package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// txStepJSON is one step as written in the steps setting.
type txStepJSON struct {
	Name            string            `json:"name"`
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	Headers         map[string]string `json:"headers"`
	Form            map[string]string `json:"form"`
	JSON            json.RawMessage   `json:"json"`
	Body            *string           `json:"body"`
	FollowRedirects *bool             `json:"follow_redirects"`
	Expect          txExpectJSON      `json:"expect"`
	Extract         []json.RawMessage `json:"extract"`
}

type txExpectJSON struct {
	Status      string `json:"status"`
	Contains    string `json:"contains"`
	NotContains string `json:"not_contains"`
	Regex       string `json:"regex"`
	MaxMS       int    `json:"max_ms"`
}

type txExtractJSON struct {
	Name   string `json:"name"`
	From   string `json:"from"`
	Regex  string `json:"regex"`
	Path   string `json:"path"`
	Header string `json:"header"`
}

// txStep is a validated step, ready to run.
type txStep struct {
	num     int    // 1-based, as people count
	label   string // "step 2 'submit login'"
	field   string // "settings.steps[1]"
	method  string
	url     txTemplate
	origin  txOrigin  // the url's scheme, host and port when written out; else ""
	headers []txField // sorted by name
	form    []txField // sorted by name
	json    *txJSON
	jsonUse []txUse // the json body's strings with references
	body    *txTemplate
	sends   []txUse // the texts above that go into the request, see sent
	follow  bool

	status      StatusRanges
	contains    txTemplate
	notContains txTemplate
	re          *regexp.Regexp
	maxMS       int
	extract     []*txExtract
}

// txField is a header or a form field: a literal name, a templated value.
type txField struct {
	name  string
	value txTemplate
}

// txUse is one templated text of a step and its field below the step.
type txUse struct {
	field string
	t     txTemplate
}

func decodeStep(raw json.RawMessage, i int, follow bool) (*txStep, error) {
	field := fmt.Sprintf("settings.steps[%d]", i)
	var in txStepJSON
	if err := decodeStrict(raw, &in); err != nil {
		return nil, stepDecodeError(field, raw, err)
	}
	st := &txStep{num: i + 1, field: field, follow: follow, method: strings.ToUpper(in.Method)}
	bad := func(sub, msg string) error { return &SettingError{Field: field + sub, Msg: msg} }
	if strings.ContainsAny(in.Name, "\r\n") || len(in.Name) > maxTxNameLen {
		return nil, bad(".name", fmt.Sprintf("must be one line of at most %d characters", maxTxNameLen))
	}
	if err := st.setRequest(in, bad); err != nil {
		return nil, err
	}
	st.sends = st.sent()
	st.label = fmt.Sprintf("step %d '%s'", st.num, in.Name)
	if in.Name == "" {
		st.label = fmt.Sprintf("step %d (%s %s)", st.num, st.method, in.URL)
	}
	if in.FollowRedirects != nil {
		st.follow = *in.FollowRedirects
	}
	if err := st.setExpect(in.Expect, bad); err != nil {
		return nil, err
	}
	for j, r := range in.Extract {
		x, err := decodeExtract(r, fmt.Sprintf("%s.extract[%d]", field, j))
		if err != nil {
			return nil, err
		}
		st.extract = append(st.extract, x)
	}
	return st, nil
}

// setRequest validates what the step sends.
func (st *txStep) setRequest(in txStepJSON, bad func(sub, msg string) error) error {
	bodies := 0
	if string(bytes.TrimSpace(in.JSON)) == "null" {
		in.JSON = nil // as absent as a null form or body
	}
	for _, set := range []bool{in.Form != nil, in.JSON != nil, in.Body != nil} {
		if set {
			bodies++
		}
	}
	if bodies > 1 {
		return bad("", "give at most one of form, json and body")
	}
	if st.method == "" {
		st.method = "GET"
		if bodies > 0 {
			st.method = "POST"
		}
	}
	if !slices.Contains(httpMethods, st.method) {
		return bad(".method", "must be one of "+strings.Join(httpMethods, ", "))
	}
	var msg string
	if st.origin, msg = checkStepURL(in.URL); msg != "" {
		return bad(".url", msg)
	}
	st.url = parseTemplate(in.URL)
	for name, v := range in.Headers {
		if !validHeaderName(name) || strings.ContainsAny(v, "\r\n") {
			return bad(".headers", fmt.Sprintf("header %q is not a valid header", name))
		}
		t := parseTemplate(v)
		if strings.EqualFold(name, "Host") && t.hasRefs() {
			// A shared front end (a CDN, a proxy) routes by this header: a
			// variable here would pick the site the request reaches.
			return bad(".headers."+name, "a variable may not choose the host: write the Host header out")
		}
		st.headers = append(st.headers, txField{name, t})
	}
	if in.Form != nil {
		// Not nil even when empty: an empty form is still a form body.
		st.form = make([]txField, 0, len(in.Form))
	}
	for name, v := range in.Form {
		st.form = append(st.form, txField{name, parseTemplate(v)})
	}
	sortFields(st.headers)
	sortFields(st.form)
	if in.Body != nil {
		t := parseTemplate(*in.Body)
		st.body = &t
	}
	if in.JSON != nil {
		return st.setJSON(in.JSON, bad)
	}
	return nil
}

func (st *txStep) setJSON(raw json.RawMessage, bad func(sub, msg string) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return bad(".json", "not valid JSON: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	j, err := newTxJSON(v, func(path string, t txTemplate) {
		field := "json"
		if path != "" && path[0] != '[' {
			field += "."
		}
		st.jsonUse = append(st.jsonUse, txUse{field + path, t})
	})
	if err != nil {
		return bad(".json", err.Error())
	}
	st.json = &j
	return nil
}

// checkStepURL returns what is wrong with a step's URL, or "", and its
// literal origin (see stepURLOrigin). A URL that starts with a variable
// ("{{next}}") is only known at run time, where it must lead to a literal
// origin.
func checkStepURL(raw string) (txOrigin, string) {
	if strings.TrimSpace(raw) == "" {
		return "", `is required: a path relative to the target such as "/login", or an absolute URL`
	}
	t := parseTemplate(raw)
	if t.startsWithRef() {
		return "", ""
	}
	origin, msg := stepURLOrigin(t)
	if msg != "" {
		return "", msg
	}
	u, _ := url.Parse(t.withPlaceholder("0")) // parsed by stepURLOrigin
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return "", "must be a path relative to the target or an http:// or https:// URL"
	}
	if u.Scheme != "" && u.Hostname() == "" {
		return "", "the URL has no host"
	}
	if u.Scheme == "" && u.Host != "" {
		// Written out, another host is plain to whoever reads the steps
		// (and to the server, which asks for the password again then).
		return "", "a URL of another host needs its scheme: https://" + u.Host + "/…"
	}
	return origin, ""
}

// setExpect validates what the step's answer must look like.
func (st *txStep) setExpect(in txExpectJSON, bad func(sub, msg string) error) error {
	status := in.Status
	if status == "" {
		status = "200-299"
	}
	var err error
	if st.status, err = ParseStatusRanges(status); err != nil {
		return bad(".expect.status", err.Error())
	}
	st.contains, st.notContains = parseTemplate(in.Contains), parseTemplate(in.NotContains)
	if in.Regex != "" {
		if st.re, err = regexp.Compile(in.Regex); err != nil {
			return bad(".expect.regex", regexpMessage(err))
		}
	}
	if in.MaxMS < 0 {
		return bad(".expect.max_ms", "must be 0 (off) or a positive number of milliseconds")
	}
	st.maxMS = in.MaxMS
	return nil
}

func decodeExtract(raw json.RawMessage, field string) (*txExtract, error) {
	var in txExtractJSON
	if err := decodeStrict(raw, &in); err != nil {
		return nil, stepDecodeError(field, raw, err)
	}
	bad := func(sub, msg string) error { return &SettingError{Field: field + sub, Msg: msg} }
	x := &txExtract{name: in.Name, from: in.From, header: in.Header, pathText: in.Path}
	switch {
	case !txVarName.MatchString(in.Name):
		return nil, bad(".name", "must be a variable name: letters, digits and _, not starting with a digit")
	case slices.Contains(txReserved, in.Name):
		return nil, bad(".name", fmt.Sprintf("%q is taken by the %s setting", in.Name, in.Name))
	}
	var err error
	if in.Regex != "" {
		if x.re, err = regexp.Compile(in.Regex); err != nil {
			return nil, bad(".regex", regexpMessage(err))
		}
	}
	switch in.From {
	case extractBody:
		if x.re == nil {
			return nil, bad(".regex", "is required to extract from the body; its first group is the value")
		}
	case extractJSON:
		if x.path, err = parseJSONPath(in.Path); err != nil {
			return nil, bad(".path", "not a JSON path such as data.items[0].id: "+err.Error())
		}
	case extractHeader:
		if !validHeaderName(in.Header) {
			return nil, bad(".header", "must name a response header, e.g. Location")
		}
	default:
		return nil, bad(".from", `must be "body", "json" or "header"`)
	}
	return x, nil
}

// uses lists every templated text the step sends or expects, with its
// field below the step, in the order a person reads the step.
func (st *txStep) uses() []txUse {
	return append(st.sent(), txUse{"expect.contains", st.contains}, txUse{"expect.not_contains", st.notContains})
}

// sent lists the templated texts that go into the step's request.
func (st *txStep) sent() []txUse {
	out := []txUse{{"url", st.url}}
	for _, h := range st.headers {
		out = append(out, txUse{"headers." + h.name, h.value})
	}
	for _, f := range st.form {
		out = append(out, txUse{"form." + f.name, f.value})
	}
	out = append(out, st.jsonUse...)
	if st.body != nil {
		out = append(out, txUse{"body", *st.body})
	}
	return out
}
