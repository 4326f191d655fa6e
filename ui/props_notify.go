package ui

import "time"

// The props of the alerting screens: SMTP settings, contacts, groups,
// routes, escalation policies, maintenance windows and one incident.

// Option is one choice of a select or a list of checkboxes.
type Option struct {
	Value string
	Label string
	Hint  string // a few words beside the label, e.g. "group · 3 members"
}

// SMTPProps fill the SMTP settings screen (administrators only).
type SMTPProps struct {
	Page
	Form SMTPForm
	// Test is the "Send test email" form; TestResult its outcome, "" before.
	TestTo     string
	TestErrors map[string]string // "to", "" → message
	TestResult string            // "sent" or the provider's error
	TestOK     bool
}

// SMTPForm is the SMTP settings form as typed. The password is never
// shown: PasswordSet says whether one is stored.
type SMTPForm struct {
	Host        string
	Port        string
	Username    string
	From        string
	TLS         string // "none", "starttls", "tls"
	PasswordSet bool
	UpdatedAt   time.Time // zero before the first save
	Errors      map[string]string
}

// ContactsProps fill the contacts screen: contacts, groups and routes.
type ContactsProps struct {
	Page
	CanEdit  bool
	Contacts []ContactRow
	Groups   []GroupRow
	Routes   []RouteRow
	// Test is the outcome of "Send test" for one contact, shown in its row.
	Test *ContactTest
	// GroupForm and RouteForm are the "New group" and "New route" forms.
	GroupForm GroupForm
	RouteForm RouteForm
	// Options for the group and route forms.
	ContactOptions []Option // contacts, for group members
	TargetOptions  []Option // contacts and groups, for routes
	PolicyOptions  []Option // escalation policies, for routes
	// SMTPReady is false while no SMTP server is set up: email contacts
	// cannot send yet.
	SMTPReady bool
	CanAdmin  bool
}

// ContactRow is one contact, without its secrets.
type ContactRow struct {
	ID      string
	Name    string
	Type    string // "email", "webhook", …
	Title   string // the type's title, "Email"
	Summary string // where it goes, e.g. "ops@example.com" or "https://hooks.example/…"
	Groups  []string
	// SecretsSet names the secret settings that hold a value.
	SecretsSet []string
}

// ContactTest is what "Send test" answered for one contact.
type ContactTest struct {
	ContactID string
	OK        bool
	Message   string // "Sent." or the provider's error
}

// GroupRow is one contact group; Members are contact ids.
type GroupRow struct {
	ID          string
	Name        string
	Members     []string
	MemberNames []string
}

// GroupForm is the group form as typed.
type GroupForm struct {
	ID      string // "" when creating
	Name    string
	Members []string // contact ids ticked
	Errors  map[string]string
}

// RouteRow is one notification route.
type RouteRow struct {
	ID          string
	Name        string
	Tags        []string
	AgentLabels []string
	Notify      []string // contact and group ids
	NotifyNames []string
	Escalation  string // policy id, "" for none
	PolicyName  string
}

// RouteForm is the route form as typed.
type RouteForm struct {
	ID          string
	Name        string
	Tags        string // comma-separated
	AgentLabels string // comma-separated
	Notify      []string
	Escalation  string
	Errors      map[string]string
}

// ContactFormProps fill the create and edit forms of a contact. The
// settings follow the chosen type, as the monitor form's do.
type ContactFormProps struct {
	Page
	Editing bool
	Types   []NotifyType
	Values  ContactForm
	Errors  map[string]string // form field name → message; "" for the whole form
}

// ContactForm is a contact as typed. Secret settings are never filled in:
// SecretsSet says which hold a stored value, kept when left empty.
type ContactForm struct {
	ID         string
	Name       string
	Type       string
	Settings   map[string]string // setting name → value as typed
	SecretsSet map[string]bool
	// SecretsEntered holds, for each secret typed into a form that was
	// not saved, an opaque sealed copy that only the same session can
	// open: posted back in a hidden field, so the person need not type it
	// again and its plain text never reaches the page.
	SecretsEntered map[string]string
}

// NotifyType is a contact type and the settings its form shows.
type NotifyType struct {
	Name     string
	Title    string
	Settings []NotifySetting
}

