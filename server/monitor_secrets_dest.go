package server

import (
	"encoding/json"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// monitorMovedTo returns the field ("target" or "settings.<name>") through
// which a monitor would now reach a host or port it did not reach before,
// or "" when every place it reaches is one it reached already (old nil:
// nothing is kept, nothing moves). A stored secret kept across such a
// change would go to a host chosen by whoever edited the monitor, who
// need not know the secret: an editor could point a mysql monitor holding
// the administrator's password at their own server.
//
// The places are the target's origin (scheme, host and port, as far as
// the target says them) and, in the settings that are not secret, every
// absolute URL and every value of a setting named like a host or a port,
// at any depth: a transaction's step URLs, a mail check's port.
func monitorMovedTo(t checks.Type, old *store.Monitor, target string, fields map[string]json.RawMessage) string {
	if old == nil {
		return ""
	}
	oldFields, err := settingsObject(old.Settings)
	if err != nil {
		return "target"
	}
	before := map[string]bool{}
	for _, d := range destinations(t, old.Target, oldFields) {
		before[d.key] = true
	}
	for _, d := range destinations(t, target, fields) {
		if !before[d.key] {
			return d.field
		}
	}
	return guardChanged(t, oldFields, fields)
}

// destination is one place a monitor reaches, and the field that says it.
type destination struct {
	field string // "target" or "settings.<name>"
	key   string // comparable: "target=https://host:443", "url=…", "port=3306"
}

// destinations lists the places t's monitor with this target and these
// settings reaches, the target first, then the settings by name.
func destinations(t checks.Type, target string, fields map[string]json.RawMessage) []destination {
	out := []destination{{field: "target", key: "target=" + targetOrigin(target)}}
	secret := t.SecretNames()
	names := make([]string, 0, len(fields))
	for name := range fields {
		if !slices.Contains(secret, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		var v any
		if json.Unmarshal(fields[name], &v) != nil {
			continue
		}
		addDestinations(&out, "settings."+name, name, v)
	}
	return out
}

// guardChanged returns "settings.<name>" of the first guard setting of t
// (Setting.Guard, or named like one: guardSetting) whose effective value
// differs between old and new, or "". A setting left out counts as its
// default, so removing "tls":"verify_identity" is a change like setting it
// to "disabled".
func guardChanged(t checks.Type, oldFields, newFields map[string]json.RawMessage) string {
	for _, st := range t.Settings {
		if !isGuard(t, st.Name) {
			continue
		}
		if effectiveValue(oldFields[st.Name], st.Default) != effectiveValue(newFields[st.Name], st.Default) {
			return "settings." + st.Name
		}
	}
	return ""
}

// isGuard reports whether t's setting name is a guard (see guardChanged).
func isGuard(t checks.Type, name string) bool {
	for _, st := range t.Settings {
		if st.Name == name {
			return !st.Secret && (st.Guard || guardSetting(name))
		}
	}
	return false
}

// effectiveValue spells a setting's value one way for comparison: a
// string as itself, other JSON compacted, and absent, null or "" as the
// setting's default.
func effectiveValue(raw json.RawMessage, def string) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil || v == "" {
		return def
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// guardSetting reports whether a setting says how the connection to the
// host is protected: TLS on or off, which certificates are trusted, the
// name checked, whether a password may go in clear. Changing one is like
// changing the host: an editor who turns off verification or TLS could
// have the stored password sent in clear or to whoever intercepts the
// connection.
func guardSetting(name string) bool {
	switch name {
	case "tls", "tls_verify", "tls_verify_chain", "skip_verify", "ca_file", "ca_pem", "server_name",
		"min_tls_version", "allow_plaintext_login", "version", "security_level", "auth_protocol", "priv_protocol":
		return true
	}
	return false
}

// newAgentLocation returns "locations" when locations name an agent that
// old did not run on (old nil: nothing is kept), else "". The agent would
// receive the stored secrets in plain text in its assignment: adding one
// is moving them to a host an editor chose.
func newAgentLocation(old *store.Monitor, locations []string) string {
	if old == nil {
		return ""
	}
	for _, l := range locations {
		if l != serverLocation && !slices.Contains(old.Locations, l) {
			return "locations"
		}
	}
	return ""
}

// movedReason completes "… so the stored password is not sent there" for
// the field monitorMovedTo returned.
func movedReason(t checks.Type, field string) string {
	if field == "locations" {
		return "locations now name an agent the monitor did not run on"
	}
	if name, ok := strings.CutPrefix(field, "settings."); ok && isGuard(t, name) {
		return field + " changed how or what the secret is used for"
	}
	return field + " now points to another host"
}

// addDestinations walks one setting's value; key is the name of the
// object member (or setting) that holds v.
func addDestinations(out *[]destination, field, key string, v any) {
	switch x := v.(type) {
	case string:
		if o, ok := absoluteOrigin(x); ok {
			*out = append(*out, destination{field, "url=" + o})
		}
		if placeKey(key) {
			*out = append(*out, destination{field, strings.ToLower(key) + "=" + normHost(x)})
		}
	case float64:
		if placeKey(key) {
			*out = append(*out, destination{field, strings.ToLower(key) + "=" + strconv.FormatFloat(x, 'f', -1, 64)})
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			addDestinations(out, field, k, x[k])
		}
	case []any:
		for _, e := range x {
			addDestinations(out, field, key, e)
		}
	}
}

// placeKey reports whether a setting (or member) called key names a host
// or a port to connect to.
func placeKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"host", "hostname", "port", "server", "address", "addr", "socket"} {
		if k == w || strings.HasSuffix(k, "_"+w) {
			return true
		}
	}
	return false
}

// targetOrigin is what of a target says where the check connects:
// "scheme://host:port" of a URL (the scheme's port made explicit), else
// "host:port" or the host alone, host names in lower case.
func targetOrigin(target string) string {
	target = strings.TrimSpace(target)
	if o, ok := absoluteOrigin(target); ok {
		return o
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return normHost(target)
	}
	return normHost(host) + ":" + port
}

// absoluteOrigin is "scheme://host:port" of an absolute URL with a host.
func absoluteOrigin(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443"}[scheme]
	}
	return scheme + "://" + normHost(u.Hostname()) + ":" + port, true
}

// normHost spells a host name one way: lower case, without brackets or
// the root's trailing dot.
func normHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(h, ".")
}
