package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The example in docs/notifications/webhook.md, checked with
// `printf '%s' '1767366245.{"event":"test"}' | openssl dgst -sha256 -hmac s3cret`.
func TestSignKnownVector(t *testing.T) {
	got := Sign([]byte("s3cret"), "1767366245", []byte(`{"event":"test"}`))
	want := "sha256=5b635feaf91eb2f5268a801585c28f4b9350b427b5f0255a3721711879f96047"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestWebhookSendsContractEvent(t *testing.T) {
	rcv := newReceiver(t, http.StatusNoContent, "")
	settings := fmt.Sprintf(`{"url":%q,"secret":"s3cret","authorization":"Bearer tok-123","headers":{"x-team":"web"}}`, rcv.URL+"/hook?src=vigil")
	n := mustNew(t, "webhook", settings, Env{Now: fixedNow})
	ev := ackedEvent()
	ev.AckURL = "https://vigil.example.com/ack/never-in-a-webhook"
	if err := n.Send(sendCtx(t), ev); err != nil {
		t.Fatal(err)
	}
	req := rcv.only(t)
	if err := verifyAsDocumented(req, []byte("s3cret"), fixedNow()); err != nil {
		t.Errorf("the receiver in docs/notifications/webhook.md refuses the request: %v", err)
	}
	wantBody := `{"event":"incident.acknowledged","monitor":{"id":"mon_1","name":"Homepage","type":"http","target":"https://x.example"},` +
		`"incident":{"id":"inc_1","started_at":"2026-03-04T10:00:00Z","ended_at":null,"status":"open","message":"connection refused",` +
		`"acknowledged_by":"alice","acknowledged_at":"2026-03-04T10:02:00Z","ack_note":"looking"},"at":"2026-03-04T10:02:00Z"}`
	if string(req.Body) != wantBody {
		t.Errorf("body\n got %s\nwant %s", req.Body, wantBody)
	}
	wantHeaders := map[string]string{
		"Content-Type":      "application/json",
		"User-Agent":        "Vigil/1",
		"X-Vigil-Event":     "incident.acknowledged",
		"X-Vigil-Timestamp": "1767366245",
		"X-Vigil-Signature": Sign([]byte("s3cret"), "1767366245", []byte(wantBody)),
		"Authorization":     "Bearer tok-123",
		"X-Team":            "web",
	}
	for k, v := range wantHeaders {
		if got := req.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if req.Method != "POST" || req.Path != "/hook" || req.Query != "src=vigil" {
		t.Errorf("request %s %s?%s", req.Method, req.Path, req.Query)
	}
}

// A target with a password reaches the receiver with the password hidden,
// in the JSON event and in a template, as in the other senders' texts.
func TestWebhookRedactsTargetPassword(t *testing.T) {
	tests := []struct{ name, target, want string }{
		{"user and password", "https://bob:pa55word@db.example.com:8443/health?x=1", "https://bob:xxxxx@db.example.com:8443/health?x=1"},
		{"database URL", "postgres://app:pa55word@db.example.com/app", "postgres://app:xxxxx@db.example.com/app"},
		{"user only", "https://bob@example.com/", "https://bob@example.com/"},
		{"no URL", "db.example.com:5432", "db.example.com:5432"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tmpl := range []string{"", `{{.Monitor.Target}}`} {
				rcv := newReceiver(t, http.StatusOK, "")
				settings, _ := json.Marshal(map[string]string{"url": rcv.URL, "body_template": tmpl, "content_type": "text/plain"})
				n := mustNew(t, "webhook", string(settings), Env{})
				ev := openedEvent()
				ev.Monitor.Target = tt.target
				if err := n.Send(sendCtx(t), ev); err != nil {
					t.Fatal(err)
				}
				body := rcv.only(t).Body
				got := string(body)
				if tmpl == "" {
					var parsed webhookBody
					if err := json.Unmarshal(body, &parsed); err != nil {
						t.Fatal(err)
					}
					got = parsed.Monitor.Target
				}
				if got != tt.want || strings.Contains(string(body), "pa55word") {
					t.Errorf("template %q: target %q, want %q", tmpl, got, tt.want)
				}
			}
		})
	}
}

// verifyAsDocumented is the Go receiver of docs/notifications/webhook.md,
// with the clock passed in.
func verifyAsDocumented(r receivedRequest, secret []byte, now time.Time) error {
	body := r.Body
	ts := r.Header.Get("X-Vigil-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return errors.New("stale or missing timestamp")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Vigil-Signature"))) {
		return errors.New("bad signature")
	}
	return nil
}

