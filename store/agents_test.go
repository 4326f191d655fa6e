package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// newAgent creates an agent called name with certificate serial.
func newAgent(t *testing.T, db *DB, name, serial string) Agent {
	t.Helper()
	a := &Agent{Name: name, Hostname: name + ".lan", OS: "linux", Arch: "amd64", Version: "1.0.0",
		Labels: []string{"rack-1"}, CertSerial: serial, CertNotAfter: joinNow.Add(90 * 24 * time.Hour), JoinTokenID: "1"}
	wantErr(t, db.CreateAgent(a, testActor), nil)
	return *a
}

func TestCreateAgent(t *testing.T) {
	db := openTestDB(t)
	first := newAgent(t, db, "Web-1", "s1")
	if first.ID != "1" || first.CreatedAt.IsZero() {
		t.Fatalf("created agent = %+v", first)
	}
	a := lastAudit(t, db)
	if a.Action != "agent.create" || a.Target != "agent:1" || a.Before != nil || a.After == nil {
		t.Fatalf("create audit = %+v", a)
	}
	revoked := joinNow
	tests := []struct {
		name    string
		agent   *Agent
		want    error
		anyFail bool // fails with an error that is not a sentinel
	}{
		{"new name", &Agent{Name: "db-1", RevokedAt: &revoked}, nil, false},
		{"same name", &Agent{Name: "Web-1"}, ErrConflict, false},
		{"name differs in case", &Agent{Name: "wEB-1"}, ErrConflict, false},
		{"empty name", &Agent{}, nil, true},
		{"padded name", &Agent{Name: "web-2 "}, nil, true},
		{"nil", nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := db.CreateAgent(tc.agent, testActor)
			if tc.anyFail {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			wantErr(t, err, tc.want)
			if tc.want != nil && tc.agent.ID != "" {
				t.Fatalf("a failed create changed the agent: %+v", tc.agent)
			}
			if tc.want == nil && tc.agent.RevokedAt != nil {
				t.Fatal("an agent was created revoked")
			}
		})
	}
	if as, _ := db.Agents(); len(as) != 2 {
		t.Fatalf("have %d agents, want 2", len(as))
	}
}

func TestAgentLookups(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "Web-1", "s1")
	newAgent(t, db, "db-1", "s2")
	got, err := db.Agent(web.ID)
	wantErr(t, err, nil)
	if !reflect.DeepEqual(got, web) {
		t.Fatalf("Agent = %+v, want %+v", got, web)
	}
	for _, tc := range []struct {
		name, lookup string
		want         error
	}{
		{"exact", "Web-1", nil},
		{"other case", "WEB-1", nil},
		{"unknown", "web-2", ErrNotFound},
		{"empty", "", ErrNotFound},
	} {
		t.Run("by name "+tc.name, func(t *testing.T) {
			got, err := db.AgentByName(tc.lookup)
			wantErr(t, err, tc.want)
			if tc.want == nil && got.ID != web.ID {
				t.Fatalf("AgentByName(%q) = agent %s", tc.lookup, got.ID)
			}
		})
	}
	for _, id := range []string{"3", "0", "01", "", "x"} {
		t.Run("by id "+id, func(t *testing.T) {
			_, err := db.Agent(id)
			wantErr(t, err, ErrNotFound)
		})
	}
	as, err := db.Agents()
	wantErr(t, err, nil)
	if len(as) != 2 || as[0].Name != "Web-1" || as[1].Name != "db-1" {
		t.Fatalf("Agents = %+v, want by id", as)
	}
	as[0].Labels[0] = "changed"
	if again, _ := db.Agent(web.ID); again.Labels[0] != "rack-1" {
		t.Fatal("a returned agent shares memory with the store")
	}
}

