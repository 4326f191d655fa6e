package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestSlackPayload(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK, "ok")
	n := mustNew(t, "slack", fmt.Sprintf(`{"webhook_url":%q}`, rcv.URL+"/services/T000/B000/XXXX"), Env{})
	ev := openedEvent()
	ev.Monitor.Name = "<!channel> & co"
	ev.AckURL = "https://vigil.example.com/ack/not-for-a-channel"
	if err := n.Send(sendCtx(t), ev); err != nil {
		t.Fatal(err)
	}
	req := rcv.only(t)
	if req.Path != "/services/T000/B000/XXXX" || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s, content type %q", req.Path, req.Header.Get("Content-Type"))
	}
	want := `{"text":"PROBLEM: &lt;!channel&gt; &amp; co (http https://x.example) — connection refused","attachments":[{` +
		`"fallback":"PROBLEM: &lt;!channel&gt; &amp; co (http https://x.example) — connection refused","color":"#d92d20",` +
		`"title":"PROBLEM: &lt;!channel&gt; &amp; co","title_link":"https://vigil.example.com/monitors/mon_1","fields":[` +
		`{"title":"Monitor","value":"&lt;!channel&gt; &amp; co","short":true},` +
		`{"title":"Check","value":"http https://x.example","short":false},` +
		`{"title":"Where","value":"server, web-eu-1","short":true},` +
		`{"title":"Since","value":"2026-03-04 10:00:00 UTC","short":true},` +
		`{"title":"Down for","value":"30s","short":true},` +
		`{"title":"Last message","value":"connection refused","short":false}],"footer":"Vigil","ts":1772618430}]}` + "\n"
	if string(req.Body) != want {
		t.Errorf("body\n got %s\nwant %s", req.Body, want)
	}
	if strings.Contains(string(req.Body), "not-for-a-channel") {
		t.Error("the acknowledgement link was posted to a channel")
	}
}

func TestSlackColours(t *testing.T) {
	for _, tt := range []struct {
		ev   Event
		want string
	}{{openedEvent(), "#d92d20"}, {reminderEvent(), "#d92d20"}, {resolvedEvent(), "#12b76a"}, {ackedEvent(), "#f79009"}, {testEvent(), "#667085"}} {
		var m slackMessage
		b, _ := json.Marshal(slackPayload(tt.ev))
		if err := json.Unmarshal(b, &m); err != nil || m.Attachments[0].Color != tt.want {
			t.Errorf("%s: colour %v, want %s", tt.ev.Kind, m.Attachments, tt.want)
		}
	}
}

// TestSlackErrorHidesURL: the webhook URL is the secret; Slack's short
// error codes are shown, the URL's path never.
func TestSlackErrorHidesURL(t *testing.T) {
	rcv := newReceiver(t, http.StatusNotFound, "no_service")
	n := mustNew(t, "slack", fmt.Sprintf(`{"webhook_url":%q}`, rcv.URL+"/services/T000/B000/XXXX"), Env{})
	err := n.Send(sendCtx(t), openedEvent())
	var perm *PermanentError
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "404 Not Found: no_service") || strings.Contains(err.Error(), "XXXX") {
		t.Errorf("Send = %v", err)
	}
}
