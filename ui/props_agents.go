package ui

import "time"

// AgentsProps fill the agents screen: the CA fingerprint agents pin, the
// join tokens and the agents that joined.
type AgentsProps struct {
	Page
	Fingerprint string // the CA's SHA-256 fingerprint, hex
	CanEdit     bool   // may rename agents and set labels
	CanAdmin    bool   // may create and revoke tokens and revoke agents
	// NewToken is the token just created, shown this once; nil otherwise.
	NewToken  *NewJoinToken
	TokenForm JoinTokenForm
	Tokens    []JoinTokenRow // newest first; only filled for administrators
	Agents    []AgentRow
	// AgentForm is a rename that was refused, as typed, shown open in
	// its agent's row with the errors; its ID is empty otherwise.
	AgentForm AgentForm
}

// NewJoinToken is a join token right after its creation: the only time
// its command (which holds the secret) is shown.
type NewJoinToken struct {
	ID        string
	Command   string // "vigil agent --server … --token …"
	ExpiresAt time.Time
	UsesLeft  int
}

// JoinTokenForm is the "New join token" form as typed, with its errors.
type JoinTokenForm struct {
	TTL    string
	Uses   string
	Note   string
	Errors map[string]string // field name ("ttl", "uses", "note", "") → message
}

// AgentForm is one agent's "Rename" form as typed, with its errors.
type AgentForm struct {
	ID     string // the agent the form belongs to
	Name   string
	Labels string            // comma-separated
	Errors map[string]string // field name ("name", "labels", "") → message
}

// JoinTokenRow is one join token, without its secret.
type JoinTokenRow struct {
	ID        string
	Note      string
	Status    string // "active", "expired", "used_up", "revoked"
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsesLeft  int
	Used      int
}

// AgentRow is one agent.
type AgentRow struct {
	ID       string
	Name     string
	Hostname string
	OS       string
	Arch     string
	Version  string
	Status   string // "online", "offline", "revoked"
	Address  string
	Labels   []string
	LastSeen time.Time // zero when never seen
	// Monitors are the monitors that run on it, by name.
	Monitors []MonitorLink
	// Commands are the shell commands its allow.d allows, by name.
	Commands []string
	// Spool is its spool of undelivered results; nil when not known.
	Spool *AgentSpool
}

// MonitorLink names a monitor and leads to its page.
type MonitorLink struct {
	ID   string
	Name string
}

// AgentSpool is an agent's spool as its latest poll reported it.
type AgentSpool struct {
	Pending uint64 // results waiting to be sent
	Bytes   uint64 // their size on the agent's disk
	Dropped uint64 // results lost since the agent started
}