func TestWebhookTestEventAndNoSecret(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK, "ok")
	n := mustNew(t, "webhook", fmt.Sprintf(`{"url":%q,"method":"put"}`, rcv.URL), Env{})
	if err := n.Send(sendCtx(t), testEvent()); err != nil {
		t.Fatal(err)
	}
	req := rcv.only(t)
	if want := `{"event":"test","monitor":{"id":"","name":"Vigil test notification","type":"","target":""},"at":"2026-03-04T10:00:00Z"}`; string(req.Body) != want {
		t.Errorf("body %s", req.Body)
	}
	if req.Method != "PUT" || req.Header.Get("X-Vigil-Signature") != "" || req.Header.Get("X-Vigil-Timestamp") != "" {
		t.Errorf("method %s, signature headers %v", req.Method, req.Header)
	}
}

func TestWebhookBodyTemplate(t *testing.T) {
	rcv := newReceiver(t, http.StatusCreated, "")
	tmpl := `{"short_description": {{json .Summary}}, "caller": "vigil", "ref": {{json .Incident.ID}}, ` +
		`"urgency": {{if eq .Kind "incident.opened"}}1{{else}}3{{end}}, "ack": {{json .AckURL}}}`
	settings, _ := json.Marshal(map[string]any{"url": rcv.URL, "secret": "k", "body_template": tmpl})
	n := mustNew(t, "webhook", string(settings), Env{Now: fixedNow})
	ev := openedEvent()
	ev.Monitor.Name = `Web "front"`
	ev.AckURL = "https://vigil.example.com/ack/x"
	if err := n.Send(sendCtx(t), ev); err != nil {
		t.Fatal(err)
	}
	if err := n.Send(sendCtx(t), testEvent()); err != nil {
		t.Fatalf("a template using .Incident must work for test events: %v", err)
	}
	reqs := rcv.got()
	want := `{"short_description": "PROBLEM: Web \"front\" (http https://x.example) — connection refused", "caller": "vigil", "ref": "inc_1", "urgency": 1, "ack": ""}`
	if string(reqs[0].Body) != want {
		t.Errorf("body\n got %s\nwant %s", reqs[0].Body, want)
	}
	if got := reqs[0].Header.Get("X-Vigil-Signature"); got != Sign([]byte("k"), "1767366245", reqs[0].Body) {
		t.Errorf("templated body not signed as sent: %s", got)
	}
	if !strings.Contains(string(reqs[1].Body), `"ref": "test"`) {
		t.Errorf("test event body %s", reqs[1].Body)
	}
}

