package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func sampleNotifyTypes() []NotifyType {
	return []NotifyType{
		{Name: "email", Title: "Email", Settings: []NotifySetting{
			{Name: "to", Kind: "list", Required: true, Help: "Addresses to send to"},
			{Name: "subject_prefix", Kind: "string", Default: "[Vigil]"},
		}},
		{Name: "webhook", Title: "Webhook", Settings: []NotifySetting{
			{Name: "url", Kind: "string", Required: true, Help: "Where to POST the event"},
			{Name: "secret", Kind: "string", Secret: true, Help: "Signs the body with HMAC-SHA256"},
			{Name: "headers", Kind: "map"},
		}},
		{Name: "sms", Title: "SMS (Twilio)", Settings: []NotifySetting{
			{Name: "account_sid", Kind: "string", Required: true},
			{Name: "auth_token", Kind: "string", Required: true, Secret: true},
		}},
	}
}

func sampleContacts() ContactsProps {
	return ContactsProps{
		Page:     page("Notifications", "notifications"),
		CanEdit:  true,
		CanAdmin: true,
		Contacts: []ContactRow{
			{ID: "c1", Name: "Ops mail", Type: "email", Title: "Email", Summary: "ops@example.com", Groups: []string{"On-call web"}},
			{ID: "c2", Name: "Ticket <desk>", Type: "webhook", Title: "Webhook", Summary: "https://desk.example.com/hook", SecretsSet: []string{"secret"}},
			{ID: "c3", Name: "Dana's phone", Type: "sms", Title: "SMS (Twilio)", Summary: "+15550100", SecretsSet: []string{"auth_token"}, Groups: []string{"On-call web"}},
		},
		Groups:         []GroupRow{{ID: "g1", Name: "On-call web", Members: []string{"c1", "c3"}, MemberNames: []string{"Ops mail", "Dana's phone"}}},
		Routes:         []RouteRow{{ID: "r1", Name: "Databases", Tags: []string{"db"}, AgentLabels: []string{"eu"}, Notify: []string{"g1"}, NotifyNames: []string{"On-call web"}, Escalation: "p1", PolicyName: "Web on-call"}},
		Test:           &ContactTest{ContactID: "c2", Message: "webhook: 503 Service Unavailable from https://desk.example.com/hook"},
		GroupForm:      GroupForm{Name: "", Errors: map[string]string{"group_name": "Name is required"}},
		ContactOptions: []Option{{Value: "c1", Label: "Ops mail", Hint: "email"}, {Value: "c2", Label: "Ticket <desk>", Hint: "webhook"}, {Value: "c3", Label: "Dana's phone", Hint: "sms"}},
		TargetOptions:  []Option{{Value: "c1", Label: "Ops mail", Hint: "email"}, {Value: "g1", Label: "On-call web", Hint: "group · 2 members"}},
		PolicyOptions:  []Option{{Value: "p1", Label: "Web on-call"}},
		SMTPReady:      true,
	}
}

func sampleContactForm() ContactFormProps {
	return ContactFormProps{
		Page:    page("Edit contact", "notifications"),
		Editing: true,
		Types:   sampleNotifyTypes(),
		Values: ContactForm{ID: "c2", Name: "Ticket desk", Type: "webhook",
			Settings: map[string]string{"url": "ftp://desk", "headers": "X-Team: ops"}, SecretsSet: map[string]bool{"secret": true}},
		Errors: map[string]string{"settings.url": "must be an http:// or https:// URL"},
	}
}

func sampleSMTP() SMTPProps {
	return SMTPProps{
		Page: page("SMTP server", "notifications"),
		Form: SMTPForm{Host: "smtp.example.com", Port: "70000", Username: "vigil", From: "vigil@example.com", TLS: "starttls",
			PasswordSet: true, UpdatedAt: now.Add(-time.Hour), Errors: map[string]string{"port": "port must be between 1 and 65535"}},
		TestTo:     "ops@example.com",
		TestResult: "dial tcp 192.0.2.1:587: connect: connection refused",
	}
}

func sampleEscalations() EscalationsProps {
	return EscalationsProps{
		Page:    page("Escalation policies", "notifications"),
		CanEdit: true,
		Policies: []PolicyRow{{ID: "p1", Name: "Web on-call", UsedBy: 2, Steps: []StepRow{
			{After: 0, Targets: []string{"Ops mail", "Ticket desk"}},
			{After: 10 * time.Minute, Targets: []string{"Dana's phone"}},
			{After: 20 * time.Minute, Targets: []string{"On-call web"}},
		}}},
		Form: PolicyForm{Name: "Night", Steps: []StepForm{{After: "0", Targets: []string{"c1"}}, {After: "ten", Targets: []string{"g1"}}, {}},
			Errors: map[string]string{"steps.1.after": "after must be a whole number of minutes"}},
		TargetOptions: []Option{{Value: "c1", Label: "Ops mail", Hint: "email"}, {Value: "g1", Label: "On-call web", Hint: "group · 2 members"}},
	}
}

