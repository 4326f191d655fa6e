package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds on text taken from checks and people, so one odd message cannot
// make a notification unreadable or oversized.
const (
	maxNameLen    = 120
	maxTargetLen  = 200
	maxMessageLen = 1000
	summaryMsgLen = 200
)

// TestMonitorName is the monitor name test messages carry: a test is about
// no monitor, and this is what its subject and title then read.
const TestMonitorName = "Vigil test message"

// contactActor marks an acknowledgement made by a contact through a
// signed link rather than by a user: the server records it as
// "contact:Ops mail (email link)"; messages name the contact alone.
const contactActor = "contact:"

// Summary is the event in one line, shared by every contact type:
//
//	PROBLEM: Homepage (http https://x) — connection refused
//	REMINDER: Homepage (http https://x) still down after 1h5m — connection refused
//	RESOLVED: Homepage (http https://x) after 4m12s
//	ACKNOWLEDGED by alice: Homepage (http https://x) — "looking"
//	TEST: Vigil test message — if you can read this, this contact works
func (ev Event) Summary() string { return ev.summary(" — ") }

// summary is Summary with sep between the subject and the detail; SMS
// uses " - " because one em dash makes a whole SMS UCS-2, which cuts a
// segment from 160 characters to 70.
func (ev Event) summary(sep string) string {
	subject := ev.subject()
	msg := oneLine(ev.message(), summaryMsgLen)
	switch ev.Kind {
	case KindOpened:
		return join("PROBLEM: "+subject, sep, msg)
	case KindReminder:
		return join("REMINDER: "+subject+" still down after "+humanDuration(ev.Downtime()), sep, msg)
	case KindResolved:
		return "RESOLVED: " + subject + " after " + humanDuration(ev.Downtime())
	case KindAcknowledged:
		head := "ACKNOWLEDGED"
		var who, note string
		if ev.Incident != nil {
			who, note = ackerName(ev.Incident.AcknowledgedBy), oneLine(ev.Incident.AckNote, summaryMsgLen)
		}
		if who != "" {
			head += " by " + who
		}
		if note != "" {
			note = `"` + note + `"`
		}
		return join(head+": "+subject, sep, note)
	case KindTest:
		return join("TEST: "+subject, sep, "if you can read this, this contact works")
	default:
		return join(ev.Headline()+": "+subject, sep, msg)
	}
}

// Title is the short form for push titles and subjects of chat messages:
// "PROBLEM: Homepage".
func (ev Event) Title() string {
	return ev.Headline() + ": " + ev.monitorName()
}

func (ev Event) monitorName() string {
	if name := oneLine(ev.Monitor.Name, maxNameLen); name != "" {
		return name
	}
	return "(unnamed monitor)"
}

// subject is "Homepage (http https://x)", or the name alone when the
// event has no check type or target (test events).
func (ev Event) subject() string {
	if check := ev.check(); check != "" {
		return ev.monitorName() + " (" + check + ")"
	}
	return ev.monitorName()
}

// check is "http https://x": the monitor's type and target.
func (ev Event) check() string {
	return strings.TrimSpace(oneLine(ev.Monitor.Type, 40) + " " + displayTarget(ev.Monitor.Target))
}

// Fact is one labelled line of a notification's details.
type Fact struct {
	Label, Value string
}

// Facts are the event's details for people: what, where, since when, the
// last message, who acknowledged. Links are not facts: see MonitorURL and
// AckURL. A test is about no monitor: it has only its time. A message
// sent as an incident opens says since when, not "Down for: 0s".
func (ev Event) Facts() []Fact {
	if ev.Kind == KindTest {
		return []Fact{{"When", formatTime(ev.At)}}
	}
	facts := []Fact{{"Monitor", ev.monitorName()}}
	if check := ev.check(); check != "" {
		facts = append(facts, Fact{"Check", check})
	}
	if where := oneLine(ev.Location, maxTargetLen); where != "" {
		facts = append(facts, Fact{"Where", where})
	}
	inc := ev.Incident
	if inc == nil {
		return append(facts, Fact{"When", formatTime(ev.At)})
	}
	if !inc.StartedAt.IsZero() {
		facts = append(facts, Fact{"Since", formatTime(inc.StartedAt)})
	}
	if inc.EndedAt != nil {
		facts = append(facts, Fact{"Resolved", formatTime(*inc.EndedAt) + ", after " + humanDuration(ev.Downtime())})
	} else if !inc.StartedAt.IsZero() && ev.Downtime() >= time.Second {
		facts = append(facts, Fact{"Down for", humanDuration(ev.Downtime())})
	}
	if msg := oneLine(inc.Message, maxMessageLen); msg != "" {
		facts = append(facts, Fact{"Last message", msg})
	}
	if ack := ev.ackFact(); ack != "" {
		facts = append(facts, Fact{"Acknowledged", ack})
	}
	return facts
}