func TestWebhookAnswers(t *testing.T) {
	tests := []struct {
		status    int
		answer    string
		permanent bool
		wantErr   string // "" for success
	}{
		{200, "ok", false, ""},
		{202, "", false, ""},
		{400, "missing field title", true, "400 Bad Request: missing field title"},
		{401, "", true, "401 Unauthorized"},
		{404, "", true, "404 Not Found"},
		{408, "", false, "408 Request Timeout"},
		{429, "slow down", false, "429 Too Many Requests: slow down"},
		{500, "boom\n\x1b[31m", false, "500 Internal Server Error: boom [31m"},
		{503, strings.Repeat("e", 100000), false, "503 Service Unavailable: eee"},
		{301, "", true, "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			rcv := newReceiver(t, tt.status, tt.answer)
			n := mustNew(t, "webhook", fmt.Sprintf(`{"url":%q}`, rcv.URL+"/T0K3N/path?key=s3cr3t"), Env{})
			err := n.Send(sendCtx(t), openedEvent())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send error %v, want one containing %q", err, tt.wantErr)
			}
			var perm *PermanentError
			if errors.As(err, &perm) != tt.permanent {
				t.Errorf("permanent = %v, want %v", !tt.permanent, tt.permanent)
			}
			if strings.Contains(err.Error(), "T0K3N") || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error shows the URL's path or query: %v", err)
			}
			if len(err.Error()) > 500 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
			if got := len(rcv.got()); got != 1 {
				t.Errorf("receiver got %d requests (a redirect must not be followed)", got)
			}
		})
	}
}

