package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

const (
	// snmpMaxObjects bounds the objects of one monitor: all are asked in
	// one request, and gosnmp sends at most 60 names per request (one is
	// kept for sysUpTime, read alongside rates).
	snmpMaxObjects = 50
	// snmpMaxOIDParts is the longest OID SNMP allows (RFC 2578, 7.1.3).
	snmpMaxOIDParts = 128
	// snmpUptimeOID is sysUpTime.0, read with rates to see agent restarts.
	snmpUptimeOID = ".1.3.6.1.2.1.1.3.0"
)

// snmpObject is one entry of the oids setting: an object to read, the name
// its value is reported under, and the conditions it must meet.
type snmpObject struct {
	OID        string   `json:"oid"`
	Name       string   `json:"name"`
	WarningMin *float64 `json:"warning_min"`
	WarningMax *float64 `json:"warning_max"`
	ErrorMin   *float64 `json:"error_min"`
	ErrorMax   *float64 `json:"error_max"`
	Contains   string   `json:"contains"`
	Regex      string   `json:"regex"`
	Rate       bool     `json:"rate"`

	oid string         // OID with a leading dot, as agents answer it
	re  *regexp.Regexp // compiled Regex
}

// snmpNameRE is what a name must look like: it becomes a value's key.
var snmpNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// decodeSNMPObjects decodes and validates the oids setting; errors name
// the entry and its field, as in "settings.oids[1].oid".
func decodeSNMPObjects(raw json.RawMessage) ([]snmpObject, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, &SettingError{Field: "settings.oids", Msg: `is required: a list of objects such as [{"oid":"1.3.6.1.2.1.1.3.0","name":"uptime"}]`}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, &SettingError{Field: "settings.oids", Msg: `must be a JSON list of objects such as [{"oid":"1.3.6.1.2.1.1.3.0","name":"uptime"}]`}
	}
	if len(items) == 0 || len(items) > snmpMaxObjects {
		return nil, &SettingError{Field: "settings.oids", Msg: fmt.Sprintf("must hold between 1 and %d objects", snmpMaxObjects)}
	}
	objects := make([]snmpObject, len(items))
	seen := map[string]int{}
	for i, item := range items {
		o := &objects[i]
		if err := decodeSNMPObject(item, o); err != nil {
			return nil, snmpObjectError(i, err)
		}
		if j, dup := seen[o.Name]; dup {
			return nil, &SettingError{Field: fmt.Sprintf("settings.oids[%d].name", i), Msg: fmt.Sprintf("%q is already the name of oids[%d]", o.Name, j)}
		}
		seen[o.Name] = i
	}
	return objects, nil
}