// ackFact is `by alice at 2026-… UTC: "looking"`, or "" when nobody has
// acknowledged.
func (ev Event) ackFact() string {
	inc := ev.Incident
	if inc == nil || (inc.AcknowledgedBy == "" && inc.AcknowledgedAt == nil) {
		return ""
	}
	var b strings.Builder
	if who := ackerName(inc.AcknowledgedBy); who != "" {
		b.WriteString("by " + who)
	}
	if inc.AcknowledgedAt != nil {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("at " + formatTime(*inc.AcknowledgedAt))
	}
	if note := oneLine(inc.AckNote, maxMessageLen); note != "" {
		b.WriteString(`: "` + note + `"`)
	}
	return b.String()
}

// Text is the event as plain text: the summary, the facts, then the links
// (the acknowledgement link only when AckURL is set).
func (ev Event) Text() string {
	var b strings.Builder
	b.WriteString(ev.Summary())
	b.WriteString("\n\n")
	for _, f := range ev.Facts() {
		fmt.Fprintf(&b, "%-14s%s\n", f.Label+":", f.Value)
	}
	if ev.MonitorURL != "" || ev.AckURL != "" {
		b.WriteString("\n")
	}
	if ev.MonitorURL != "" {
		fmt.Fprintf(&b, "%-14s%s\n", "Monitor page:", ev.MonitorURL)
	}
	if ev.AckURL != "" {
		fmt.Fprintf(&b, "%-14s%s\n", "Acknowledge:", ev.AckURL)
	}
	return b.String()
}

// ackerName is who acknowledged, as people name them: a contact that
// used its link by its name ("Ops mail (email link)"), a user as is.
func ackerName(by string) string {
	return oneLine(strings.TrimPrefix(strings.TrimSpace(by), contactActor), maxNameLen)
}

func join(head, sep, detail string) string {
	if detail == "" {
		return head
	}
	return head + sep + detail
}

// formatTime is how every notification shows a time: UTC, to the second,
// so people in different zones read the same thing.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// humanDuration is a duration as people say it: "45s", "4m12s", "1h5m",
// "2d3h". Smaller units are dropped once they stop mattering.
func humanDuration(d time.Duration) string {
	d = max(d.Round(time.Second), 0)
	day := 24 * time.Hour
	two := func(a int64, ua string, b int64, ub string) string {
		if b == 0 {
			return fmt.Sprintf("%d%s", a, ua)
		}
		return fmt.Sprintf("%d%s%d%s", a, ua, b, ub)
	}
	switch {
	case d >= day:
		return two(int64(d/day), "d", int64(d%day/time.Hour), "h")
	case d >= time.Hour:
		return two(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "m")
	case d >= time.Minute:
		return two(int64(d/time.Minute), "m", int64(d%time.Minute/time.Second), "s")
	default:
		return fmt.Sprintf("%ds", int64(d/time.Second))
	}
}

// displayTarget hides a password written into a target URL
// (https://user:pass@host) before the target goes into a message.
func displayTarget(target string) string {
	if strings.Contains(target, "@") {
		if u, err := url.Parse(target); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				target = u.Redacted()
			}
		}
	}
	return oneLine(target, maxTargetLen)
}

// oneLine makes s safe for a single line: control characters become
// spaces, runs of spaces shrink to one, and s is clipped to n runes.
func oneLine(s string, n int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return clip(b.String(), n)
}

// clip cuts s to at most n runes, marking a cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}
