package store

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSMTPSettings(t *testing.T) {
	db := openTestDB(t)
	_, err := db.SMTPSettings()
	wantErr(t, err, ErrNotFound)

	s := SMTPSettings{Host: "mail.example.com", Port: 587, Username: "vigil", Password: "sealed:v1:AAAAsecretish",
		From: "vigil@example.com", TLS: "starttls"}
	wantErr(t, db.PutSMTPSettings(s, testActor), nil)
	got, err := db.SMTPSettings()
	wantErr(t, err, nil)
	if got.UpdatedAt.IsZero() {
		t.Fatal("UpdatedAt not set")
	}
	got.UpdatedAt = s.UpdatedAt
	if got != s {
		t.Fatalf("SMTPSettings = %+v, want %+v", got, s)
	}
	a := lastAudit(t, db)
	if a.Action != "settings.smtp" || a.Target != "settings:smtp" || a.Before != nil || a.Actor != "alice" {
		t.Fatalf("first audit = %+v", a)
	}
	var after SMTPSettings
	if err := json.Unmarshal(a.After, &after); err != nil {
		t.Fatal(err)
	}
	if after.Password != "(set)" || after.Host != "mail.example.com" {
		t.Fatalf("audit after = %+v, want the password as (set)", after)
	}

	s.Password, s.Host = "", "smtp.example.com"
	wantErr(t, db.PutSMTPSettings(s, testActor), nil)
	a = lastAudit(t, db)
	if strings.Contains(string(a.Before)+string(a.After), "sealed:") {
		t.Fatalf("audit holds a sealed password: %s %s", a.Before, a.After)
	}
	var before SMTPSettings
	_ = json.Unmarshal(a.Before, &before)
	_ = json.Unmarshal(a.After, &after)
	if before.Password != "(set)" || after.Password != "(unset)" || after.Host != "smtp.example.com" {
		t.Fatalf("second audit before %+v after %+v", before, after)
	}
}
