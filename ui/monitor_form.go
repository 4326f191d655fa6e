package ui

import "strings"

func formAction(p MonitorFormProps) string {
	if p.Editing {
		return monitorURL(p.Values.ID, "")
	}
	return "/monitors"
}

// changeTypeAction is where the "Change type" button sends the form by GET
// so that the server re-renders it for the newly chosen type.
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
	case "int":
		return "number"
	}
	return "input"
}

// settingLabel turns "expected_status" into "Expected status".
func settingLabel(s CheckSetting) string {
	l := strings.ReplaceAll(s.Name, "_", " ")
	if l == "" {
		return l
	}
	return strings.ToUpper(l[:1]) + l[1:]
}

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
