package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Where a step's extraction reads its value.
const (
	extractBody   = "body"
	extractJSON   = "json"
	extractHeader = "header"
)

// txExtract takes one value out of a step's answer into a variable.
type txExtract struct {
	name     string
	from     string
	re       *regexp.Regexp // required from the body; optional on a header or JSON value
	path     jsonPath
	pathText string
	header   string
}

// stepAnswer is what extractions read: the final response of a step.
type stepAnswer struct {
	header http.Header
	body   []byte
	doc    any // the body decoded as JSON, on first use
	docErr error
	parsed bool
}

func (a *stepAnswer) json() (any, error) {
	if !a.parsed {
		a.parsed = true
		dec := json.NewDecoder(bytes.NewReader(a.body))
		dec.UseNumber()
		a.docErr = dec.Decode(&a.doc)
	}
	return a.doc, a.docErr
}

// run returns the extracted value, or an error that completes
// "extract <name>: …".
func (x *txExtract) run(a *stepAnswer) (string, error) {
	var text string
	switch x.from {
	case extractBody:
		return x.match(a.body)
	case extractHeader:
		vals := a.header.Values(x.header)
		if len(vals) == 0 {
			return "", fmt.Errorf("no %s header in the answer", http.CanonicalHeaderKey(x.header))
		}
		text = strings.Join(vals, ", ")
	case extractJSON:
		doc, err := a.json()
		if err != nil {
			return "", errors.New("the body is not JSON")
		}
		v, ok := x.path.lookup(doc)
		if !ok || v == nil {
			return "", fmt.Errorf("%s not found in the JSON body", x.pathText)
		}
		text = jsonText(v)
	}
	if x.re == nil {
		return text, nil
	}
	return x.match([]byte(text))
}

// match returns the first group of x.re in b, or the whole match when the
// expression has no group.
func (x *txExtract) match(b []byte) (string, error) {
	m := x.re.FindSubmatch(b)
	if m == nil {
		return "", errors.New("regex matched nothing")
	}
	if len(m) > 1 {
		return string(m[1]), nil
	}
	return string(m[0]), nil
}

// jsonText is how a JSON value becomes a variable: a string as it is,
// anything else as its JSON text (42, true, {"a":1}).
func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, err := marshalNoEscape(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// jsonPath is a dotted path with array indexes: data.items[0].id.
type jsonPath []jsonStep

type jsonStep struct {
	key   string
	index int // used when key is ""
}

// maxJSONIndex bounds an index in a path; a body is at most 1 MiB, so no
// array in it is longer.
const maxJSONIndex = 1 << 20

// parseJSONPath reads a path such as "data.items[0].id"; a leading "$."
// is allowed. Keys are separated by dots and may hold any other
// character but brackets.
func parseJSONPath(s string) (jsonPath, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("is empty")
	}
	rest := s
	switch {
	case rest == "$":
		rest = ""
	case strings.HasPrefix(rest, "$."), strings.HasPrefix(rest, "$["):
		rest = strings.TrimPrefix(rest[1:], ".")
	}
	var p jsonPath
	wantKey := true // at the start or after a dot
	for i := 0; i < len(rest); {
		switch rest[i] {
		case '[':
			end := strings.IndexByte(rest[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("%q: [ is never closed", s)
			}
			n, err := strconv.Atoi(rest[i+1 : i+end])
			if err != nil || n < 0 || n > maxJSONIndex {
				return nil, fmt.Errorf("%q: index %q is not a whole number from 0", s, rest[i+1:i+end])
			}
			p, i, wantKey = append(p, jsonStep{index: n}), i+end+1, false
		case '.':
			if wantKey {
				return nil, fmt.Errorf("%q: a name is missing before a dot", s)
			}
			if i++; i == len(rest) {
				return nil, fmt.Errorf("%q: ends with a dot", s)
			}
			wantKey = true
		case ']':
			return nil, fmt.Errorf("%q: ] without [", s)
		default:
			if !wantKey {
				return nil, fmt.Errorf("%q: a dot is missing after ]", s)
			}
			end := i + strings.IndexAny(rest[i:]+".", ".[]")
			p, i, wantKey = append(p, jsonStep{key: rest[i:end]}), end, false
		}
	}
	return p, nil
}

// lookup follows p through a document decoded by encoding/json.
func (p jsonPath) lookup(doc any) (any, bool) {
	v := doc
	for _, st := range p {
		switch x := v.(type) {
		case map[string]any:
			if st.key == "" {
				return nil, false
			}
			e, ok := x[st.key]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			if st.key != "" || st.index >= len(x) {
				return nil, false
			}
			v = x[st.index]
		default:
			return nil, false
		}
	}
	return v, true
}
