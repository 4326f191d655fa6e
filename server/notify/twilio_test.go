package notify

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "f00dcafe0123456789abcdef01234567"
)

func twilioSettingsJSON(to string) string {
	return fmt.Sprintf(`{"account_sid":%q,"auth_token":%q,"from":"+14155550100","to":%s}`, testSID, testToken, to)
}

// checkTwilioRequest checks what Twilio documents for creating a resource:
// POST to /2010-04-01/Accounts/{AccountSid}/{Resource}.json, HTTP basic
// auth with the account SID and auth token, a form body.
func checkTwilioRequest(t *testing.T, req receivedRequest, resource string) url.Values {
	t.Helper()
	if want := "/2010-04-01/Accounts/" + testSID + "/" + resource + ".json"; req.Method != "POST" || req.Path != want {
		t.Errorf("request %s %s, want POST %s", req.Method, req.Path, want)
	}
	if !req.HasAuth || req.User != testSID || req.Pass != testToken {
		t.Errorf("basic auth %v %q %q", req.HasAuth, req.User, req.Pass)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	form, err := url.ParseQuery(string(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	return form
}

func TestSMSRequest(t *testing.T) {
	rcv := newReceiver(t, http.StatusCreated, `{"sid":"SM123","status":"queued"}`)
	n := mustNew(t, "sms", twilioSettingsJSON(`["+4915112345678","+14155550123"]`), Env{TwilioBaseURL: rcv.URL + "/"})
	if err := n.Send(sendCtx(t), openedEvent()); err != nil {
		t.Fatal(err)
	}
	reqs := rcv.got()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want one per number", len(reqs))
	}
	for i, to := range []string{"+4915112345678", "+14155550123"} {
		form := checkTwilioRequest(t, reqs[i], "Messages")
		want := url.Values{"To": {to}, "From": {"+14155550100"}, "Body": {"PROBLEM: Homepage (http https://x.example) - connection refused"}}
		if !reflect.DeepEqual(form, want) {
			t.Errorf("form %v, want %v", form, want)
		}
	}
}

func TestSMSTextIsOneGSMSegment(t *testing.T) {
	ev := openedEvent()
	ev.Incident.Message = strings.Repeat("timeout … ", 50)
	s := smsText(ev)
	if n := len([]rune(s)); n > maxSMS {
		t.Errorf("SMS is %d characters", n)
	}
	if strings.ContainsAny(s, "—…") {
		t.Errorf("SMS holds characters outside GSM-7: %q", s)
	}
	if !strings.HasSuffix(s, "...") {
		t.Errorf("a cut SMS should end in ...: %q", s)
	}
}

func TestVoiceRequest(t *testing.T) {
	rcv := newReceiver(t, http.StatusCreated, `{"sid":"CA123"}`)
	n := mustNew(t, "voice", twilioSettingsJSON(`"+4915112345678"`), Env{TwilioBaseURL: rcv.URL})
	ev := openedEvent()
	ev.Monitor.Name = `DB <primary> & "replica"`
	if err := n.Send(sendCtx(t), ev); err != nil {
		t.Fatal(err)
	}
	form := checkTwilioRequest(t, rcv.only(t), "Calls")
	if form.Get("To") != "+4915112345678" || form.Get("From") != "+14155550100" || len(form) != 3 {
		t.Errorf("form %v", form)
	}
	var doc struct {
		XMLName xml.Name `xml:"Response"`
		Says    []string `xml:"Say"`
		Pauses  []struct {
			Length string `xml:"length,attr"`
		} `xml:"Pause"`
	}
	if err := xml.Unmarshal([]byte(form.Get("Twiml")), &doc); err != nil {
		t.Fatalf("Twiml is not XML: %v\n%s", err, form.Get("Twiml"))
	}
	want := `This is Vigil. Problem: DB <primary> & "replica" is down. The check said: connection refused`
	if len(doc.Says) != 2 || doc.Says[0] != want || doc.Says[1] != want || len(doc.Pauses) != 1 {
		t.Errorf("Twiml says %q, want %q twice", doc.Says, want)
	}
}

func TestTwilioErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		permanent bool
		want      string
	}{
		{"invalid number", 400, `{"code":21211,"message":"The 'To' number +4915112345678 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`,
			true, "twilio message to +4915112345678: 400 Bad Request: The 'To' number +4915112345678 is not a valid phone number. (Twilio error 21211, https://www.twilio.com/docs/errors/21211)"},
		{"bad credentials", 401, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`,
			true, "401 Unauthorized: Authenticate (Twilio error 20003"},
		{"rate limited", 429, `{"code":20429,"message":"Too Many Requests","status":429}`, false, "Too Many Requests (Twilio error 20429)"},
		{"outage", 503, `<html>down</html>`, false, "503 Service Unavailable: <html>down</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, tt.status, tt.answer)
			n := mustNew(t, "sms", twilioSettingsJSON(`"+4915112345678"`), Env{TwilioBaseURL: rcv.URL})
			err := n.Send(sendCtx(t), openedEvent())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Send = %v, want %q", err, tt.want)
			}
			var perm *PermanentError
			if errors.As(err, &perm) != tt.permanent {
				t.Errorf("permanent = %v", !tt.permanent)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error holds the auth token: %v", err)
			}
		})
	}
}

// TestTwilioPartialFailure: every number is tried; a retry is allowed only
// while some failure may pass.
func TestTwilioPartialFailure(t *testing.T) {
	bad := `{"code":21211,"message":"bad number","status":400}`
	srv := newReceiver(t, 0, "")
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		switch r.PostForm.Get("To") {
		case "+15550000001":
			w.WriteHeader(400)
			fmt.Fprint(w, bad)
		case "+15550000002":
			w.WriteHeader(500)
		default:
			w.WriteHeader(201)
		}
	})
	send := func(to string) error {
		n := mustNew(t, "sms", twilioSettingsJSON(to), Env{TwilioBaseURL: srv.URL})
		return n.Send(sendCtx(t), openedEvent())
	}
	var perm *PermanentError
	if err := send(`["+15550000001","+15550000009"]`); !errors.As(err, &perm) {
		t.Errorf("one refused number, one sent: %v, want permanent", err)
	}
	err := send(`["+15550000001","+15550000002","+15550000009"]`)
	if errors.As(err, &perm) || !strings.Contains(err.Error(), "bad number") || !strings.Contains(err.Error(), "+15550000002: 500") {
		t.Errorf("refused and failing numbers: %v, want a retryable error naming both", err)
	}
}
