package checks

import (
	"crypto/x509"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// The tls setting's modes, named as the mysql client's --ssl-mode names
// them, so a database administrator reads them without a glossary.
const (
	mysqlTLSDisabled       = "disabled"
	mysqlTLSPreferred      = "preferred"
	mysqlTLSRequired       = "required"
	mysqlTLSVerifyCA       = "verify_ca"
	mysqlTLSVerifyIdentity = "verify_identity"
)

var mysqlTLSModes = []string{mysqlTLSDisabled, mysqlTLSPreferred, mysqlTLSRequired, mysqlTLSVerifyCA, mysqlTLSVerifyIdentity}

// mysqlDefaultQuery is the health query run when none is set.
const mysqlDefaultQuery = "SELECT 1"

// Limits on settings: generous for real use, small enough that nothing
// typed into the API makes a run expensive.
const (
	mysqlMaxQuery = 8 << 10
	mysqlMaxCAPEM = 64 << 10
)

func init() {
	Register(Type{
		Name:  "mysql",
		Title: "MySQL / MariaDB",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			// A new username sends the stored password to another account.
			{Name: "username", Kind: "string", Guard: true, Help: "User to log in as; it needs no privilege beyond logging in (USAGE)."},
			{Name: "password", Kind: "string", Secret: true, Help: "Password of the user; sealed at rest and never shown again."},
			{Name: "database", Kind: "string", Help: "Database to select when connecting; empty selects none."},
			{Name: "tls", Kind: "enum", Default: mysqlTLSPreferred, Options: mysqlTLSModes, Guard: true,
				OptionTitles: []string{"Disabled", "Preferred (encrypt when offered, no verification)", "Required (encrypt, no verification)", "Verify CA", "Verify CA and host name"},
				Help:         "Encryption, as the mysql client's --ssl-mode: only verify_ca and verify_identity check the server's certificate."},
			{Name: "ca_pem", Kind: "text", Guard: true, Help: "PEM CA certificates to trust instead of the system's, for verify_ca and verify_identity."},
			// The query runs with the password: an editor who does not know
			// it must not change what it is used for.
			{Name: "query", Kind: "text", Default: mysqlDefaultQuery, Guard: true,
				Help: "Read-only health query to time (SELECT, SHOW, WITH or DO), run in a READ ONLY transaction; no INTO, lock functions, LOAD_FILE, BENCHMARK or comments."},
		},
			responseTimeSettings("connecting, the query and reading the status take"),
			certExpirySettings,
			mysqlThresholdSettings(),
		),
		TargetHelp:     "host:port, e.g. db.example.com:3306 (port 3306 when left out)",
		ValidateTarget: func(target string) error { return validateHostPort(target, true) },
		New:            newMySQLChecker,
		ValueUnits:     mysqlRateUnits(),
	})
}

// mysqlRateUnits says that every rate is a percentage: their keys, fixed
// by the issue that named them, carry no unit.
func mysqlRateUnits() map[string]string {
	units := make(map[string]string, len(mysqlRates))
	for _, r := range mysqlRates {
		units[r.name] = "%"
	}
	return units
}

// mysqlThresholdSettings describes the warning and error thresholds of
// every rate: <rate>_warning_percent and <rate>_error_percent.
func mysqlThresholdSettings() []Setting {
	out := make([]Setting, 0, 2*len(mysqlRates))
	for _, r := range mysqlRates {
		what := r.name + " (" + r.formula() + ")"
		out = append(out,
			Setting{Name: r.name + "_warning_percent", Kind: "float", Default: mysqlNumber(r.warn), Help: "Warning when " + what + " reaches this percentage; 0 is off."},
			Setting{Name: r.name + "_error_percent", Kind: "float", Default: mysqlNumber(r.err), Help: "Problem when " + what + " reaches this percentage; 0 is off."},
		)
	}
	return out
}

