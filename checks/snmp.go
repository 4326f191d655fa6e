package checks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gosnmp/gosnmp"
)

// SNMP versions, security levels and protocols as the settings name them.
var (
	snmpVersions       = []string{"1", "2c", "3"}
	snmpSecurityLevels = []string{"noAuthNoPriv", "authNoPriv", "authPriv"}
	snmpAuthProtocols  = []string{"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"}
	snmpPrivProtocols  = []string{"DES", "AES", "AES-192", "AES-256", "AES-192-C", "AES-256-C"}
)

// snmpAuthByName and snmpPrivByName map the settings' names to gosnmp's.
var (
	snmpAuthByName = map[string]gosnmp.SnmpV3AuthProtocol{
		"MD5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA-224": gosnmp.SHA224,
		"SHA-256": gosnmp.SHA256, "SHA-384": gosnmp.SHA384, "SHA-512": gosnmp.SHA512,
	}
	snmpPrivByName = map[string]gosnmp.SnmpV3PrivProtocol{
		"DES": gosnmp.DES, "AES": gosnmp.AES, "AES-192": gosnmp.AES192, "AES-256": gosnmp.AES256,
		"AES-192-C": gosnmp.AES192C, "AES-256-C": gosnmp.AES256C,
	}
)

const (
	snmpDefaultPort    = "161"
	snmpDefaultRetries = 1
	snmpMaxRetries     = 5
	// snmpMinPassword is the shortest SNMPv3 password RFC 3414 allows
	// (net-snmp refuses shorter ones too).
	snmpMinPassword = 8
)

func init() {
	Register(Type{
		Name:  "snmp",
		Title: "SNMP",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "version", Kind: "enum", Default: "2c", Options: snmpVersions, OptionTitles: []string{"SNMPv1", "SNMPv2c", "SNMPv3"}, Help: "SNMP version the agent speaks."},
			{Name: "community", Kind: "string", Secret: true, Help: "Read community for SNMPv1 and v2c (required there)."},
			{Name: "username", Kind: "string", Help: "SNMPv3 user name (required for SNMPv3)."},
			{Name: "security_level", Kind: "enum", Default: "authPriv", Options: snmpSecurityLevels, Help: "SNMPv3 security level: no authentication, authentication only, or authentication and encryption."},
			{Name: "auth_protocol", Kind: "enum", Default: "SHA", Options: snmpAuthProtocols, Help: "SNMPv3 authentication protocol (authNoPriv and authPriv)."},
			{Name: "auth_password", Kind: "string", Secret: true, Help: "SNMPv3 authentication password, at least 8 characters (authNoPriv and authPriv)."},
			{Name: "priv_protocol", Kind: "enum", Default: "AES", Options: snmpPrivProtocols, Help: "SNMPv3 privacy (encryption) protocol (authPriv); AES is AES-128."},
			{Name: "priv_password", Kind: "string", Secret: true, Help: "SNMPv3 privacy password, at least 8 characters (authPriv)."},
			{Name: "context_name", Kind: "string", Help: "SNMPv3 context name; empty for the default context."},
			{Name: "retries", Kind: "int", Default: strconv.Itoa(snmpDefaultRetries), Help: "How many times a request without answer is sent again within the timeout (0 to 5)."},
			{Name: "oids", Kind: "json", Help: `The objects to read, a JSON list: [{"oid":"1.3.6.1.2.1.1.3.0","name":"uptime","warning_min":3600}] with optional warning_min, warning_max, error_min, error_max, contains, regex and rate.`},
		},
			responseTimeSettings("the answer takes"),
		),
		TargetHelp:     "host or host:port of the SNMP agent (UDP, port 161 when left out), e.g. switch.example.com or 192.0.2.1:1161",
		ValidateTarget: validateSNMPTarget,
		New:            newSNMPChecker,
	})
}