// NotifySetting is one setting of a contact type. Its form field name is
// "settings." + Name.
type NotifySetting struct {
	Name     string
	Kind     string // "string", "int", "bool", "list", "map", "enum", "text", "url", "duration"
	Default  string
	Help     string
	Options  []string
	Required bool
	Secret   bool
}

// EscalationsProps fill the escalation policies screen; Form is the new
// policy's form, or the one being edited.
type EscalationsProps struct {
	Page
	CanEdit       bool
	CanAdmin      bool // sees the SMTP tab
	Policies      []PolicyRow
	Form          PolicyForm
	TargetOptions []Option // contacts and groups
}

// PolicyRow is one escalation policy.
type PolicyRow struct {
	ID    string
	Name  string
	Steps []StepRow
	// UsedBy counts the monitors and routes that use the policy.
	UsedBy int
}

// StepRow is one step of a policy as shown.
type StepRow struct {
	After   time.Duration
	Targets []string // names
}

// PolicyForm is a policy as typed: a fixed number of step rows, so that
// a step can be added without JavaScript (empty rows are ignored).
type PolicyForm struct {
	ID     string // "" when creating
	Name   string
	Steps  []StepForm
	Errors map[string]string // "name", "steps.N.after", "steps.N.targets", ""
}

// StepForm is one step row as typed.
type StepForm struct {
	After   string   // minutes
	Targets []string // contact and group ids ticked
}

// MaintenanceProps fill the maintenance windows screen.
type MaintenanceProps struct {
	Page
	CanEdit  bool
	Windows  []MaintenanceRow
	Form     MaintenanceForm
	Monitors []Option // every monitor, for the scope
	Agents   []Option // every agent, for the scope
	Zones    []string // common IANA time zones for the select
}

// MaintenanceRow is one maintenance window.
type MaintenanceRow struct {
	ID       string
	Name     string
	Schedule string // "Nov 23, 22:00 – Nov 24, 02:00 UTC" or "Sat, Sun 22:00–02:00 Europe/Berlin"
	Scope    string // "2 monitors, tag db, agent web-1"
	Active   bool
	// NextChange is when the window next starts (or, while active, ends);
	// zero when it never will again.
	NextChange time.Time
	Monitors   int // monitors in the scope
}

// MaintenanceForm is a window as typed. Start and End are wall-clock
// times ("2026-11-23T22:00") in TimeZone, which weekly windows use too.
type MaintenanceForm struct {
	ID       string
	Name     string
	Kind     string // "once" or "weekly"
	Start    string
	End      string
	Days     []int // 0 (Sunday) … 6 ticked
	From     string
	To       string
	TimeZone string
	Monitors []string // monitor ids ticked
	Tags     string   // comma-separated
	Agents   []string // agent ids ticked
	Errors   map[string]string
}

// MaintenanceBanner is an active window on the dashboard.
type MaintenanceBanner struct {
	Name     string
	Until    time.Time // zero when it has no end in sight
	Monitors int
}

// IncidentProps fill one incident's page: the incident, its monitor, the
// acknowledgement form and the notification log.
type IncidentProps struct {
	Page
	Incident      IncidentRow
	MonitorType   string
	MonitorTarget string
	MonitorStatus string // "" when the monitor was deleted
	CanAck        bool
	Notifications []NotificationRow // oldest first
	Pending       []NotificationRow // queued, not sent yet
}

// NotificationRow is one attempt to notify a contact, or a queued message.
type NotificationRow struct {
	At      time.Time
	Contact string
	Type    string
	Event   string // "incident.opened", …
	Step    int
	Attempt int
	Result  string // "sent", "failed", "retrying", "gave_up", "held", "suppressed", "cancelled", "queued"
	Error   string
}

// AckLinkProps fill the page a one-click acknowledgement link opens: a
// question and a button (GET changes nothing), or the result after it.
type AckLinkProps struct {
	Page
	IncidentID  string
	MonitorName string
	Contact     string
	StartedAt   time.Time
	Message     string
	// Query is the signed part of the link, posted back unchanged.
	C, E, S string
	// Done is the outcome after the POST; "" while asking.
	Done   string
	Failed bool
}