func sampleMaintenance() MaintenanceProps {
	return MaintenanceProps{
		Page:    page("Maintenance", "maintenance"),
		CanEdit: true,
		Windows: []MaintenanceRow{
			{ID: "w1", Name: "Saturday patching", Schedule: "Sat 22:00–02:00 Europe/Berlin", Scope: "tag db; agent web-1", Active: true, NextChange: now.Add(2 * time.Hour), Monitors: 4},
			{ID: "w2", Name: "Migration", Schedule: "Nov 30, 01:00 – Nov 30, 03:00 UTC", Scope: "2 monitors", NextChange: now.Add(7 * 24 * time.Hour), Monitors: 2},
			{ID: "w3", Name: "Done", Schedule: "Nov 1, 01:00 – Nov 1, 03:00 UTC", Scope: "1 monitor", Monitors: 1},
		},
		Form: MaintenanceForm{Name: "Weekly", Kind: "weekly", Days: []int{6, 0}, From: "22:00", To: "02:00", TimeZone: "America/Halifax",
			Monitors: []string{"m1"}, Tags: "db", Agents: []string{"a1"},
			Errors: map[string]string{"to": "want a time of day as HH:MM"}},
		Monitors: []Option{{Value: "m1", Label: "Homepage"}, {Value: "m2", Label: "Mail relay"}},
		Agents:   []Option{{Value: "a1", Label: "web-1"}},
		Zones:    []string{"UTC", "Europe/Berlin", "America/New_York"},
	}
}

func sampleIncident() IncidentProps {
	in := sampleIncidents().Incidents[0]
	return IncidentProps{
		Page: page("Incident i3", "incidents"), Incident: in, MonitorType: "http", MonitorTarget: "https://pay.example.com/health",
		MonitorStatus: "problem", CanAck: true,
		Notifications: []NotificationRow{
			{At: now.Add(-13 * time.Minute), Contact: "Ops mail", Type: "email", Event: "incident.opened", Attempt: 1, Result: "sent"},
			{At: now.Add(-13 * time.Minute), Contact: "Ticket desk", Type: "webhook", Event: "incident.opened", Attempt: 1, Result: "retrying", Error: "503 Service Unavailable"},
			{At: now.Add(-12 * time.Minute), Contact: "Ticket desk", Type: "webhook", Event: "incident.opened", Attempt: 2, Result: "sent"},
		},
		Pending: []NotificationRow{{At: now.Add(6 * time.Minute), Contact: "Dana's phone", Type: "sms", Event: "incident.opened", Step: 1, Result: "queued"}},
	}
}

func notifyCases() []pageCase {
	viewer := sampleContacts()
	viewer.CanEdit, viewer.CanAdmin, viewer.Test, viewer.SMTPReady = false, false, nil, false
	newContact := sampleContactForm()
	newContact.Editing, newContact.Values, newContact.Errors = false, ContactForm{Type: "sms"}, nil
	form := sampleForm()
	form.Errors = map[string]string{"notify": `unknown contact or group "pager"`}
	form.Values.Notify, form.Values.Escalation, form.Values.RemindEvery = []string{"g1"}, "p1", "30m"
	form.NotifyOptions = sampleContacts().TargetOptions
	form.PolicyOptions = sampleContacts().PolicyOptions
	dash := sampleDashboard()
	dash.Maintenance = []MaintenanceBanner{{Name: "Saturday patching", Until: now.Add(2 * time.Hour), Monitors: 4}}
	dash.Monitors[2].Maintenance = "Saturday patching"
	ackDone := AckLinkProps{Page: Page{Title: "Acknowledged"}, IncidentID: "i3", Done: "Incident i3 of Payments API is acknowledged by contact:Ops mail (email link)."}
	acked := sampleIncident()
	acked.Incident = sampleIncidents().Incidents[1]
	acked.Notifications, acked.Pending = nil, nil
	return []pageCase{
		{"contacts", ContactsPage(sampleContacts()), map[string]int{"contacts": 1, "contact-row": 3, "group-row": 1, "route-row": 1,
			"contact-test-result": 1, "contact-test-form": 3, "group-form": 1, "route-form": 1, "new-contact": 1, "smtp-missing": 0, "field-error": 1}},
		{"contacts_viewer", ContactsPage(viewer), map[string]int{"contact-row": 3, "contact-test-form": 0, "group-form": 0, "route-form": 0, "new-contact": 0, "smtp-missing": 1}},
		{"contact_form", ContactFormPage(sampleContactForm()), map[string]int{"contact-form": 1, "contact-submit": 1, "field-error": 1}},
		{"contact_form_new", ContactFormPage(newContact), map[string]int{"contact-form": 1, "field-error": 0}},
		{"smtp", SMTPPage(sampleSMTP()), map[string]int{"smtp-form": 1, "smtp-test-form": 1, "smtp-test-result": 1, "field-error": 1}},
		{"escalations", EscalationsPage(sampleEscalations()), map[string]int{"policy-row": 1, "policy-form": 1, "policy-step": 3, "field-error": 1}},
		{"maintenance", MaintenancePage(sampleMaintenance()), map[string]int{"maintenance-row": 3, "maintenance-active": 1, "maintenance-form": 1, "field-error": 1}},
		{"incident", IncidentPage(sampleIncident()), map[string]int{"incident": 1, "ack-form": 1, "notification-row": 4, "notifications-none": 0}},
		{"incident_acked", IncidentPage(acked), map[string]int{"ack-form": 0, "ack-info": 1, "notification-row": 0, "notifications-none": 1}},
		{"monitor_form_notify", MonitorFormPage(form), map[string]int{"notify-fields": 1, "field-error": 1}},
		{"dashboard_maintenance", DashboardPage(dash), map[string]int{"maintenance-banner": 1, "in-maintenance": 1}},
		{"ack_link_done", AckLinkPage(ackDone), map[string]int{"ack-link-result": 1, "ack-link-form": 0, "logout": 0}},
	}
}

