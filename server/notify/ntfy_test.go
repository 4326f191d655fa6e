package notify

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"testing"
)

func TestNtfyPublish(t *testing.T) {
	tests := []struct {
		name, settings string
		ev             Event
		want           map[string]string
	}{
		{"problem with token", `"token":"tk_abc"`, openedEvent(), map[string]string{
			"Title": "PROBLEM: Homepage", "Priority": "4", "Tags": "rotating_light",
			"Click": "https://vigil.example.com/monitors/mon_1", "Authorization": "Bearer tk_abc"}},
		{"resolved, fixed priority", `"priority":"max"`, resolvedEvent(), map[string]string{
			"Title": "RESOLVED: Homepage", "Priority": "5", "Tags": "white_check_mark", "Authorization": ""}},
		{"acknowledged", `"priority":"auto"`, ackedEvent(), map[string]string{"Priority": "3", "Tags": "eyes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, http.StatusOK, `{"id":"x"}`)
			n := mustNew(t, "ntfy", fmt.Sprintf(`{"url":%q,%s}`, rcv.URL+"/vigil-ops", tt.settings), Env{})
			ev := tt.ev
			ev.AckURL = "https://vigil.example.com/ack/not-for-a-topic"
			if err := n.Send(sendCtx(t), ev); err != nil {
				t.Fatal(err)
			}
			req := rcv.only(t)
			for k, v := range tt.want {
				if got := req.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			tt.ev.AckURL = ""
			if req.Path != "/vigil-ops" || string(req.Body) != tt.ev.Text() {
				t.Errorf("POST %s body\n%s\nwant\n%s", req.Path, req.Body, tt.ev.Text())
			}
		})
	}
}

func TestNtfyNonASCIITitle(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK, "{}")
	n := mustNew(t, "ntfy", fmt.Sprintf(`{"url":%q}`, rcv.URL+"/t"), Env{})
	ev := openedEvent()
	ev.Monitor.Name = "Bücher — Ærø"
	if err := n.Send(sendCtx(t), ev); err != nil {
		t.Fatal(err)
	}
	raw := rcv.only(t).Header.Get("Title")
	got, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || got != "PROBLEM: Bücher — Ærø" || strings.ContainsFunc(raw, func(r rune) bool { return r > 127 }) {
		t.Errorf("Title %q decodes to %q, %v", raw, got, err)
	}
}

func TestNtfyError(t *testing.T) {
	rcv := newReceiver(t, http.StatusForbidden, `{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}`)
	n := mustNew(t, "ntfy", fmt.Sprintf(`{"url":%q,"token":"tk_secret"}`, rcv.URL+"/private-topic"), Env{})
	err := n.Send(sendCtx(t), openedEvent())
	var perm *PermanentError
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "403 Forbidden: forbidden (ntfy error 40301)") ||
		strings.Contains(err.Error(), "private-topic") || strings.Contains(err.Error(), "tk_secret") {
		t.Errorf("Send = %v", err)
	}
}

func TestNtfyBodyCapped(t *testing.T) {
	ev := openedEvent()
	ev.Incident.Message = strings.Repeat("ü", maxMessageLen)
	ev.Location = strings.Repeat("ä", 5000)
	if b := ntfyBody(ev); len(b) > maxNtfyBody {
		t.Errorf("body is %d bytes", len(b))
	}
}
