package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
)

// maxURLLen bounds a configured URL; real webhook and topic URLs are far
// shorter.
const maxURLLen = 2048

// decodeSettings decodes raw into dst, refusing unknown fields, with
// errors naming "settings.<name>".
func decodeSettings(raw json.RawMessage, dst any) error {
	return checks.DecodeSettings(raw, dst)
}

func settingErr(name, format string, args ...any) *SettingError {
	return &SettingError{Field: "settings." + name, Msg: fmt.Sprintf(format, args...)}
}

// parseList reads a setting that holds one string or a list of strings,
// so {"to":"a@b"} (CONTRACT.md's example) and {"to":["a@b","c@d"]} both
// work. It trims entries and requires between 1 and max of them.
func parseList(name string, raw json.RawMessage, max int) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, settingErr(name, "is required")
	}
	var list []string
	if raw[0] == '"' {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, settingErr(name, "must be a string or a list of strings")
		}
		list = []string{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, settingErr(name, "must be a string or a list of strings")
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch {
	case len(out) == 0:
		return nil, settingErr(name, "must not be empty")
	case len(out) > max:
		return nil, settingErr(name, "has %d entries, at most %d are allowed", len(out), max)
	}
	return out, nil
}

// parseAddresses checks e-mail addresses ("alice@example.com" or
// "Alice <alice@example.com>") and returns them as parsed.
func parseAddresses(name string, list []string) ([]*mail.Address, error) {
	out := make([]*mail.Address, 0, len(list))
	for _, s := range list {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, settingErr(name, "%q is not an e-mail address: %s", clip(s, 80), oneLine(strings.TrimPrefix(err.Error(), "mail: "), 120))
		}
		out = append(out, a)
	}
	return out, nil
}

// e164 is an international phone number as Twilio expects it: a plus,
// a country code that does not start with 0, and at most 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func checkPhone(name, s string) error {
	if !e164.MatchString(s) {
		return settingErr(name, "%q is not a phone number in E.164 form, e.g. +14155550123", clip(s, 40))
	}
	return nil
}

// parseHTTPURL checks an absolute http(s) URL. Credentials in the URL are
// refused: URLs show up in forms and logs, so credentials belong in the
// type's secret setting (named by credsIn).
func parseHTTPURL(name, raw, credsIn string) (*url.URL, error) {
	if raw == "" {
		return nil, settingErr(name, "is required")
	}
	if len(raw) > maxURLLen {
		return nil, settingErr(name, "is longer than %d characters", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, settingErr(name, "is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, settingErr(name, "must start with http:// or https://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, settingErr(name, "has no host")
	}
	if u.User != nil {
		return nil, settingErr(name, "must not hold a user name or password: put credentials in settings.%s", credsIn)
	}
	u.Fragment = ""
	return u, nil
}

// checkHeaderText refuses characters that would end an HTTP header early
// and let a setting smuggle in headers of its own.
func checkHeaderText(name, s string) error {
	if strings.ContainsAny(s, "\r\n\x00") {
		return settingErr(name, "must not contain line breaks or NUL")
	}
	return nil
}

// redactURL names a URL's scheme and host only: paths and queries of
// webhook and topic URLs are often the secret itself, and error messages
// end up in logs.
func redactURL(u *url.URL) string {
	s := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		s += "/…"
	}
	return s
}