func TestNotifyPagesGolden(t *testing.T) {
	for _, tc := range notifyCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.comp)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test -update to create): %v", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from %s; run go test ./ui -update and review the diff", tc.name, path)
			}
		})
	}
}

func TestNotifyTestIDs(t *testing.T) {
	for _, tc := range notifyCases() {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for id, want := range tc.testIDs {
				if got := len(findAll(doc, byTestID(id))); got != want {
					t.Errorf("data-testid=%q appears %d times, want %d", id, got, want)
				}
			}
		})
	}
}

// TestNotifyFormsCarryCSRF checks every POST form of the signed-in pages
// for the session's token, and that deleting is behind a <details>.
func TestNotifyFormsCarryCSRF(t *testing.T) {
	for _, tc := range notifyCases() {
		if strings.HasPrefix(tc.name, "ack_link") {
			continue // the signed link is that page's token
		}
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, tc.comp))
			for _, f := range findAll(doc, func(n *html.Node) bool { return n.Data == "form" }) {
				method, _ := attr(f, "method")
				if !strings.EqualFold(method, "post") {
					continue
				}
				action, _ := attr(f, "action")
				inputs := findAll(f, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "input" && v == "csrf" })
				if len(inputs) != 1 {
					t.Errorf("form %s has %d csrf inputs, want 1", action, len(inputs))
				} else if v, _ := attr(inputs[0], "value"); v != "tok-123" {
					t.Errorf("form %s: csrf %q", action, v)
				}
				if strings.HasSuffix(action, "/delete") && !insideDetails(f) {
					t.Errorf("delete form %s is not behind a <details> confirmation", action)
				}
			}
		})
	}
}

func insideDetails(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "details" {
			return true
		}
	}
	return false
}

// TestSecretsNeverRendered: a secret field is a password input with no
// value, whatever the props hold, and says when a value is stored.
func TestSecretsNeverRendered(t *testing.T) {
	p := sampleContactForm()
	p.Values.Settings["secret"] = "s3cr3t-value"
	out := render(t, ContactFormPage(p))
	if strings.Contains(out, "s3cr3t-value") {
		t.Fatal("the secret's value is in the page")
	}
	doc := parse(t, out)
	in := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return v == "settings.secret" })
	if len(in) != 1 {
		t.Fatalf("%d settings.secret inputs, want 1", len(in))
	}
	typ, _ := attr(in[0], "type")
	val, _ := attr(in[0], "value")
	ph, _ := attr(in[0], "placeholder")
	if typ != "password" || val != "" || !strings.Contains(ph, "leave empty to keep") {
		t.Errorf("secret input type=%q value=%q placeholder=%q", typ, val, ph)
	}
	smtp := render(t, SMTPPage(sampleSMTP()))
	if !strings.Contains(smtp, "leave empty to keep") {
		t.Error("the SMTP form does not say the stored password is kept")
	}
}

// TestAckLinkAsksFirst: the page a link opens posts the signed fields
// back, and carries no session token.
func TestAckLinkAsksFirst(t *testing.T) {
	p := AckLinkProps{Page: Page{Title: "Acknowledge"}, IncidentID: "i3", MonitorName: "Payments API", Contact: "Ops mail",
		StartedAt: now, Message: "refused", C: "c1", E: "1790000000", S: "sig"}
	doc := parse(t, render(t, AckLinkPage(p)))
	forms := findAll(doc, byTestID("ack-link-form"))
	if len(forms) != 1 {
		t.Fatalf("%d ack forms, want 1", len(forms))
	}
	if m, _ := attr(forms[0], "method"); m != "post" {
		t.Errorf("method %q, want post", m)
	}
	got := map[string]string{}
	for _, in := range findAll(forms[0], func(n *html.Node) bool { return n.Data == "input" }) {
		name, _ := attr(in, "name")
		got[name], _ = attr(in, "value")
	}
	if got["c"] != "c1" || got["e"] != "1790000000" || got["s"] != "sig" || len(got) != 3 {
		t.Errorf("inputs %v, want exactly c, e and s", got)
	}
	if !strings.Contains(text(doc), "Acknowledge incident i3 of monitor Payments API?") {
		t.Error("the page does not ask")
	}
}