type mysqlSettings struct {
	Username              string `json:"username"`
	Password              string `json:"password"`
	Database              string `json:"database"`
	TLS                   string `json:"tls"`
	CAPEM                 string `json:"ca_pem"`
	Query                 string `json:"query"`
	ResponseTimeWarningMS int    `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int    `json:"response_time_error_ms"`
	CertExpiryWarningDays int    `json:"cert_expiry_warning_days"`
	CertExpiryErrorDays   int    `json:"cert_expiry_error_days"`
}

// mysqlLimit is one rate's pair of thresholds in percent; 0 is off.
type mysqlLimit struct{ warn, err float64 }

// mysqlChecker is stateful: it keeps the counters of its last successful
// run, so each run reports the rates over the interval since then.
type mysqlChecker struct {
	s      mysqlSettings
	limits []mysqlLimit // by index in mysqlRates
	roots  *x509.CertPool
	rt     ResponseTime
	cert   CertExpiry
	now    func() time.Time

	mu         sync.Mutex
	prev       *mysqlSnapshot
	prevTarget string // the target prev was read from
	breaker    mysqlBreaker
}

var _ Checker = (*mysqlChecker)(nil)

func newMySQLChecker(raw json.RawMessage) (Checker, error) {
	s := mysqlSettings{TLS: mysqlTLSPreferred, Query: mysqlDefaultQuery,
		CertExpiryWarningDays: DefaultCertWarningDays, CertExpiryErrorDays: DefaultCertErrorDays}
	rest, limits, err := mysqlSplitThresholds(raw)
	if err != nil {
		return nil, err
	}
	if err := decodeSettings(rest, &s); err != nil {
		return nil, err
	}
	c := &mysqlChecker{
		s: s, limits: limits, now: time.Now,
		rt:   ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS},
		cert: CertExpiry{WarningDays: s.CertExpiryWarningDays, ErrorDays: s.CertExpiryErrorDays},
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// mysqlSplitThresholds takes the rate thresholds out of raw, so the rest
// decodes into mysqlSettings as every other type's settings do. Thresholds
// not given keep their defaults.
func mysqlSplitThresholds(raw json.RawMessage) (json.RawMessage, []mysqlLimit, error) {
	limits := make([]mysqlLimit, len(mysqlRates))
	for i, r := range mysqlRates {
		limits[i] = mysqlLimit{warn: r.warn, err: r.err}
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil || all == nil {
		// Not an object: decodeSettings names what is wrong with it.
		return raw, limits, nil
	}
	for i, r := range mysqlRates {
		for _, f := range []struct {
			key string
			dst *float64
		}{{r.name + "_warning_percent", &limits[i].warn}, {r.name + "_error_percent", &limits[i].err}} {
			v, ok := all[f.key]
			if !ok {
				continue
			}
			delete(all, f.key)
			if err := json.Unmarshal(v, f.dst); err != nil {
				return nil, nil, &SettingError{Field: "settings." + f.key, Msg: "must be a number (a percentage; 0 is off)"}
			}
		}
		if err := limits[i].validate(r.name); err != nil {
			return nil, nil, err
		}
	}
	rest, err := json.Marshal(all)
	if err != nil {
		return nil, nil, &SettingError{Field: "settings", Msg: "settings are not valid JSON"}
	}
	return rest, limits, nil
}

// validate checks one rate's thresholds: non-negative, warning not above
// error when both are on.
func (l mysqlLimit) validate(rate string) error {
	warn, errName := rate+"_warning_percent", rate+"_error_percent"
	switch {
	case l.warn < 0 || math.IsInf(l.warn, 0):
		return &SettingError{Field: "settings." + warn, Msg: "must be 0 (off) or a positive percentage"}
	case l.err < 0 || math.IsInf(l.err, 0):
		return &SettingError{Field: "settings." + errName, Msg: "must be 0 (off) or a positive percentage"}
	case l.warn > 0 && l.err > 0 && l.warn > l.err:
		return &SettingError{Field: "settings." + warn, Msg: "must not be above " + errName}
	}
	return nil
}

func (c *mysqlChecker) validate() error {
	s := &c.s
	switch {
	case s.Username == "":
		return &SettingError{Field: "settings.username", Msg: "is required: the user the check logs in as"}
	case len(s.Username) > 128 || mysqlHasControl(s.Username):
		return &SettingError{Field: "settings.username", Msg: "must be at most 128 characters without control characters"}
	case len(s.Password) > 1024 || strings.ContainsRune(s.Password, 0):
		return &SettingError{Field: "settings.password", Msg: "must be at most 1024 characters without NUL"}
	case len(s.Database) > 64 || mysqlHasControl(s.Database):
		return &SettingError{Field: "settings.database", Msg: "must be a database name of at most 64 characters"}
	case !slices.Contains(mysqlTLSModes, s.TLS):
		return &SettingError{Field: "settings.tls", Msg: "must be one of " + strings.Join(mysqlTLSModes, ", ")}
	}
	q, err := mysqlCleanQuery(s.Query)
	if err != nil {
		return &SettingError{Field: "settings.query", Msg: err.Error()}
	}
	s.Query = q
	if err := c.loadCAPEM(); err != nil {
		return err
	}
	if err := c.rt.Validate(); err != nil {
		return err
	}
	return c.cert.Validate()
}

func (c *mysqlChecker) loadCAPEM() error {
	if strings.TrimSpace(c.s.CAPEM) == "" {
		return nil
	}
	if c.s.TLS != mysqlTLSVerifyCA && c.s.TLS != mysqlTLSVerifyIdentity {
		return &SettingError{Field: "settings.ca_pem", Msg: "is used only when tls is verify_ca or verify_identity"}
	}
	if len(c.s.CAPEM) > mysqlMaxCAPEM {
		return &SettingError{Field: "settings.ca_pem", Msg: "must be at most 64 KiB of PEM"}
	}
	c.roots = x509.NewCertPool()
	if !c.roots.AppendCertsFromPEM([]byte(c.s.CAPEM)) {
		return &SettingError{Field: "settings.ca_pem", Msg: "holds no PEM certificate"}
	}
	return nil
}

// mysqlHasControl reports whether s holds a control character.
func mysqlHasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// mysqlNumber formats a percentage for settings and messages: "5", "0.25".
func mysqlNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
