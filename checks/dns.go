package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// resolvConf is where the system's resolver is read from when no
// resolver is set.
const resolvConf = "/etc/resolv.conf"

var dnsRecordTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "PTR", "CAA"}

func init() {
	Register(Type{
		Name:  "dns",
		Title: "DNS record",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "record_type", Kind: "enum", Default: "A", Options: dnsRecordTypes, Help: "Record type to ask for."},
			{Name: "resolver", Kind: "string", Help: "Server to ask, host or host:port (port 53 by default); empty uses the first nameserver in /etc/resolv.conf."},
			{Name: "expect", Kind: "list", Help: "Values that must all be among the answers, e.g. [\"192.0.2.10\"] or [\"10 mail.example.com\"]; empty accepts any non-empty answer."},
			{Name: "protocol", Kind: "enum", Default: "udp", Options: []string{"udp", "tcp"}, Help: "Transport of the query; a truncated UDP answer is retried over TCP."},
		},
			responseTimeSettings("the answer takes"),
		),
		TargetHelp:     "the name to look up, e.g. example.com (an IP address for PTR)",
		ValidateTarget: validateDNSTarget,
		New:            newDNSChecker,
	})
}

type dnsSettings struct {
	RecordType            string   `json:"record_type"`
	Resolver              string   `json:"resolver"`
	Expect                []string `json:"expect"`
	Protocol              string   `json:"protocol"`
	ResponseTimeWarningMS int      `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int      `json:"response_time_error_ms"`
}

type dnsChecker struct {
	s     dnsSettings
	qtype uint16
	rt    ResponseTime
}

var _ Checker = (*dnsChecker)(nil)

func validateDNSTarget(target string) error {
	if _, err := netip.ParseAddr(target); err == nil {
		return nil
	}
	if target == "" || target == "." {
		return errors.New("the name to look up is missing")
	}
	if _, ok := dns.IsDomainName(target); !ok {
		return fmt.Errorf("%q is not a domain name", target)
	}
	return nil
}

func newDNSChecker(raw json.RawMessage) (Checker, error) {
	s := dnsSettings{RecordType: "A", Protocol: "udp"}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	s.RecordType = strings.ToUpper(s.RecordType)
	if !slices.Contains(dnsRecordTypes, s.RecordType) {
		return nil, &SettingError{Field: "settings.record_type", Msg: "must be one of " + strings.Join(dnsRecordTypes, ", ")}
	}
	if s.Protocol != "udp" && s.Protocol != "tcp" {
		return nil, &SettingError{Field: "settings.protocol", Msg: `must be "udp" or "tcp"`}
	}
	if s.Resolver != "" {
		addr, err := resolverAddr(s.Resolver)
		if err != nil {
			return nil, &SettingError{Field: "settings.resolver", Msg: err.Error()}
		}
		s.Resolver = addr
	}
	for _, e := range s.Expect {
		if strings.TrimSpace(e) == "" {
			return nil, &SettingError{Field: "settings.expect", Msg: "must not hold an empty value"}
		}
	}
	c := &dnsChecker{s: s, qtype: dns.StringToType[s.RecordType], rt: ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS}}
	if err := c.rt.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// resolverAddr turns "host" or "host:port" into "host:port".
func resolverAddr(s string) (string, error) {
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s, validateHostPort(s, false)
	}
	host := strings.Trim(s, "[]")
	if host == "" || strings.ContainsAny(host, " /") {
		return "", fmt.Errorf("%q is not a host or host:port", s)
	}
	return net.JoinHostPort(host, "53"), nil
}

// systemResolver returns the first nameserver of /etc/resolv.conf.
func systemResolver() (string, error) {
	cfg, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil {
		return "", fmt.Errorf("dns: read %s: %w", resolvConf, err)
	}
	if len(cfg.Servers) == 0 {
		return "", fmt.Errorf("dns: no nameserver in %s", resolvConf)
	}
	return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
}

// Check asks the resolver and judges the answer.
func (c *dnsChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	server := c.s.Resolver
	if server == "" {
		var err error
		if server, err = systemResolver(); err != nil {
			return problem(0, "no resolver set and "+err.Error(), nil)
		}
	}
	q := c.question(target)
	resp, err := c.exchange(ctx, q, server)
	elapsed := time.Since(start)
	if err != nil {
		return problem(elapsed, fmt.Sprintf("query to %s: %s", server, netErrorMessage(ctx, err, elapsed)), nil)
	}
	return c.judge(resp, q.Question[0].Name, elapsed)
}

func (c *dnsChecker) question(target string) *dns.Msg {
	name := dns.Fqdn(target)
	if c.qtype == dns.TypePTR {
		if rev, err := dns.ReverseAddr(target); err == nil {
			name = rev
		}
	}
	m := new(dns.Msg)
	m.SetQuestion(name, c.qtype)
	m.RecursionDesired = true
	return m
}

func (c *dnsChecker) exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	client := &dns.Client{Net: c.s.Protocol}
	if dl, ok := ctx.Deadline(); ok {
		// miekg/dns applies its own 2 s timeouts unless told otherwise.
		client.Timeout = time.Until(dl)
	}
	resp, _, err := client.ExchangeContext(ctx, m, server)
	if err == nil && resp.Truncated && c.s.Protocol == "udp" {
		client.Net = "tcp"
		resp, _, err = client.ExchangeContext(ctx, m, server)
	}
	return resp, err
}