func decodeSNMPObject(raw json.RawMessage, o *snmpObject) error {
	if err := DecodeSettings(raw, o); err != nil {
		return err
	}
	var err error
	if o.oid, err = parseOID(o.OID); err != nil {
		return &SettingError{Field: "settings.oid", Msg: err.Error()}
	}
	switch {
	case o.Name == "":
		return &SettingError{Field: "settings.name", Msg: `is required: the value's key, in snake_case, e.g. "uptime"`}
	case !snmpNameRE.MatchString(o.Name):
		return &SettingError{Field: "settings.name", Msg: fmt.Sprintf("%q must be snake_case: a lowercase letter, then lowercase letters, digits or _ (at most 63)", o.Name)}
	case o.Name == "response_ms":
		return &SettingError{Field: "settings.name", Msg: `"response_ms" is the agent's response time: choose another name`}
	}
	if o.Regex != "" {
		if o.re, err = regexp.Compile(o.Regex); err != nil {
			return &SettingError{Field: "settings.regex", Msg: "not a valid regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
		}
	}
	if o.Rate && (o.Contains != "" || o.Regex != "") {
		field := "settings.contains"
		if o.Contains == "" {
			field = "settings.regex"
		}
		return &SettingError{Field: field, Msg: "a rate is a number: use warning_min … error_max, not text conditions"}
	}
	return o.validateRanges()
}

// validateRanges checks that the bounds are finite and that the warning
// range lies inside the error range.
func (o *snmpObject) validateRanges() error {
	bounds := []struct {
		name string
		v    *float64
	}{{"warning_min", o.WarningMin}, {"warning_max", o.WarningMax}, {"error_min", o.ErrorMin}, {"error_max", o.ErrorMax}}
	for _, b := range bounds {
		if b.v != nil && (math.IsNaN(*b.v) || math.IsInf(*b.v, 0)) {
			return &SettingError{Field: "settings." + b.name, Msg: "must be a finite number"}
		}
	}
	order := []struct {
		lo, hi         *float64
		loName, hiName string
	}{
		{o.WarningMin, o.WarningMax, "warning_min", "warning_max"},
		{o.ErrorMin, o.ErrorMax, "error_min", "error_max"},
		{o.ErrorMin, o.WarningMin, "error_min", "warning_min"},
		{o.WarningMax, o.ErrorMax, "warning_max", "error_max"},
		{o.ErrorMin, o.WarningMax, "error_min", "warning_max"},
		{o.WarningMin, o.ErrorMax, "warning_min", "error_max"},
	}
	for _, p := range order {
		if p.lo != nil && p.hi != nil && *p.lo > *p.hi {
			return &SettingError{Field: "settings." + p.loName, Msg: fmt.Sprintf("must not be above %s (%s > %s)", p.hiName, snmpNumber(*p.lo), snmpNumber(*p.hi))}
		}
	}
	return nil
}

// hasRange reports whether any numeric bound is set.
func (o *snmpObject) hasRange() bool {
	return o.WarningMin != nil || o.WarningMax != nil || o.ErrorMin != nil || o.ErrorMax != nil
}

// snmpObjectError moves a field error from "settings.x" to
// "settings.oids[i].x".
func snmpObjectError(i int, err error) error {
	se, ok := err.(*SettingError)
	if !ok {
		return &SettingError{Field: fmt.Sprintf("settings.oids[%d]", i), Msg: err.Error()}
	}
	prefix := fmt.Sprintf("settings.oids[%d]", i)
	field := prefix
	if rest, ok := strings.CutPrefix(se.Field, "settings."); ok {
		field = prefix + "." + rest
	}
	msg := se.Msg
	if strings.HasPrefix(se.Msg, "unknown setting ") {
		msg = strings.Replace(se.Msg, "unknown setting", "unknown field", 1) + " (known: oid, name, warning_min, warning_max, error_min, error_max, contains, regex, rate)"
	}
	return &SettingError{Field: field, Msg: msg}
}

// parseOID checks a numeric OID ("1.3.6.1.2.1.1.3.0", a leading dot
// allowed) and returns it with a leading dot.
func parseOID(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf(`is required: a numeric OID such as "1.3.6.1.2.1.1.3.0"`)
	}
	body := strings.TrimPrefix(s, ".")
	parts := strings.Split(body, ".")
	if len(parts) < 2 || len(parts) > snmpMaxOIDParts {
		return "", fmt.Errorf("%q is not a numeric OID such as \"1.3.6.1.2.1.1.3.0\" (2 to %d numbers; names from MIBs are not supported)", s, snmpMaxOIDParts)
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || (len(p) > 1 && p[0] == '0') {
			return "", fmt.Errorf("%q is not a numeric OID such as \"1.3.6.1.2.1.1.3.0\" (part %d, %q, is not a number from 0 to 4294967295; names from MIBs are not supported)", s, i+1, p)
		}
		if i == 0 && n > 2 {
			return "", fmt.Errorf("%q is not a valid OID: the first number must be 0, 1 or 2", s)
		}
	}
	return "." + body, nil
}

// snmpNumber formats a number for messages: integers without a fraction,
// other numbers with up to 2 decimals.
func snmpNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
