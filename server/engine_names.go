package server

// incidentLocationName names a location in incident messages: "server",
// or an agent's name marked as one ("web-01 (agent)"), so that "timeout
// from web-01 (agent)" says where rather than "timeout at 7". The engine
// calls it only when an incident opens: one small read.
func (s *Server) incidentLocationName(location string) string {
	if location == serverLocation {
		return serverLocation
	}
	a, err := s.db.Agent(location)
	if err != nil || a.Name == "" {
		// A deleted agent, or a store that cannot answer: the id still
		// says which one.
		return "agent " + location
	}
	return a.Name + " (agent)"
}
