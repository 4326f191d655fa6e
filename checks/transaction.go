package checks

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits of a transaction, so that one monitor cannot make the prober do
// unbounded work.
const (
	maxTxSteps     = 20
	maxTxRedirects = 10
	maxTxNameLen   = 100
)

// txReserved are the variables every step may use: the username and
// password settings, so the password is sealed at rest and never written
// into the steps.
var txReserved = []string{"username", "password"}

func init() {
	Register(Type{
		Name:  "transaction",
		Title: "Web transaction",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "steps", Kind: "json", Help: "The requests to make, in order, as a JSON array: each with name, method, url, headers, form, json or body, expect and extract (see the docs)."},
			{Name: "username", Kind: "string", Help: "Login name; steps use it as {{username}}."},
			{Name: "password", Kind: "string", Secret: true, Help: "Password; steps use it as {{password}}. Kept encrypted and never shown again."},
			{Name: "follow_redirects", Kind: "bool", Default: "true", Help: "Follow redirects (up to 10) in every step that does not say otherwise."},
			{Name: "tls_verify", Kind: "bool", Default: "true", Help: "Verify each https step's certificate chain and host name before sending anything."},
			caFileSetting,
			{Name: "user_agent", Kind: "string", Default: "Vigil/1", Help: "User-Agent header of every request."},
		},
			certExpirySettings,
			responseTimeSettings("the whole transaction takes"),
		),
		TargetHelp:     "base URL the steps' URLs are relative to, e.g. https://app.example.com",
		ValidateTarget: validateHTTPTarget,
		New:            newTransactionChecker,
	})
}

type transactionSettings struct {
	Steps                 json.RawMessage `json:"steps"`
	Username              string          `json:"username"`
	Password              string          `json:"password"`
	FollowRedirects       bool            `json:"follow_redirects"`
	TLSVerify             bool            `json:"tls_verify"`
	CAFile                string          `json:"ca_file"`
	UserAgent             string          `json:"user_agent"`
	CertExpiryWarningDays int             `json:"cert_expiry_warning_days"`
	CertExpiryErrorDays   int             `json:"cert_expiry_error_days"`
	ResponseTimeWarningMS int             `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int             `json:"response_time_error_ms"`
}

type transactionChecker struct {
	s     transactionSettings
	steps []*txStep
	// origins are the literal origins of the step URLs; a run adds its
	// target's. Only these are sent requests (see transaction_origin.go).
	origins txOrigins
	secret  txSecret
	roots   *x509.CertPool
	cert    CertExpiry
	rt      ResponseTime
	now     func() time.Time
}

var _ Checker = (*transactionChecker)(nil)

func newTransactionChecker(raw json.RawMessage) (Checker, error) {
	s := transactionSettings{
		FollowRedirects: true, TLSVerify: true, UserAgent: "Vigil/1",
		CertExpiryWarningDays: DefaultCertWarningDays, CertExpiryErrorDays: DefaultCertErrorDays,
	}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &transactionChecker{
		s:      s,
		cert:   CertExpiry{WarningDays: s.CertExpiryWarningDays, ErrorDays: s.CertExpiryErrorDays},
		rt:     ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS},
		now:    time.Now,
		secret: newTxSecret(s.Password),
	}
	for _, v := range []struct{ field, value string }{{"username", s.Username}, {"user_agent", s.UserAgent}} {
		if strings.ContainsAny(v.value, "\r\n") {
			return nil, &SettingError{Field: "settings." + v.field, Msg: "must be one line"}
		}
	}
	if err := c.cert.Validate(); err != nil {
		return nil, err
	}
	if err := c.rt.Validate(); err != nil {
		return nil, err
	}
	var err error
	if c.steps, err = decodeSteps(s.Steps, s.FollowRedirects); err != nil {
		return nil, err
	}
	if err := checkVariables(c.steps); err != nil {
		return nil, err
	}
	c.origins = txOrigins{}
	for _, st := range c.steps {
		if st.origin != "" {
			c.origins[st.origin] = true
		}
	}
	if c.roots, err = loadCAFile(s.CAFile); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeSteps reads the steps setting, a JSON array, one step at a time so
// that an error names the step: "settings.steps[2].expect.status".
func decodeSteps(raw json.RawMessage, follow bool) ([]*txStep, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, &SettingError{Field: "settings.steps", Msg: "is required: a JSON array of at least one step"}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &SettingError{Field: "settings.steps", Msg: "must be a JSON array of steps"}
	}
	switch {
	case len(list) == 0:
		return nil, &SettingError{Field: "settings.steps", Msg: "needs at least one step"}
	case len(list) > maxTxSteps:
		return nil, &SettingError{Field: "settings.steps", Msg: fmt.Sprintf("has %d steps; at most %d are allowed", len(list), maxTxSteps)}
	}
	steps := make([]*txStep, len(list))
	for i, r := range list {
		st, err := decodeStep(r, i, follow)
		if err != nil {
			return nil, err
		}
		steps[i] = st
	}
	return steps, nil
}

// checkVariables makes sure every {{name}} a step uses is defined before
// that step runs: by the username and password settings, or by an
// extraction of an earlier step. A step cannot use its own extractions.
func checkVariables(steps []*txStep) error {
	defined := map[string]bool{}
	for _, n := range txReserved {
		defined[n] = true
	}
	for _, st := range steps {
		for _, use := range st.uses() {
			for _, name := range use.t.refs() {
				if !defined[name] {
					return &SettingError{Field: st.field + "." + use.field, Msg: undefinedMessage(name, defined)}
				}
			}
		}
		for _, x := range st.extract {
			defined[x.name] = true
		}
	}
	return nil
}

func undefinedMessage(name string, defined map[string]bool) string {
	known := make([]string, 0, len(defined))
	for n := range defined {
		known = append(known, "{{"+n+"}}")
	}
	slices.Sort(known)
	return fmt.Sprintf("{{%s}} is not defined here: no earlier step extracts it (defined here: %s)", name, strings.Join(known, ", "))
}
