package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/ui"
)

// auditDurations names, per kind of record, the fields the audit log
// holds as time.Duration nanoseconds, so the page writes "1m" rather than
// 60000000000. A list's entries are written "[]" ("steps[].after").
// TestAuditDurationsCoverTheRecords keeps this in step with the store.
var auditDurations = map[string][]string{
	"monitor":           {"interval", "timeout", "remind_every"},
	"escalation_policy": {"steps[].after"},
}

// Bounds on what one record shows, so an odd entry cannot make a page
// without end: the fields, how deep, and how long a value.
const (
	auditMaxFields = 300
	auditMaxDepth  = 16
	auditMaxValue  = 2000 // bytes
)

// auditChanges lays out a record before and after a change, field by
// field in the record's own order (fields the change added last), each
// written for people. kind is "create", "update" or "delete".
func auditChanges(recordKind string, before, after json.RawMessage) (kind string, changes []ui.AuditChange, truncated bool) {
	switch {
	case len(before) == 0:
		kind = "create"
	case len(after) == 0:
		kind = "delete"
	default:
		kind = "update"
	}
	durations := map[string]bool{}
	for _, f := range auditDurations[recordKind] {
		durations[f] = true
	}
	b, bTrunc := flattenAudit(before, durations)
	a, aTrunc := flattenAudit(after, durations)
	byField := map[string]int{}
	for _, f := range b {
		byField[f.path] = len(changes)
		changes = append(changes, ui.AuditChange{Field: f.path, Before: f.value, HasBefore: true})
	}
	var onlyAfter []ui.AuditChange
	for _, f := range a {
		if i, ok := byField[f.path]; ok {
			changes[i].After, changes[i].HasAfter = f.value, true
			continue
		}
		onlyAfter = append(onlyAfter, ui.AuditChange{Field: f.path, After: f.value, HasAfter: true})
	}
	// Fields the change added follow those the record had before.
	changes = append(changes, onlyAfter...)
	for i := range changes {
		c := &changes[i]
		c.Changed = c.HasBefore != c.HasAfter || c.Before != c.After
	}
	return kind, changes, bTrunc || aTrunc
}

// auditField is one leaf of a record: its path ("settings.oids[0].oid")
// and its value as shown.
type auditField struct{ path, value string }

// flattener turns a record's JSON into its leaves, in order.
type flattener struct {
	durations map[string]bool
	fields    []auditField
	truncated bool
}

var errAuditFull = errors.New("too many fields")

// flattenAudit returns the leaves of raw ("" or null: none), and whether
// there were more than are returned.
func flattenAudit(raw json.RawMessage, durations map[string]bool) ([]auditField, bool) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, false
	}
	f := &flattener{durations: durations}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := f.value(dec, "", 0); err != nil {
		if errors.Is(err, errAuditFull) {
			f.truncated = true
		} else {
			f.fields = append(f.fields, auditField{path: "(record)", value: "not readable as JSON"})
		}
	}
	return f.fields, f.truncated
}

// value reads one JSON value from dec and adds its leaves under path.
func (f *flattener) value(dec *json.Decoder, path string, depth int) error {
	if depth > auditMaxDepth {
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
		return f.add(path, clip(string(skip)))
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return f.object(dec, path, depth)
		}
		return f.array(dec, path, depth)
	case json.Number:
		return f.add(path, f.number(path, t))
	case string:
		return f.add(path, shownString(t))
	case bool:
		return f.add(path, strconv.FormatBool(t))
	}
	return f.add(path, "null")
}

// object adds an object's fields, each under path.key; an empty object
// is one leaf, "{}".
func (f *flattener) object(dec *json.Decoder, path string, depth int) error {
	empty := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		empty = false
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		if err := f.value(dec, sub, depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if empty {
		return f.add(path, "{}")
	}
	return nil
}

// array adds a list: a list of plain values is one leaf on one line
// (["server", "3"]); a list holding objects or lists gives each entry its
// own leaves, under path[i].
func (f *flattener) array(dec *json.Decoder, path string, depth int) error {
	var items []json.RawMessage
	nested := false
	for dec.More() {
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return err
		}
		if c := bytes.TrimSpace(item); len(c) > 0 && (c[0] == '{' || c[0] == '[') {
			nested = true
		}
		items = append(items, item)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return err
	}
	if !nested {
		parts := make([]string, 0, len(items))
		for _, it := range items {
			parts = append(parts, f.plain(it))
		}
		return f.add(path, clip("["+strings.Join(parts, ", ")+"]"))
	}
	for i, it := range items {
		sub := json.NewDecoder(bytes.NewReader(it))
		sub.UseNumber()
		if err := f.value(sub, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
			return err
		}
	}
	return nil
}

// plain writes a plain value inside a one-line list: strings quoted, so
// that a comma in one reads as part of it; a secret as (set).
func (f *flattener) plain(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if seal.IsSealed(s) {
			s = "(set)" // as the store shows the secrets it knows
		}
		return strconv.Quote(s)
	}
	return string(bytes.TrimSpace(raw))
}

// number writes a number, as a duration where the record keeps one in
// nanoseconds.
func (f *flattener) number(path string, n json.Number) string {
	if f.durations[listPattern(path)] {
		if ns, err := n.Int64(); err == nil {
			return formatDuration(time.Duration(ns))
		}
	}
	return n.String()
}

func (f *flattener) add(path, value string) error {
	if len(f.fields) == auditMaxFields {
		return errAuditFull
	}
	if path == "" {
		path = "(value)"
	}
	f.fields = append(f.fields, auditField{path: path, value: value})
	return nil
}

// shownString writes a string value: a sealed secret (the store shows
// those it knows as "(set)"; this catches any other) never as its
// ciphertext, an empty one as "".
func shownString(s string) string {
	switch {
	case seal.IsSealed(s):
		return "(set)"
	case s == "":
		return `""`
	}
	return clip(s)
}

// clip cuts a long value, on a character boundary, marking the cut.
func clip(s string) string {
	if len(s) <= auditMaxValue {
		return s
	}
	cut := auditMaxValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// listPattern writes a path's list indexes as "[]": "steps[2].after"
// becomes "steps[].after".
func listPattern(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] == '[' {
			for i+1 < len(path) && path[i+1] != ']' {
				i++
			}
		}
	}
	return b.String()
}