type snmpSettings struct {
	Version               string          `json:"version"`
	Community             string          `json:"community"`
	Username              string          `json:"username"`
	SecurityLevel         string          `json:"security_level"`
	AuthProtocol          string          `json:"auth_protocol"`
	AuthPassword          string          `json:"auth_password"`
	PrivProtocol          string          `json:"priv_protocol"`
	PrivPassword          string          `json:"priv_password"`
	ContextName           string          `json:"context_name"`
	Retries               int             `json:"retries"`
	OIDs                  json.RawMessage `json:"oids"`
	ResponseTimeWarningMS int             `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int             `json:"response_time_error_ms"`
}

// snmpChecker reads a fixed list of objects from an agent. It is stateful
// only for rates: each run remembers the counters it read.
type snmpChecker struct {
	s       snmpSettings
	version gosnmp.SnmpVersion
	objects []snmpObject
	rt      ResponseTime

	mu    sync.Mutex
	rates snmpRateState
}

var _ Checker = (*snmpChecker)(nil)

func validateSNMPTarget(target string) error {
	host, port, err := splitHostPortDefault(target, snmpDefaultPort)
	if err != nil {
		return errors.New(`must be host or host:port, e.g. "switch.example.com" or "192.0.2.1:1161"`)
	}
	if host == "" {
		return errors.New("the host is missing")
	}
	if strings.IndexFunc(host, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' }) >= 0 {
		return fmt.Errorf("%q is not a host name or IP address", host)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number between 1 and 65535", port)
	}
	return nil
}

func newSNMPChecker(raw json.RawMessage) (Checker, error) {
	s := snmpSettings{Version: "2c", SecurityLevel: "authPriv", AuthProtocol: "SHA", PrivProtocol: "AES", Retries: snmpDefaultRetries}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &snmpChecker{s: s, rt: ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS}}
	if err := c.validate(); err != nil {
		return nil, err
	}
	objects, err := decodeSNMPObjects(s.OIDs)
	if err != nil {
		return nil, err
	}
	c.objects = objects
	return c, nil
}

// validate checks everything but the objects, normalising the names of
// the enums (any case; "sha256" for "SHA-256").
func (c *snmpChecker) validate() error {
	s := &c.s
	var ok bool
	switch s.Version {
	case "1":
		c.version = gosnmp.Version1
	case "2c", "2C", "2":
		s.Version, c.version = "2c", gosnmp.Version2c
	case "3":
		c.version = gosnmp.Version3
	default:
		return &SettingError{Field: "settings.version", Msg: `must be "1", "2c" or "3"`}
	}
	if s.Retries < 0 || s.Retries > snmpMaxRetries {
		return &SettingError{Field: "settings.retries", Msg: fmt.Sprintf("must be between 0 and %d", snmpMaxRetries)}
	}
	if err := c.rt.Validate(); err != nil {
		return err
	}
	if c.version != gosnmp.Version3 {
		if s.Community == "" {
			return &SettingError{Field: "settings.community", Msg: "is required for SNMPv" + s.Version + ` (the agent's read community, often "public")`}
		}
		if len(s.Community) > 255 {
			return &SettingError{Field: "settings.community", Msg: "must be at most 255 bytes"}
		}
		// The SNMPv3 settings are ignored rather than refused, so that
		// switching a monitor's version back and forth keeps working.
		return nil
	}
	if s.SecurityLevel, ok = snmpEnum(s.SecurityLevel, snmpSecurityLevels); !ok {
		return &SettingError{Field: "settings.security_level", Msg: "must be one of " + strings.Join(snmpSecurityLevels, ", ")}
	}
	return c.validateV3()
}

func (c *snmpChecker) validateV3() error {
	s := &c.s
	var ok bool
	if s.Username == "" || len(s.Username) > 32 {
		return &SettingError{Field: "settings.username", Msg: "is required for SNMPv3 (1 to 32 bytes)"}
	}
	if len(s.ContextName) > 32 {
		return &SettingError{Field: "settings.context_name", Msg: "must be at most 32 bytes"}
	}
	if s.SecurityLevel == "noAuthNoPriv" {
		return nil
	}
	if s.AuthProtocol, ok = snmpEnum(s.AuthProtocol, snmpAuthProtocols); !ok {
		return &SettingError{Field: "settings.auth_protocol", Msg: "must be one of " + strings.Join(snmpAuthProtocols, ", ")}
	}
	if len(s.AuthPassword) < snmpMinPassword {
		return &SettingError{Field: "settings.auth_password", Msg: fmt.Sprintf("must be at least %d characters for security level %s", snmpMinPassword, s.SecurityLevel)}
	}
	if s.SecurityLevel == "authNoPriv" {
		return nil
	}
	if s.PrivProtocol, ok = snmpEnum(s.PrivProtocol, snmpPrivProtocols); !ok {
		return &SettingError{Field: "settings.priv_protocol", Msg: "must be one of " + strings.Join(snmpPrivProtocols, ", ")}
	}
	if len(s.PrivPassword) < snmpMinPassword {
		return &SettingError{Field: "settings.priv_password", Msg: fmt.Sprintf("must be at least %d characters for security level authPriv", snmpMinPassword)}
	}
	return nil
}

// snmpEnum finds v among options ignoring case and hyphens, and returns
// the option's own spelling.
func snmpEnum(v string, options []string) (string, bool) {
	squash := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }
	for _, o := range options {
		if squash(o) == squash(v) {
			return o, true
		}
	}
	return "", false
}

// snmpAddr joins host and port for gosnmp and for messages.
func snmpAddr(target string) (host string, port uint16, addr string) {
	h, p, err := splitHostPortDefault(target, snmpDefaultPort)
	if err != nil {
		return target, 161, target
	}
	n, _ := strconv.Atoi(p)
	return h, uint16(n), net.JoinHostPort(h, p)
}
