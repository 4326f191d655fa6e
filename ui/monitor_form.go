package ui

import "strings"

// SecretKind is the Kind of a CheckSetting that is secret: a password, a
// community string, a DSN. Its field is a password input that is never
// filled in (see MonitorFormMore).
const SecretKind = "secret"

// MonitorFormMore is what the monitor form shows beyond MonitorFormProps:
// tags, min_failed_locations, the monitors depends_on may name, and the
// state of the secret settings.
type MonitorFormMore struct {
	Tags               string // comma-separated, as typed
	MinFailedLocations string // as typed; "" is the default, 1
	// Monitors are the monitors depends_on may name: Value is the name,
	// Hint a few words about it (its type and target).
	Monitors []Option
	// SecretsSet names the secret settings that hold a stored value.
	SecretsSet map[string]bool
	// SecretsEntered holds, for each secret typed into a form that was
	// not saved, an opaque sealed copy that only the same session can
	// open: posted back in a hidden field, so the person need not type it
	// again and its plain text never reaches the page.
	SecretsEntered map[string]string
}

func isSecret(s CheckSetting) bool { return s.Kind == SecretKind }

// enteredName is the hidden field that posts a secret's sealed copy back.
func enteredName(s CheckSetting) string { return "entered." + settingName(s) }

func secretSettingPlaceholder(stored bool, entered string) string {
	switch {
	case entered != "":
		return "entered — leave empty to use it"
	case stored:
		return "stored — leave empty to keep it"
	}
	return ""
}

func secretSettingHint(s CheckSetting, stored bool, entered string) string {
	h := settingHint(s)
	switch {
	case entered != "":
		h = "The value you entered is kept but not shown: leave empty to use it, or type another. " + h
	case stored:
		h = "A value is stored and never shown: leave empty to keep it. " + h
	default:
		h = "Stored encrypted and never shown again. " + h
	}
	return strings.TrimSpace(h)
}

func formAction(p MonitorFormProps) string {
	if p.Editing {
		return monitorURL(p.Values.ID, "")
	}
	return "/monitors"
}

// changeTypeAction is where the "Change type" button posts the form so that
// the server re-renders it, unsaved, for the newly chosen type. It is the
// form page's own path (POST /monitors/new, POST /monitors/{id}/edit); a
// POST keeps the CSRF token and the typed values out of URLs and logs.
func changeTypeAction(p MonitorFormProps) string {
	if p.Editing {
		return monitorURL(p.Values.ID, "/edit")
	}
	return "/monitors/new"
}

func cancelURL(p MonitorFormProps) string {
	if p.Editing {
		return monitorURL(p.Values.ID, "")
	}
	return "/"
}

// currentType is the type whose settings the form shows: the chosen one,
// else the first offered (what the select shows when nothing is chosen).
func currentType(p MonitorFormProps) CheckType {
	for _, t := range p.Types {
		if t.Name == p.Values.Type {
			return t
		}
	}
	if len(p.Types) > 0 && p.Values.Type == "" {
		return p.Types[0]
	}
	return CheckType{}
}

func typeTitle(t CheckType) string {
	if t.Title != "" {
		return t.Title
	}
	return t.Name
}

func targetPlaceholder(p MonitorFormProps) string {
	switch currentType(p).Name {
	case "http", "https":
		return "https://example.com/health"
	case "tcp":
		return "db.example.com:5432"
	case "dns":
		return "example.com"
	case "ping":
		return "192.0.2.10"
	}
	return ""
}

func settingName(s CheckSetting) string {
	return "settings." + s.Name
}

// settingControl maps a setting's kind to the control that edits it.
func settingControl(kind string) string {
	switch kind {
	case "bool":
		return "checkbox"
	case "enum":
		return "select"
	case "list", "map", "text":
		return "textarea"
	case "json":
		return "json"
	case "int":
		return "number"
	}
	return "input"
}

// labelAcronyms are the words settingLabel writes in capitals.
var labelAcronyms = map[string]string{
	"ca": "CA", "dns": "DNS", "http": "HTTP", "https": "HTTPS", "icmp": "ICMP", "id": "ID",
	"imap": "IMAP", "ip": "IP", "ipv4": "IPv4", "ipv6": "IPv6", "json": "JSON", "oid": "OID",
	"pop3": "POP3", "smtp": "SMTP", "snmp": "SNMP", "sni": "SNI", "sql": "SQL", "ssl": "SSL", "starttls": "STARTTLS",
	"tcp": "TCP", "tls": "TLS", "udp": "UDP", "url": "URL",
	"ehlo": "EHLO", "pem": "PEM", "innodb": "InnoDB", "oids": "OIDs", "mysql": "MySQL", "csrf": "CSRF",
}

// labelWords are abbreviations settingLabel spells out.
var labelWords = map[string]string{"cert": "certificate", "certs": "certificates"}

// labelUnits are unit suffixes that settingLabel writes in brackets.
var labelUnits = map[string]string{"ms": "(ms)", "days": "(days)", "percent": "(%)"}

// settingLabel turns a setting's name into its field label:
// "expected_status" into "Expected status", "tls_verify" into "TLS verify",
// "response_time_warning_ms" into "Response time warning (ms)" and
// "cert_expiry_warning_days" into "Certificate expiry warning (days)".
func settingLabel(s CheckSetting) string {
	words := strings.FieldsFunc(s.Name, func(r rune) bool { return r == '_' || r == ' ' })
	unit := ""
	if n := len(words); n > 1 {
		if u, ok := labelUnits[strings.ToLower(words[n-1])]; ok {
			unit, words = " "+u, words[:n-1]
		}
	}
	for i, w := range words {
		lw := strings.ToLower(w)
		if a, ok := labelAcronyms[lw]; ok {
			words[i] = a
			continue
		}
		if full, ok := labelWords[lw]; ok {
			w = full
		}
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		words[i] = w
	}
	return strings.Join(words, " ") + unit
}

// SettingLabel is the label the monitor form gives the setting called
// name, for messages that name a setting as the form does.
func SettingLabel(name string) string { return settingLabel(CheckSetting{Name: name}) }

func settingHint(s CheckSetting) string {
	hint := strings.TrimSpace(s.Help)
	if hint != "" && !strings.HasSuffix(hint, ".") {
		hint += "."
	}
	switch s.Kind {
	case "list":
		hint = strings.TrimSpace(hint + " One per line.")
	case "map":
		hint = strings.TrimSpace(hint + " One \"Key: value\" per line.")
	case "json":
		hint = strings.TrimSpace(hint + " Written in JSON.")
	}
	if s.Default != "" {
		hint = strings.TrimSpace(hint + " Default: " + s.Default + ".")
	}
	return hint
}

func textareaPlaceholder(s CheckSetting) string {
	if s.Kind == "map" {
		return "Key: value"
	}
	return s.Default
}

func boolChecked(value, def string) bool {
	if value == "" {
		return def == "true"
	}
	return value == "true" || value == "on" || value == "1"
}

func enumSelected(value, def, option string) bool {
	if value == "" {
		return option == def
	}
	return option == value
}

// optionTitle is what the select shows for s's i-th option: its title when
// the type gives one, else the value itself.
func optionTitle(s CheckSetting, i int) string {
	if i < len(s.OptionTitles) && s.OptionTitles[i] != "" {
		return s.OptionTitles[i]
	}
	return s.Options[i]
}
