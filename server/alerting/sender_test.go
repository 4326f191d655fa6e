package alerting

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// TestSender: the real sender opens a sealed webhook secret, and the
// receiver gets the contract's JSON event signed with the opened secret.
func TestSender(t *testing.T) {
	box, err := seal.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		body   []byte
		header http.Header
	}
	recv := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		recv <- got{b, r.Header.Clone()}
	}))
	defer srv.Close()

	sealed, err := box.Seal("s3cret", SecretPurpose("secret"))
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(map[string]string{"url": srv.URL + "/hook", "secret": sealed})
	c := store.Contact{ID: "1", Name: "hook", Type: "webhook", Settings: settings}
	send := NewSender(box, notify.Env{HTTP: srv.Client()})
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ev := notify.Event{Kind: EventOpened, Monitor: notify.Monitor{ID: "3", Name: "web", Type: "http", Target: "https://x.test"},
		Incident: &notify.Incident{ID: "9", StartedAt: at, Status: "open", Message: "timeout"}, At: at, AckURL: "https://v.test/ack/9?secret"}
	if err := send(t.Context(), c, ev); err != nil {
		t.Fatalf("send: %v", err)
	}
	g := <-recv
	var body map[string]any
	if err := json.Unmarshal(g.body, &body); err != nil {
		t.Fatal(err)
	}
	if body["event"] != EventOpened || body["monitor"].(map[string]any)["name"] != "web" || strings.Contains(string(g.body), "/ack/") {
		t.Errorf("webhook body %s", g.body)
	}
	ts := g.header.Get("X-Vigil-Timestamp")
	if sig := g.header.Get("X-Vigil-Signature"); sig != notify.Sign([]byte("s3cret"), ts, g.body) {
		t.Errorf("signature %q does not verify with the opened secret", sig)
	}

	// Sealed for another field: refused for good, the value not echoed.
	wrong, _ := box.Seal("s3cret", SecretPurpose("authorization"))
	c.Settings, _ = json.Marshal(map[string]string{"url": srv.URL, "secret": wrong})
	err = send(t.Context(), c, ev)
	var perm *notify.PermanentError
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "settings.secret") || strings.Contains(err.Error(), wrong) {
		t.Errorf("misplaced sealed secret: %v, want a permanent error naming settings.secret", err)
	}
	// Bad settings are permanent too.
	c.Settings = json.RawMessage(`{"url":"ftp://x"}`)
	if err := send(t.Context(), c, ev); !errors.As(err, &perm) {
		t.Errorf("bad url: %v, want a permanent error", err)
	}
}

func TestSMTPFromStore(t *testing.T) {
	box, _ := seal.New(bytes.Repeat([]byte{9}, 32))
	sealed, _ := box.Seal("hunter2", SMTPPurpose)
	saved := store.SMTPSettings{Host: "mail.test", Port: 587, Username: "vigil", Password: sealed, From: "vigil@x.test", TLS: "starttls"}
	var err error
	get := func() (store.SMTPSettings, error) { return saved, err }
	cfg, gerr := SMTPFromStore(get, box)()
	if gerr != nil || cfg.Password != "hunter2" || cfg.Host != "mail.test" || cfg.TLS != "starttls" {
		t.Fatalf("config %+v, %v", cfg, gerr)
	}
	err = store.ErrNotFound
	if _, gerr := SMTPFromStore(get, box)(); gerr == nil || !strings.Contains(gerr.Error(), "not set up") {
		t.Errorf("never saved: %v", gerr)
	}
	err, saved.Password = nil, "sealed:v1:AAAA"
	if _, gerr := SMTPFromStore(get, box)(); gerr == nil || strings.Contains(gerr.Error(), "AAAA") {
		t.Errorf("broken sealed password: %v, want an error without the value", gerr)
	}
}