func TestUpdateAgentNames(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	newAgent(t, db, "db-1", "s2")
	tests := []struct {
		name, id, newName string
		want              error
		fails             bool
	}{
		{"case only", web.ID, "Web-1", nil, false},
		{"rename", web.ID, "web-2", nil, false},
		{"taken", web.ID, "db-1", ErrConflict, false},
		{"taken in other case", web.ID, "DB-1", ErrConflict, false},
		{"unknown id", "9", "web-9", ErrNotFound, false},
		{"empty name", web.ID, "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := db.Agent(web.ID)
			a.ID, a.Name = tc.id, tc.newName
			err := db.UpdateAgent(&a, testActor)
			if tc.fails {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			wantErr(t, err, tc.want)
			if tc.want != nil {
				return
			}
			got, err := db.AgentByName(tc.newName)
			wantErr(t, err, nil)
			if got.ID != web.ID || got.Name != tc.newName {
				t.Fatalf("AgentByName(%q) = %+v", tc.newName, got)
			}
		})
	}
	// The old name is free again; the current one is still taken.
	_, err := db.AgentByName("web-1")
	wantErr(t, err, ErrNotFound)
	newAgent(t, db, "web-1", "s3")
	wantErr(t, db.CreateAgent(&Agent{Name: "WEB-2"}, testActor), ErrConflict)
}

func TestUpdateAgentKeepsManagedFields(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	wantErr(t, db.TouchAgent(web.ID, joinNow, "10.0.0.5:4431"), nil)
	stored, _ := db.Agent(web.ID)
	a := web // a stale copy, from before the heartbeat
	a.Labels = []string{"dmz"}
	a.CreatedAt, a.JoinTokenID, a.Address = time.Time{}, "77", "forged"
	a.PreviousCerts = []AgentCert{{Serial: "forged", NotAfter: joinNow.Add(time.Hour)}}
	wantErr(t, db.UpdateAgent(&a, testActor), nil)
	got, _ := db.Agent(web.ID)
	want := stored
	want.Labels = []string{"dmz"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(a, want) {
		t.Fatalf("after update = %+v\nreturned %+v\nwant %+v", got, a, want)
	}
	e := lastAudit(t, db)
	var before, after Agent
	if json.Unmarshal(e.Before, &before) != nil || json.Unmarshal(e.After, &after) != nil ||
		e.Action != "agent.update" || before.Labels[0] != "rack-1" || after.Labels[0] != "dmz" {
		t.Fatalf("update audit = %+v", e)
	}
}

// TestUpdateAgentCommands checks that the allowed commands are the
// caller's to set, like the other host facts, and are audited.
func TestUpdateAgentCommands(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	tests := []struct {
		name string
		set  []string
		want []string
	}{
		{"first report", []string{"backup-age", "raid"}, []string{"backup-age", "raid"}},
		{"one removed", []string{"raid"}, []string{"raid"}},
		{"none left", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := db.Agent(web.ID)
			before := a.Commands
			a.Commands = tc.set
			wantErr(t, db.UpdateAgent(&a, testActor), nil)
			got, _ := db.Agent(web.ID)
			if !reflect.DeepEqual(got.Commands, tc.want) {
				t.Fatalf("stored commands %q, want %q", got.Commands, tc.want)
			}
			e := lastAudit(t, db)
			var old, now Agent
			if json.Unmarshal(e.Before, &old) != nil || json.Unmarshal(e.After, &now) != nil ||
				!reflect.DeepEqual(old.Commands, before) || !reflect.DeepEqual(now.Commands, tc.want) {
				t.Fatalf("audit before %q after %q, want %q and %q", old.Commands, now.Commands, before, tc.want)
			}
		})
	}
}

