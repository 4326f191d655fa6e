package testenv

import "testing"

func TestSnmpdConfig(t *testing.T) {
	got := snmpdConfig("127.0.0.1:1161", []SnmpUser{
		{Name: "open", Level: "noauth"},
		{Name: "signed", Level: "auth", AuthProto: "SHA", AuthPass: "authpass123"},
		{Name: "sealed", Level: "priv", AuthProto: "SHA-256", AuthPass: "auth pass", PrivProto: "AES", PrivPass: "privpass123"},
	})
	want := `agentAddress udp:127.0.0.1:1161
rocommunity public 127.0.0.1
createUser open
rouser open noauth
createUser signed SHA "authpass123"
rouser signed auth
createUser sealed SHA-256 "auth pass" AES "privpass123"
rouser sealed priv
`
	if got != want {
		t.Errorf("config:\n%s\nwant:\n%s", got, want)
	}
}