// TestWebhookHonoursContext: a receiver that never answers holds a send
// only until the caller's deadline.
func TestWebhookHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, read nothing, answer nothing
		}
	}()
	n := mustNew(t, "webhook", fmt.Sprintf(`{"url":"http://%s/secret-path"}`, ln.Addr()), Env{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- n.Send(ctx, openedEvent()) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "secret-path") {
			t.Errorf("Send = %v, want a deadline error without the path", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send ignored its context")
	}
}

func TestBodyTemplateValidation(t *testing.T) {
	tests := []struct {
		name, tmpl, contentType, want string // want: substring of the error, "" for valid
	}{
		{"plain text", `{{.Summary}}`, "text/plain", ""},
		{"json with json func", `{"t": {{json .Monitor.Name}}}`, "", ""},
		{"hand-quoted json breaks on quotes", `{"t": "{{.Monitor.Name}}"}`, "", "renders invalid JSON"},
		{"does not parse", `{{.Summary`, "", "does not parse"},
		{"unknown field", `{{.Nope}}`, "text/plain", "fails on a sample event"},
		{"range over a number", `{{range 1000000000000}}{{end}}`, "text/plain", "range is not supported"},
		{"nested range", `{{if .Kind}}{{range 5}}x{{end}}{{end}}`, "text/plain", "range is not supported"},
		{"define", `{{define "x"}}a{{end}}{{template "x"}}`, "text/plain", "define and block"},
		{"template call", `{{template "body" .}}`, "text/plain", "template calls"},
		{"printf", strings.Repeat(`{{printf "%0999999d" 1}}`, 3), "text/plain", "printf is not supported"},
		{"variable", `{{$n := .Monitor.Name}}{{json $n}}`, "text/plain", "variables"},
		{"variable in with", `{{with $n := .Monitor.Name}}{{.}}{{end}}`, "text/plain", "variables"},
		{"print in an argument", `{{json (print .Summary)}}`, "text/plain", "print is not supported"},
		{"html", `{{html .Summary}}`, "text/plain", "html is not supported"},
		{"index", `{{index .Monitor.Name 0}}`, "text/plain", "index is not supported"},
		{"method fed a computed value", `{{.At.Format (json .Kind)}}`, "text/plain", "must be written out"},
		{"method fed a piped value", `{{"2006" | .At.Format}}`, "text/plain", "cannot take a piped value"},
		{"json nested past its budget", strings.Repeat("{{json (", 1) + strings.Repeat("json (", 30) + ".Text" + strings.Repeat(")", 31) + "}}",
			"text/plain", "json would return over"},
		{"method with a written-out argument", `{{.At.Format "2006-01-02"}} {{.Incident.StartedAt.Format "15:04"}}`, "text/plain", ""},
		{"with, if, pipes and comparisons", `{{with .Incident}}{{.ID}}{{end}}{{if and (ne .Kind "test") (gt (len .Monitor.Name) 0)}}{{.Summary | json}}{{end}}{{$.Kind}}`, "text/plain", ""},
		{"too long", strings.Repeat("x", maxTemplateLen+1), "text/plain", "longer than"},
		{"the ticket example of the doc page", `{"short_description": {{json .Summary}},
 "description": {{json .Text}},
 "correlation_id": {{json .Incident.ID}},
 "urgency": {{if eq .Kind "incident.opened" "incident.reminder"}}1{{else}}3{{end}},
 "state": {{if .Incident.EndedAt}}"resolved"{{else}}"new"{{end}}}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settings, _ := json.Marshal(map[string]string{"url": "https://example.com/h", "body_template": tt.tmpl, "content_type": tt.contentType})
			_, err := New("webhook", settings, Env{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid template refused: %v", err)
				}
				return
			}
			var se *SettingError
			if !errors.As(err, &se) || se.Field != "settings.body_template" || !strings.Contains(se.Msg, tt.want) {
				t.Fatalf("error %v, want settings.body_template containing %q", err, tt.want)
			}
		})
	}
}

// TestBodyTemplateBoundedAtValidation tries templates that build values
// bigger than themselves step by step. Each was small, but before
// variables, print and the like were refused, the first used 64 MiB while
// being validated (a 214-byte one of the same kind reached 662 MiB), and
// the others grow as fast per level. Each must now be refused at
// validation having allocated little.
func TestBodyTemplateBoundedAtValidation(t *testing.T) {
	const allowed = 16 << 20 // the json budget and its copies, with room
	doubling := `{{$a := printf "%01000000d" 1}}{{$b := print $a $a}}{{$c := print $b $b}}{{$d := print $c $c}}` +
		`{{$e := print $d $d}}{{$f := print $e $e}}{{$g := print $f $f}}{{len $g}}`
	tests := []struct{ name, tmpl string }{
		{"variables doubling", doubling},
		{"printf alone", `{{if printf "` + strings.Repeat("%0999999d", 20) + `"` + strings.Repeat(" 1", 20) + `}}{{end}}`},
		{"html nested", `{{html (html (html (html (html (html (html .Text))))))}}`},
		{"Format fed its own output", `{{.At.Format (.At.Format (.At.Format (.At.Format "2")))}}`},
		{"json nested", `{{if json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json (json .Text)))))))))))))))))))))}}{{end}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settings, _ := json.Marshal(map[string]string{"url": "https://example.com/h", "body_template": tt.tmpl, "content_type": "text/plain"})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := New("webhook", settings, Env{})
			runtime.ReadMemStats(&after)
			grew := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d KiB", grew>>10)
			if grew > allowed {
				t.Errorf("validating it allocated %d MiB, want at most %d", grew>>20, allowed>>20)
			}
			var se *SettingError
			if !errors.As(err, &se) || se.Field != "settings.body_template" {
				t.Errorf("error %v, want the template refused", err)
			}
		})
	}
}

// BenchmarkWebhookSend is one signed webhook send into a local receiver:
// the per-send cost of the sender and net/http.
func BenchmarkWebhookSend(b *testing.B) {
	secret := []byte("s3cret")
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Vigil-Signature") != Sign(secret, r.Header.Get("X-Vigil-Timestamp"), body) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	n := mustNew(b, "webhook", fmt.Sprintf(`{"url":%q,"secret":%q}`, rcv.URL, secret), Env{})
	ev := openedEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Send(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// roundTripFunc answers requests without a network, to measure the
// sender's own cost apart from net/http and the receiver.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkWebhookSendNoNetwork is the sender alone: encode, sign, build
// the request, read the answer.
func BenchmarkWebhookSendNoNetwork(b *testing.B) {
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusNoContent, Status: "204 No Content", Body: http.NoBody, Request: r}, nil
	})}
	n := mustNew(b, "webhook", `{"url":"https://example.com/hook","secret":"s3cret"}`, Env{HTTP: client})
	ev := openedEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Send(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}
