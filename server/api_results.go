package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

const (
	defaultResultLimit = 1000
	maxResultLimit     = 10000
)

// handleAPIResults lists raw results oldest first. With since, the first
// limit results after it (page forward by passing the last "at" back);
// without since, the newest limit results.
func (s *Server) handleAPIResults(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMonitor(r.PathValue("id"))
	if err != nil {
		return err
	}
	q := store.ResultQuery{Limit: defaultResultLimit, Newest: true}
	v := r.URL.Query()
	if since := v.Get("since"); since != "" {
		t, err := time.Parse(time.RFC3339Nano, since)
		if err != nil {
			return badRequest("since", "since must be an RFC 3339 time like 2026-11-23T08:00:00Z")
		}
		q.Since, q.Newest = t.Add(time.Nanosecond), false
	}
	if until := v.Get("until"); until != "" {
		t, err := time.Parse(time.RFC3339Nano, until)
		if err != nil {
			return badRequest("until", "until must be an RFC 3339 time like 2026-11-23T08:00:00Z")
		}
		q.Until = t
	}
	if limit := v.Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > maxResultLimit {
			return badRequest("limit", "limit must be a whole number from 1 to %d", maxResultLimit)
		}
		q.Limit = n
	}
	q.Location = v.Get("location")
	results, err := s.db.Results(m.ID, q)
	if err != nil {
		return err
	}
	if results == nil {
		results = []checks.Result{}
	}
	for i := range results {
		results[i].At = results[i].At.UTC()
	}
	writeJSON(w, http.StatusOK, results)
	return nil
}

func (s *Server) handleAPICheckTypes(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	type setting struct {
		Name    string   `json:"name"`
		Kind    string   `json:"kind"`
		Default string   `json:"default,omitempty"`
		Options []string `json:"options,omitempty"`
		Secret  bool     `json:"secret,omitempty"` // write-only: stored sealed, never returned
		Help    string   `json:"help"`
	}
	type checkType struct {
		Name       string    `json:"name"`
		Title      string    `json:"title"`
		Scope      string    `json:"scope"`
		TargetHelp string    `json:"target_help"`
		Settings   []setting `json:"settings"`
	}
	out := []checkType{}
	for _, t := range checks.Types() {
		ct := checkType{Name: t.Name, Title: t.Title, Scope: string(t.Scope), TargetHelp: t.TargetHelp, Settings: []setting{}}
		for _, st := range t.Settings {
			ct.Settings = append(ct.Settings, setting{st.Name, st.Kind, st.Default, st.Options, st.Secret, st.Help})
		}
		out = append(out, ct)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := store.AuditQuery{Limit: 100, Target: r.URL.Query().Get("target")}
	if limit := r.URL.Query().Get("limit"); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > 1000 {
			return badRequest("limit", "limit must be a whole number from 1 to 1000")
		}
		q.Limit = n
	}
	entries, err := s.db.Audit(q)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	for i := range entries {
		entries[i].At = entries[i].At.UTC()
	}
	writeJSON(w, http.StatusOK, entries)
	return nil
}