func TestAgentCertRenewalAndRevocation(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	other := newAgent(t, db, "db-1", "d1")
	// Renewals (the store prunes by its own clock): s1 is still valid when
	// replaced, s2 has expired by then.
	for _, c := range []AgentCert{
		{"s1", time.Now().Add(24 * time.Hour)}, // same serial: no renewal
		{"s2", time.Now().Add(-time.Hour)},
		{"s3", time.Now().Add(time.Hour)},
	} {
		a, _ := db.Agent(web.ID)
		a.CertSerial, a.CertNotAfter = c.Serial, c.NotAfter
		wantErr(t, db.UpdateAgent(&a, testActor), nil)
	}
	got, _ := db.Agent(web.ID)
	if len(got.PreviousCerts) != 1 || got.PreviousCerts[0].Serial != "s1" || got.CertSerial != "s3" {
		t.Fatalf("after renewals: current %s, previous %+v", got.CertSerial, got.PreviousCerts)
	}
	steps := []struct {
		name   string
		revoke string
		want   map[string]bool
	}{
		{"none revoked", "", map[string]bool{}},
		{"web revoked: current and previous", web.ID, map[string]bool{"s3": true, "s1": true}},
		{"both revoked", other.ID, map[string]bool{"s3": true, "s1": true, "d1": true}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.revoke != "" {
				wantErr(t, db.RevokeAgent(st.revoke, testActor, joinNow), nil)
			}
			serials, err := db.RevokedSerials()
			wantErr(t, err, nil)
			if !reflect.DeepEqual(serials, st.want) {
				t.Fatalf("RevokedSerials = %v, want %v", serials, st.want)
			}
		})
	}
	t.Run("no new certificate for a revoked agent", func(t *testing.T) {
		a, _ := db.Agent(web.ID)
		a.CertSerial = "s4"
		wantErr(t, db.UpdateAgent(&a, testActor), ErrAgentRevoked)
	})
	t.Run("update cannot unrevoke", func(t *testing.T) {
		a, _ := db.Agent(web.ID)
		a.RevokedAt, a.Name = nil, "web-old"
		wantErr(t, db.UpdateAgent(&a, testActor), nil)
		if got, _ := db.Agent(web.ID); got.RevokedAt == nil || got.Name != "web-old" {
			t.Fatalf("after update = %+v", got)
		}
	})
}

func TestRevokeAgent(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	tests := []struct {
		name string
		id   string
		at   time.Time
		want error
	}{
		{"revoke", web.ID, joinNow, nil},
		{"again keeps the first time", web.ID, joinNow.Add(time.Hour), nil},
		{"unknown", "5", joinNow, ErrNotFound},
		{"malformed", "05", joinNow, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, db.RevokeAgent(tc.id, testActor, tc.at), tc.want)
		})
	}
	got, _ := db.Agent(web.ID)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(joinNow) {
		t.Fatalf("RevokedAt = %v, want %v", got.RevokedAt, joinNow)
	}
	es, err := db.Audit(AuditQuery{Target: "agent:" + web.ID})
	wantErr(t, err, nil)
	if len(es) != 2 || es[0].Action != "agent.revoke" || es[0].Actor != "alice" || es[0].Before == nil {
		t.Fatalf("audit of the agent = %+v", es)
	}
}

func TestTouchAgent(t *testing.T) {
	db := openTestDB(t)
	web := newAgent(t, db, "web-1", "s1")
	audits, _ := db.Audit(AuditQuery{})
	tests := []struct {
		name, id, addr string
		at             time.Time
		want           error
	}{
		{"heartbeat", web.ID, "10.0.0.5:1", joinNow, nil},
		{"later from elsewhere", web.ID, "10.0.0.6:2", joinNow.Add(time.Minute), nil},
		{"unknown", "8", "x", joinNow, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, db.TouchAgent(tc.id, tc.at, tc.addr), tc.want)
			if tc.want != nil {
				return
			}
			got, _ := db.Agent(tc.id)
			if !got.LastSeen.Equal(tc.at) || got.Address != tc.addr || got.Name != "web-1" {
				t.Fatalf("after touch = %+v", got)
			}
		})
	}
	if after, _ := db.Audit(AuditQuery{}); len(after) != len(audits) {
		t.Fatalf("heartbeats were audited: %d entries, want %d", len(after), len(audits))
	}
}
