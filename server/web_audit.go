package server

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-monitor/vigil/store"
	"github.com/vigil-monitor/vigil/ui"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 100

// auditScanLimit bounds how many entries one page reads while it leaves
// out those the user may not see: a log full of hidden entries costs a
// bounded amount per request, and the "Older" link goes on from there.
const auditScanLimit = 5000

// auditTargetRe is what a record's name in the audit log looks like:
// "monitor:3", "settings:smtp".
var auditTargetRe = regexp.MustCompile(`^[a-z][a-z_]{0,39}:[A-Za-z0-9_-]{1,64}$`)

// handleAuditPage shows the audit log to editors and administrators,
// newest first, a page at a time (?before=ID), all of it or one record's
// (?target=monitor:3). Editors do not see the changes to users, tokens and
// the SMTP settings, which only administrators manage.
func (s *Server) handleAuditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	admin := roleRank(rc.user.Role) >= roleRank(roleAdmin)
	q := r.URL.Query()
	target, before := strings.TrimSpace(q.Get("target")), strings.TrimSpace(q.Get("before"))
	if before != "" {
		if n, err := strconv.ParseUint(before, 10, 64); err != nil || n == 0 {
			return badRequest("before", "The page of the audit log to show is given by an entry's id, a whole number, not %q.", before)
		}
	}
	if target != "" && !admin && adminOnlyAudit(target) {
		return errStatus(http.StatusForbidden, "Changes to users, tokens and the SMTP settings are shown to administrators only.")
	}
	// Whoever reaches this page may read the log: the nav says so too.
	r = r.WithContext(ui.WithAuditLinks(r.Context()))
	p := ui.AuditProps{Page: s.pageFor(w, r, rc, "Audit log", "audit"), Target: target, Paged: before != "", Hidden: !admin}
	if target != "" && !auditTargetRe.MatchString(target) {
		p.Error = "A record is written as its kind and id, like monitor:3 or contact:2; " + quote(target) + " is not."
		s.render(w, r, http.StatusBadRequest, ui.AuditPage(p))
		return nil
	}
	entries, older, err := s.auditEntries(target, before, admin)
	if err != nil {
		return err
	}
	p.Older = older
	urls := map[string]string{} // a record's page, looked up once per page
	for _, e := range entries {
		u, ok := urls[e.Target]
		if !ok {
			u = s.auditTargetURL(e.Target, admin)
			urls[e.Target] = u
		}
		p.Entries = append(p.Entries, auditRow(e, u))
	}
	if target != "" {
		p.TargetURL = s.auditTargetURL(target, admin)
		for _, e := range p.Entries {
			if e.TargetName != "" {
				p.TargetName = e.TargetName
				break
			}
		}
	}
	s.render(w, r, http.StatusOK, ui.AuditPage(p))
	return nil
}

// auditEntries reads one page of the log: up to auditPageSize entries
// below the entry before ("" for the newest), of target ("" for all),
// leaving out what only administrators see unless admin. older is where
// the next page starts, "" when there is none.
func (s *Server) auditEntries(target, before string, admin bool) (shown []store.AuditEntry, older string, err error) {
	cursor := before
	for scanned := 0; scanned < auditScanLimit; {
		batch, err := s.db.Audit(store.AuditQuery{Target: target, Before: cursor, Limit: auditPageSize + 1})
		if err != nil {
			return nil, "", err
		}
		for _, e := range batch {
			if !admin && adminOnlyAudit(e.Target) {
				cursor = e.ID
				continue
			}
			if len(shown) == auditPageSize {
				return shown, shown[len(shown)-1].ID, nil // one more is visible
			}
			shown = append(shown, e)
			cursor = e.ID
		}
		if len(batch) <= auditPageSize {
			return shown, "", nil // the oldest entry was read
		}
		scanned += len(batch)
	}
	return shown, cursor, nil
}

// adminOnlyAudit says whether changes to target are for administrators'
// eyes only: users, API and join tokens, server settings — what only they
// manage (the SMTP page and the join tokens are theirs alone).
func adminOnlyAudit(target string) bool {
	kind, _, _ := strings.Cut(target, ":")
	switch kind {
	case "user", "token", "join_token", "settings":
		return true
	}
	return false
}

// auditRow is an entry as the audit page shows it; targetURL is the page
// of the record it is about ("" for none).
func auditRow(e store.AuditEntry, targetURL string) ui.AuditRow {
	row := ui.AuditRow{
		ID: e.ID, At: e.At, IP: e.IP, Action: e.Action, Target: e.Target,
		TargetName: auditRecordName(e.After, e.Before), TargetURL: targetURL,
	}
	row.ActorKind, row.Actor = auditActor(e)
	kind, _, _ := strings.Cut(e.Target, ":")
	row.Kind, row.Changes, row.Truncated = auditChanges(kind, e.Before, e.After)
	return row
}

// auditActor tells who made a change and what they are: agents and
// contacts acting through a link are written "agent:NAME" and
// "contact:NAME (email link)" in the log; the server itself is "system".
func auditActor(e store.AuditEntry) (kind, name string) {
	if n, ok := strings.CutPrefix(e.Actor, "agent:"); ok {
		return "agent", n
	}
	if n, ok := strings.CutPrefix(e.Actor, contactActorPrefix); ok {
		return "contact", n
	}
	if e.Actor == store.System.Username && e.ActorID == "" {
		return "system", "Vigil"
	}
	return "user", e.Actor
}
