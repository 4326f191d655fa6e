package server

import (
	"net/http"
	"strings"

	"github.com/vigil-monitor/vigil/ui"
)

// routes is the whole HTTP surface of the server on one page.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /static/", http.StripPrefix("/static", ui.Static()))

	// Web UI. Pages need a session; forms carry a CSRF token.
	mux.HandleFunc("GET /setup", s.handleSetupPage)
	mux.HandleFunc("POST /setup", s.handleSetupSubmit)
	mux.HandleFunc("GET /login", s.handleLoginPage)
	mux.HandleFunc("POST /login", s.handleLoginSubmit)
	mux.HandleFunc("POST /logout", s.web(roleViewer, s.handleLogout))
	mux.HandleFunc("GET /{$}", s.web(roleViewer, s.handleDashboard))
	mux.HandleFunc("GET /monitors/new", s.web(roleEditor, s.handleMonitorNew))
	mux.HandleFunc("POST /monitors/new", s.web(roleEditor, s.handleMonitorFormRefresh))
	mux.HandleFunc("POST /monitors", s.web(roleEditor, s.handleMonitorCreate))
	mux.HandleFunc("GET /monitors/{id}", s.web(roleViewer, s.handleMonitorPage))
	mux.HandleFunc("GET /monitors/{id}/edit", s.web(roleEditor, s.handleMonitorEdit))
	mux.HandleFunc("POST /monitors/{id}/edit", s.web(roleEditor, s.handleMonitorFormRefresh))
	mux.HandleFunc("POST /monitors/{id}", s.web(roleEditor, s.handleMonitorUpdate))
	mux.HandleFunc("POST /monitors/{id}/pause", s.web(roleEditor, s.handleMonitorPause))
	mux.HandleFunc("POST /monitors/{id}/resume", s.web(roleEditor, s.handleMonitorResume))
	mux.HandleFunc("POST /monitors/{id}/delete", s.web(roleEditor, s.handleMonitorDelete))
	mux.HandleFunc("GET /incidents", s.web(roleViewer, s.handleIncidentsPage))
	mux.HandleFunc("POST /incidents/{id}/ack", s.web(roleEditor, s.handleIncidentAckForm))
	mux.HandleFunc("GET /agents", s.web(roleViewer, s.handleAgentsPage))
	mux.HandleFunc("POST /agents/join-tokens", s.web(roleAdmin, s.handleJoinTokenForm))
	mux.HandleFunc("POST /agents/join-tokens/{id}/revoke", s.web(roleAdmin, s.handleJoinTokenRevokeForm))
	mux.HandleFunc("POST /agents/{id}", s.web(roleEditor, s.handleAgentUpdateForm))
	mux.HandleFunc("POST /agents/{id}/revoke", s.web(roleAdmin, s.handleAgentRevokeForm))
	mux.HandleFunc("GET /fim", s.web(roleViewer, s.handleFIMPage))
	mux.HandleFunc("POST /fim/policies", s.web(roleEditor, s.handleFIMPolicyCreate))
	mux.HandleFunc("GET /fim/policies/{id}", s.web(roleViewer, s.handleFIMPolicyPage))
	mux.HandleFunc("POST /fim/policies/{id}", s.web(roleEditor, s.handleFIMPolicyUpdate))
	mux.HandleFunc("POST /fim/policies/{id}/delete", s.web(roleEditor, s.handleFIMPolicyDelete))
	mux.HandleFunc("POST /fim/policies/{id}/scan", s.web(roleEditor, s.handleFIMPolicyScan))
	mux.HandleFunc("POST /fim/policies/{id}/accept", s.web(roleEditor, s.handleFIMPolicyAccept))
	mux.HandleFunc("GET /fim/changes", s.web(roleViewer, s.handleFIMChangesPage))
	mux.HandleFunc("POST /fim/changes/accept", s.web(roleEditor, s.handleFIMChangesAccept))
	mux.HandleFunc("GET /incidents/{id}", s.web(roleViewer, s.handleIncidentPage))
	mux.HandleFunc("GET /settings/smtp", s.web(roleAdmin, s.handleSMTPPage))
	mux.HandleFunc("POST /settings/smtp", s.web(roleAdmin, s.handleSMTPForm))
	mux.HandleFunc("POST /settings/smtp/test", s.web(roleAdmin, s.handleSMTPTestForm))
	mux.HandleFunc("GET /contacts", s.web(roleViewer, s.handleContactsPage))
	mux.HandleFunc("GET /contacts/new", s.web(roleEditor, s.handleContactNew))
	mux.HandleFunc("POST /contacts/new", s.web(roleEditor, s.handleContactFormRefresh))
	mux.HandleFunc("POST /contacts", s.web(roleEditor, s.handleContactCreate))
	mux.HandleFunc("GET /contacts/{id}/edit", s.web(roleEditor, s.handleContactEdit))
	mux.HandleFunc("POST /contacts/{id}/edit", s.web(roleEditor, s.handleContactFormRefresh))
	mux.HandleFunc("POST /contacts/{id}", s.web(roleEditor, s.handleContactUpdate))
	mux.HandleFunc("POST /contacts/{id}/test", s.web(roleEditor, s.handleContactTestForm))
	mux.HandleFunc("POST /contacts/{id}/delete", s.web(roleEditor, s.handleContactDeleteForm))
	mux.HandleFunc("POST /groups", s.web(roleEditor, s.handleGroupForm))
	mux.HandleFunc("GET /groups/{id}/edit", s.web(roleEditor, s.handleGroupEditPage))
	mux.HandleFunc("POST /groups/{id}", s.web(roleEditor, s.handleGroupForm))
	mux.HandleFunc("POST /groups/{id}/delete", s.web(roleEditor, s.handleGroupDeleteForm))
	mux.HandleFunc("POST /routes", s.web(roleEditor, s.handleRouteForm))
	mux.HandleFunc("GET /routes/{id}/edit", s.web(roleEditor, s.handleRouteEditPage))
	mux.HandleFunc("POST /routes/{id}", s.web(roleEditor, s.handleRouteForm))
	mux.HandleFunc("POST /routes/{id}/delete", s.web(roleEditor, s.handleRouteDeleteForm))
	mux.HandleFunc("GET /escalations", s.web(roleViewer, s.handleEscalationsPage))
	mux.HandleFunc("POST /escalations", s.web(roleEditor, s.handlePolicyForm))
	mux.HandleFunc("GET /escalations/{id}/edit", s.web(roleEditor, s.handleEscalationEdit))
	mux.HandleFunc("POST /escalations/{id}", s.web(roleEditor, s.handlePolicyForm))
	mux.HandleFunc("POST /escalations/{id}/delete", s.web(roleEditor, s.handlePolicyDeleteForm))
	mux.HandleFunc("GET /maintenance", s.web(roleViewer, s.handleMaintenancePage))
	mux.HandleFunc("POST /maintenance", s.web(roleEditor, s.handleMaintenanceForm))
	mux.HandleFunc("GET /maintenance/{id}/edit", s.web(roleEditor, s.handleMaintenanceEdit))
	mux.HandleFunc("POST /maintenance/{id}", s.web(roleEditor, s.handleMaintenanceForm))
	mux.HandleFunc("POST /maintenance/{id}/delete", s.web(roleEditor, s.handleMaintenanceDeleteForm))
	mux.HandleFunc("GET /audit", s.web(roleEditor, s.handleAuditPage))

	// One-click acknowledgement from an email: no session, the signed
	// link is the authority (see ack_link.go).
	mux.HandleFunc("GET /ack/{id}", s.handleAckLinkPage)
	mux.HandleFunc("POST /ack/{id}", s.handleAckLinkSubmit)

	// JSON API. Bearer tokens; no cookies, so no CSRF.
	mux.HandleFunc("POST /api/v1/auth/token", s.handleAPIToken)
	mux.HandleFunc("GET /api/v1/monitors", s.api(roleViewer, s.handleAPIMonitorList))
	mux.HandleFunc("POST /api/v1/monitors", s.api(roleEditor, s.handleAPIMonitorCreate))
	mux.HandleFunc("GET /api/v1/monitors/{id}", s.api(roleViewer, s.handleAPIMonitorGet))
	mux.HandleFunc("PUT /api/v1/monitors/{id}", s.api(roleEditor, s.handleAPIMonitorUpdate))
	mux.HandleFunc("DELETE /api/v1/monitors/{id}", s.api(roleEditor, s.handleAPIMonitorDelete))
	mux.HandleFunc("GET /api/v1/monitors/{id}/results", s.api(roleViewer, s.handleAPIResults))
	mux.HandleFunc("GET /api/v1/incidents", s.api(roleViewer, s.handleAPIIncidents))
	mux.HandleFunc("GET /api/v1/incidents/{id}", s.api(roleViewer, s.handleAPIIncidentGet))
	mux.HandleFunc("POST /api/v1/incidents/{id}/ack", s.api(roleEditor, s.handleAPIIncidentAck))
	mux.HandleFunc("GET /api/v1/incidents/{id}/notifications", s.api(roleViewer, s.handleAPIIncidentNotifications))
	mux.HandleFunc("GET /api/v1/check-types", s.api(roleViewer, s.handleAPICheckTypes))
	mux.HandleFunc("GET /api/v1/audit", s.api(roleAdmin, s.handleAPIAudit))
	mux.HandleFunc("GET /api/v1/system", s.api(roleAdmin, s.handleAPISystem))
	mux.HandleFunc("POST /api/v1/join-tokens", s.api(roleAdmin, s.handleAPIJoinTokenCreate))
	mux.HandleFunc("GET /api/v1/join-tokens", s.api(roleAdmin, s.handleAPIJoinTokenList))
	mux.HandleFunc("DELETE /api/v1/join-tokens/{id}", s.api(roleAdmin, s.handleAPIJoinTokenRevoke))
	mux.HandleFunc("GET /api/v1/agents", s.api(roleViewer, s.handleAPIAgentList))
	mux.HandleFunc("PUT /api/v1/agents/{id}", s.api(roleEditor, s.handleAPIAgentUpdate))
	mux.HandleFunc("DELETE /api/v1/agents/{id}", s.api(roleAdmin, s.handleAPIAgentRevoke))
	mux.HandleFunc("GET /api/v1/settings/smtp", s.api(roleAdmin, s.handleAPISMTPGet))
	mux.HandleFunc("PUT /api/v1/settings/smtp", s.api(roleAdmin, s.handleAPISMTPPut))
	mux.HandleFunc("POST /api/v1/settings/smtp/test", s.api(roleAdmin, s.handleAPISMTPTest))
	mux.HandleFunc("GET /api/v1/contacts", s.api(roleViewer, s.handleAPIContactList))
	mux.HandleFunc("POST /api/v1/contacts", s.api(roleEditor, s.handleAPIContactCreate))
	mux.HandleFunc("GET /api/v1/contacts/{id}", s.api(roleViewer, s.handleAPIContactGet))
	mux.HandleFunc("PUT /api/v1/contacts/{id}", s.api(roleEditor, s.handleAPIContactUpdate))
	mux.HandleFunc("DELETE /api/v1/contacts/{id}", s.api(roleEditor, s.handleAPIContactDelete))
	mux.HandleFunc("POST /api/v1/contacts/{id}/test", s.api(roleEditor, s.handleAPIContactTest))
	mux.HandleFunc("GET /api/v1/contact-groups", s.api(roleViewer, s.handleAPIGroupList))
	mux.HandleFunc("POST /api/v1/contact-groups", s.api(roleEditor, s.handleAPIGroupCreate))
	mux.HandleFunc("GET /api/v1/contact-groups/{id}", s.api(roleViewer, s.handleAPIGroupGet))
	mux.HandleFunc("PUT /api/v1/contact-groups/{id}", s.api(roleEditor, s.handleAPIGroupUpdate))
	mux.HandleFunc("DELETE /api/v1/contact-groups/{id}", s.api(roleEditor, s.handleAPIGroupDelete))
	mux.HandleFunc("GET /api/v1/escalation-policies", s.api(roleViewer, s.handleAPIPolicyList))
	mux.HandleFunc("POST /api/v1/escalation-policies", s.api(roleEditor, s.handleAPIPolicyCreate))
	mux.HandleFunc("GET /api/v1/escalation-policies/{id}", s.api(roleViewer, s.handleAPIPolicyGet))
	mux.HandleFunc("PUT /api/v1/escalation-policies/{id}", s.api(roleEditor, s.handleAPIPolicyUpdate))
	mux.HandleFunc("DELETE /api/v1/escalation-policies/{id}", s.api(roleEditor, s.handleAPIPolicyDelete))
	mux.HandleFunc("GET /api/v1/notify-routes", s.api(roleViewer, s.handleAPIRouteList))
	mux.HandleFunc("POST /api/v1/notify-routes", s.api(roleEditor, s.handleAPIRouteCreate))
	mux.HandleFunc("GET /api/v1/notify-routes/{id}", s.api(roleViewer, s.handleAPIRouteGet))
	mux.HandleFunc("PUT /api/v1/notify-routes/{id}", s.api(roleEditor, s.handleAPIRouteUpdate))
	mux.HandleFunc("DELETE /api/v1/notify-routes/{id}", s.api(roleEditor, s.handleAPIRouteDelete))
	mux.HandleFunc("GET /api/v1/maintenance", s.api(roleViewer, s.handleAPIMaintenanceList))
	mux.HandleFunc("POST /api/v1/maintenance", s.api(roleEditor, s.handleAPIMaintenanceCreate))
	mux.HandleFunc("GET /api/v1/maintenance/{id}", s.api(roleViewer, s.handleAPIMaintenanceGet))
	mux.HandleFunc("PUT /api/v1/maintenance/{id}", s.api(roleEditor, s.handleAPIMaintenanceUpdate))
	mux.HandleFunc("DELETE /api/v1/maintenance/{id}", s.api(roleEditor, s.handleAPIMaintenanceDelete))
	mux.HandleFunc("GET /api/v1/fim/policies", s.api(roleViewer, s.handleAPIFIMPolicyList))
	mux.HandleFunc("POST /api/v1/fim/policies", s.api(roleEditor, s.handleAPIFIMPolicyCreate))
	mux.HandleFunc("GET /api/v1/fim/policies/{id}", s.api(roleViewer, s.handleAPIFIMPolicyGet))
	mux.HandleFunc("PUT /api/v1/fim/policies/{id}", s.api(roleEditor, s.handleAPIFIMPolicyUpdate))
	mux.HandleFunc("DELETE /api/v1/fim/policies/{id}", s.api(roleEditor, s.handleAPIFIMPolicyDelete))
	mux.HandleFunc("POST /api/v1/fim/policies/{id}/scan", s.api(roleEditor, s.handleAPIFIMPolicyScan))
	mux.HandleFunc("GET /api/v1/fim/stock-policies", s.api(roleViewer, s.handleAPIFIMStockPolicies))
	mux.HandleFunc("GET /api/v1/fim/changes", s.api(roleViewer, s.handleAPIFIMChanges))
	mux.HandleFunc("GET /api/v1/fim/changes/{id}", s.api(roleViewer, s.handleAPIFIMChangeGet))
	mux.HandleFunc("POST /api/v1/fim/changes/accept", s.api(roleEditor, s.handleAPIFIMAccept))
	mux.HandleFunc("/api/", s.handleAPINotFound)

	mux.HandleFunc("/", s.handleNotFound)

	// Browsers' cross-origin state-changing requests are refused before
	// any handler runs; form tokens are the second line.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.handleCrossOrigin))
	return securityHeaders(cop.Handler(mux))
}

func (s *Server) handleCrossOrigin(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, errStatus(http.StatusForbidden, "cross-origin requests that change state are refused"))
		return
	}
	s.renderError(w, r, nil, http.StatusForbidden, "This request came from another site and was refused.")
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, errStatus(http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path))
}
