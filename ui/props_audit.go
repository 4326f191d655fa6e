package ui

import (
	"context"
	"time"
)

// AuditProps fill the audit log page: one page of entries, newest first,
// all of them or those about one record.
type AuditProps struct {
	Page
	// Target is the filter as typed ("monitor:3"); "" shows every entry.
	Target string
	// Error says why the filter was refused; "" when it was not.
	Error string
	// TargetName is how people know the filtered record ("Homepage"),
	// when it is known; TargetURL its page, when it has one.
	TargetName, TargetURL string
	Entries               []AuditRow
	// Older is the entry id the next page of older entries starts
	// below (its ?before=); "" when this page reaches the oldest. Paged
	// is true when this page does not start at the newest entry.
	Older string
	Paged bool
	// Hidden says that entries the viewer's role may not see (users,
	// tokens, SMTP settings) are left out.
	Hidden bool
}

// AuditRow is one change in the audit log, as the page shows it.
type AuditRow struct {
	ID string
	At time.Time
	// Actor is who made the change, readably: a user name, an agent's
	// name, "Ops mail (email link)"; ActorKind is "user", "agent",
	// "contact" or "system".
	Actor, ActorKind string
	IP               string // the address the change came from; "" when none
	Action           string // "monitor.update"
	Target           string // "monitor:3"
	// TargetName is the record's name when its entry holds one;
	// TargetURL is the record's page, "" when it has none or is gone.
	TargetName, TargetURL string
	// Kind is "create" (only an after), "delete" (only a before) or
	// "update" (both).
	Kind    string
	Changes []AuditChange // every field of the record, in its order
	// Truncated says the record had more fields than are shown.
	Truncated bool
}

// AuditChange is one field of an audited record before and after the
// change, written for people: durations as "1m", secrets as "(set)".
type AuditChange struct {
	Field               string // "interval", "settings.expect_status", "steps[0].after"
	Before, After       string // "" when that side has no such field
	HasBefore, HasAfter bool
	Changed             bool
}

type auditLinksKey struct{}

// WithAuditLinks returns a context in which pages link to the audit log:
// the "Audit" item of the nav and a monitor's "Audit log" button. The
// server sets it where it learns the user's role, for editors and
// administrators; a context carries it so that no screen's props need a
// field for two links (the way WithNow carries the clock).
func WithAuditLinks(ctx context.Context) context.Context {
	return context.WithValue(ctx, auditLinksKey{}, true)
}

// auditLinks says whether the page links to the audit log.
func auditLinks(ctx context.Context) bool {
	ok, _ := ctx.Value(auditLinksKey{}).(bool)
	return ok
}
