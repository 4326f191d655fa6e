package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// DefaultTwilioBaseURL is Twilio's REST API.
const DefaultTwilioBaseURL = "https://api.twilio.com"

// maxTwilioNumbers bounds one contact's numbers: each is a separate,
// billed request.
const maxTwilioNumbers = 10

// twilioSettings are shared by the sms and voice types.
type twilioSettings struct {
	AccountSID string          `json:"account_sid"`
	AuthToken  string          `json:"auth_token"`
	From       string          `json:"from"`
	To         json.RawMessage `json:"to"`
}

// twilioSettingList documents twilioSettings for a type's registration.
func twilioSettingList(what string) []Setting {
	return []Setting{
		{Name: "account_sid", Kind: "string", Required: true, Help: "Account SID from the Twilio Console, AC followed by 32 hex digits."},
		{Name: "auth_token", Kind: "string", Required: true, Secret: true, Help: "Auth Token from the Twilio Console, next to the Account SID."},
		{Name: "from", Kind: "string", Required: true, Help: "Your Twilio phone number that " + what + " come from, in E.164 form (+14155550123)."},
		{Name: "to", Kind: "list", Required: true, Help: "Phone numbers in E.164 form (+4915112345678); one, or a list of up to 10."},
	}
}

var accountSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)

// twilio is a client for one account, sending to one contact's numbers.
type twilio struct {
	base       string
	sid, token string
	from       string
	to         []string
	client     *http.Client
}

func newTwilio(raw json.RawMessage, env Env) (*twilio, error) {
	var s twilioSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	s.AccountSID, s.From = strings.TrimSpace(s.AccountSID), strings.TrimSpace(s.From)
	if !accountSID.MatchString(s.AccountSID) {
		return nil, settingErr("account_sid", "must be AC followed by 32 hex digits, as shown in the Twilio Console")
	}
	if s.AuthToken == "" {
		return nil, settingErr("auth_token", "is required")
	}
	if strings.ContainsFunc(s.AuthToken, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, settingErr("auth_token", "must not contain spaces or control characters")
	}
	if s.From == "" {
		return nil, settingErr("from", "is required")
	}
	if err := checkPhone("from", s.From); err != nil {
		return nil, err
	}
	to, err := parseList("to", s.To, maxTwilioNumbers)
	if err != nil {
		return nil, err
	}
	for _, n := range to {
		if err := checkPhone("to", n); err != nil {
			return nil, err
		}
	}
	base := strings.TrimRight(env.TwilioBaseURL, "/")
	if base == "" {
		base = DefaultTwilioBaseURL
	}
	return &twilio{base: base, sid: s.AccountSID, token: s.AuthToken, from: s.From, to: to, client: noRedirects(env.httpClient())}, nil
}

// sendAll creates one resource ("Messages" or "Calls") per number. Every
// number is tried even when one fails. The error is permanent only when
// every failure is: a retry then would fail again, whereas a retry after a
// passing failure may also repeat the message to numbers that got it.
func (t *twilio) sendAll(ctx context.Context, resource string, form func(to string) url.Values) error {
	var errs []error
	allPermanent := true
	for _, to := range t.to {
		err := t.create(ctx, resource, form(to))
		if err == nil {
			continue
		}
		errs = append(errs, err)
		var perm *PermanentError
		allPermanent = allPermanent && errors.As(err, &perm)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	if allPermanent {
		return permanent(sendErrors(errs))
	}
	// Some failure may pass: the whole error must not look permanent to
	// errors.As, so the permanent ones lose their mark.
	for i, err := range errs {
		var perm *PermanentError
		if errors.As(err, &perm) {
			errs[i] = perm.Err
		}
	}
	return sendErrors(errs)
}

// create POSTs one form to {base}/2010-04-01/Accounts/{sid}/{resource}.json
// with basic auth SID:token, as Twilio documents.
func (t *twilio) create(ctx context.Context, resource string, form url.Values) error {
	what := fmt.Sprintf("twilio %s to %s", strings.ToLower(strings.TrimSuffix(resource, "s")), form.Get("To"))
	endpoint := t.base + "/2010-04-01/Accounts/" + url.PathEscape(t.sid) + "/" + resource + ".json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return permanent(fmt.Errorf("%s: %w", what, err))
	}
	req.SetBasicAuth(t.sid, t.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	a, err := do(t.client, req, what)
	if err != nil {
		return err
	}
	if a.status/100 != 2 {
		return statusError(what, a, twilioDetail(a.body))
	}
	return nil
}

// twilioError is the body of a refused request:
// {"code":21211,"message":"…","more_info":"https://…","status":400}.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
}

// twilioDetail is what Twilio said: its message, error code and the page
// explaining the code.
func twilioDetail(body []byte) string {
	var e twilioError
	if json.Unmarshal(body, &e) != nil || (e.Message == "" && e.Code == 0) {
		return bodyDetail(body)
	}
	s := oneLine(e.Message, 300)
	if e.Code != 0 {
		s += fmt.Sprintf(" (Twilio error %d", e.Code)
		if e.MoreInfo != "" {
			s += ", " + oneLine(e.MoreInfo, 120)
		}
		s += ")"
	}
	return s
}

// sendErrors are the failures of one send to several numbers, on one line
// so that the notification log shows them all.
type sendErrors []error

func (e sendErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e sendErrors) Unwrap() []error { return e }
