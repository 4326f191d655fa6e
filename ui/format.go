package ui

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

type nowKey struct{}

// WithNow returns a context whose renders compute relative times ("12 s
// ago", open incident durations) against now instead of the wall clock.
// Tests use it for deterministic output; the server need not call it.
func WithNow(ctx context.Context, now time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, now)
}

func nowFrom(ctx context.Context) time.Time {
	if t, ok := ctx.Value(nowKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

// statusWord maps any status to one of the known words, so an unexpected
// value never becomes a CSS class or an unlabelled badge.
func statusWord(s string) string {
	switch s {
	case "ok", "warning", "problem", "paused":
		return s
	}
	return "unknown"
}

func fmtLatency(ms float64) string {
	switch {
	case ms < 0 || math.IsNaN(ms) || math.IsInf(ms, 0):
		return "—"
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
}

// fmtUptime shows two decimals but never rounds a partial outage up to
// "100.00%": only a clean 100 reads as 100%.
func fmtUptime(p float64) string {
	switch {
	case p < 0 || math.IsNaN(p):
		return "—"
	case p >= 100:
		return "100%"
	}
	return strconv.FormatFloat(math.Floor(p*100)/100, 'f', 2, 64) + "%"
}

// uptimeClass grades an uptime for colour; the number itself is the text.
func uptimeClass(p float64) string {
	switch {
	case p < 0:
		return "uptime none"
	case p >= 99.9:
		return "uptime good"
	case p >= 99:
		return "uptime fair"
	}
	return "uptime poor"
}

func ago(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := nowFrom(ctx).Sub(t)
	if d < 0 {
		return "just now"
	}
	return shortDuration(d) + " ago"
}

// shortDuration writes a duration in its largest unit or two: "12 s",
// "3 min", "2 h 5 min", "4 d 3 h".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%d d", days)
	}
	return fmt.Sprintf("%d d %d h", days, h)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("Jan 2, 15:04 UTC")
}

func isoTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// incidentDuration is how long an incident lasted, or has lasted so far.
func incidentDuration(ctx context.Context, in IncidentRow) string {
	end := in.EndedAt
	if in.Open || end.IsZero() {
		end = nowFrom(ctx)
	}
	if end.Before(in.StartedAt) {
		return "—"
	}
	return shortDuration(end.Sub(in.StartedAt))
}

func pageTitle(p Page) string {
	if p.Title == "" {
		return "Vigil"
	}
	return p.Title + " · Vigil"
}

// dashboardURL builds the dashboard link for a query and status filter,
// leaving out empty parameters so the plain dashboard stays "/".
func dashboardURL(q, status string, page int, partial bool) string {
	v := url.Values{}
	if partial {
		v.Set("partial", "table")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if q != "" {
		v.Set("q", q)
	}
	if status != "" {
		v.Set("status", status)
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

func monitorURL(id string, suffix string) string {
	return "/monitors/" + url.PathEscape(id) + suffix
}

// fieldID turns a form field name such as "settings.method" into an id
// that is also easy to use in CSS selectors.
func fieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", " ", "-").Replace(name)
}

func errID(name string) string {
	return fieldID(name) + "-error"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func errorCode(code int) string {
	if code <= 0 {
		return "Error"
	}
	return strconv.Itoa(code)
}

func errorTitle(code int) string {
	switch code {
	case 400:
		return "That request was not valid"
	case 401:
		return "Please sign in"
	case 403:
		return "You may not do that"
	case 404:
		return "Page not found"
	case 405:
		return "Method not allowed"
	}
	if code >= 500 {
		return "Something went wrong"
	}
	return "Error"
}

func pathEscape(s string) string {
	return url.PathEscape(s)
}

func incidentsSubtitle(p IncidentsProps) string {
	open := 0
	for _, in := range p.Incidents {
		if in.Open {
			open++
		}
	}
	if p.Filter == "all" {
		return plural(len(p.Incidents), "incident", "incidents") + ", " + strconv.Itoa(open) + " open"
	}
	return plural(open, "open incident", "open incidents")
}

// ackerName is who acknowledged, as people name them. The server records
// a contact that used its one-click link as "contact:Ops mail (email
// link)", so the audit log tells it from a user; pages name the contact
// alone: "Ops mail (email link)".
func ackerName(by string) string {
	return strings.TrimPrefix(by, "contact:")
}

// shownName writes a file name or path so that what it shows is what it
// holds: control characters (a newline, an escape) and invisible
// formatting ones (zero-width spaces, right-to-left overrides that can
// make "exe.txt" read as "txt.exe") are written as Go escapes, \n, \x1b,
// \u202e. Everything else, other scripts included, is shown as is.
//
// ui imports nothing of ours (DESIGN.md), so internal/shown, which the
// store's path filter uses to match what this shows, holds the same code:
// keep the two alike (server/web_fim_filter_test.go checks they agree).
func shownName(s string) string { return escapeHidden(s, hiddenRune) }

// shownText is shownName for text that may span lines (audit values such
// as a body template): newlines and tabs stay, the rest is escaped alike.
func shownText(s string) string {
	return escapeHidden(s, func(r rune) bool { return r != '\n' && r != '\t' && hiddenRune(r) })
}

// escapeHidden writes the runes hidden says so of as Go escapes.
func escapeHidden(s string, hidden func(rune) bool) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !hidden(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r) // e.g. '\n', '\x1b', '\u202e'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// hiddenRune reports whether r shows as something other than itself:
// a control character or a format character (Unicode category Cf).
func hiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}
