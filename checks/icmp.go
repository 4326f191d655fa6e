package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// maxPingPayload is the largest ICMP echo payload that fits an IPv4 packet.
const maxPingPayload = 65507 - 8

func init() {
	Register(Type{
		Name:  "icmp",
		Title: "Ping (ICMP)",
		Scope: ScopeExternal,
		Settings: concatSettings([]Setting{
			{Name: "count", Kind: "int", Default: "3", Help: "Echo requests sent per run (1 to 100)."},
			{Name: "packet_size", Kind: "int", Default: "56", Help: "Payload bytes per echo request, as ping -s."},
			{Name: "interval", Kind: "duration", Default: "200ms", Help: "Time between echo requests (10ms to 10s)."},
			{Name: "reply_timeout", Kind: "duration", Default: "2s", Help: "How long after the last request to wait for replies; later replies count as lost."},
			{Name: "ip_version", Kind: "enum", Default: "auto", Options: []string{"auto", "4", "6"}, Help: "Address family to ping when the host has both; auto takes the first address the resolver returns."},
			{Name: "loss_warning_percent", Kind: "int", Default: "1", Help: "Warning when at least this percentage of requests is lost; 0 is off."},
			{Name: "loss_error_percent", Kind: "int", Default: "100", Help: "Problem when at least this percentage of requests is lost."},
		},
			responseTimeSettings("the average round trip is"),
		),
		TargetHelp:     "host name or IP address, e.g. 192.0.2.1 or router.example.com",
		ValidateTarget: validateHost,
		New:            newICMPChecker,
	})
}

type icmpSettings struct {
	Count                 int      `json:"count"`
	PacketSize            int      `json:"packet_size"`
	Interval              Duration `json:"interval"`
	ReplyTimeout          Duration `json:"reply_timeout"`
	IPVersion             string   `json:"ip_version"`
	LossWarningPercent    int      `json:"loss_warning_percent"`
	LossErrorPercent      int      `json:"loss_error_percent"`
	ResponseTimeWarningMS int      `json:"response_time_warning_ms"`
	ResponseTimeErrorMS   int      `json:"response_time_error_ms"`
}

type icmpChecker struct {
	s  icmpSettings
	rt ResponseTime
}

var _ Checker = (*icmpChecker)(nil)

func validateHost(target string) error {
	if _, err := netip.ParseAddr(target); err == nil {
		return nil
	}
	if target == "" || strings.ContainsAny(target, " /:[]@") || len(target) > 253 {
		return errors.New("must be a host name or an IP address, without port or scheme")
	}
	return nil
}

func newICMPChecker(raw json.RawMessage) (Checker, error) {
	s := icmpSettings{
		Count: 3, PacketSize: 56, Interval: Duration(200 * time.Millisecond), ReplyTimeout: Duration(2 * time.Second),
		IPVersion: "auto", LossWarningPercent: 1, LossErrorPercent: 100,
	}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	c := &icmpChecker{s: s, rt: ResponseTime{WarningMS: s.ResponseTimeWarningMS, ErrorMS: s.ResponseTimeErrorMS}}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *icmpChecker) validate() error {
	s := c.s
	switch {
	case s.Count < 1 || s.Count > 100:
		return &SettingError{Field: "settings.count", Msg: "must be between 1 and 100"}
	case s.PacketSize < 0 || s.PacketSize > maxPingPayload:
		return &SettingError{Field: "settings.packet_size", Msg: fmt.Sprintf("must be between 0 and %d", maxPingPayload)}
	case s.Interval < Duration(10*time.Millisecond) || s.Interval > Duration(10*time.Second):
		return &SettingError{Field: "settings.interval", Msg: "must be between 10ms and 10s"}
	case s.ReplyTimeout < Duration(time.Millisecond) || s.ReplyTimeout > Duration(time.Minute):
		return &SettingError{Field: "settings.reply_timeout", Msg: "must be between 1ms and 1m"}
	case s.IPVersion != "auto" && s.IPVersion != "4" && s.IPVersion != "6":
		return &SettingError{Field: "settings.ip_version", Msg: `must be "auto", "4" or "6"`}
	case s.LossWarningPercent < 0 || s.LossWarningPercent > 100:
		return &SettingError{Field: "settings.loss_warning_percent", Msg: "must be between 0 (off) and 100"}
	case s.LossErrorPercent < 1 || s.LossErrorPercent > 100:
		return &SettingError{Field: "settings.loss_error_percent", Msg: "must be between 1 and 100"}
	case s.LossWarningPercent > s.LossErrorPercent:
		return &SettingError{Field: "settings.loss_warning_percent", Msg: "must not be above loss_error_percent"}
	}
	return c.rt.Validate()
}

// resolve picks the address to ping.
func (c *icmpChecker) resolve(ctx context.Context, target string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(target); err == nil {
		if (c.s.IPVersion == "4" && !a.Unmap().Is4()) || (c.s.IPVersion == "6" && a.Unmap().Is4()) {
			return netip.Addr{}, fmt.Errorf("%s is not an IPv%s address", a, c.s.IPVersion)
		}
		return a.Unmap(), nil
	}
	network := map[string]string{"auto": "ip", "4": "ip4", "6": "ip6"}[c.s.IPVersion]
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, network, target)
	if err != nil {
		return netip.Addr{}, err
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("no IPv%s address for %s", c.s.IPVersion, target)
	}
	return addrs[0].Unmap(), nil
}

// Check pings the target and judges loss and round-trip time.
func (c *icmpChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	addr, err := c.resolve(ctx, target)
	if err != nil {
		el := time.Since(start)
		return problem(el, netErrorMessage(ctx, err, el), nil)
	}
	sock, err := openPingSocket(addr.Is4())
	if err != nil {
		return problem(time.Since(start), err.Error(), nil)
	}
	defer sock.conn.Close()
	p := newPingRun(sock, addr, c.s.PacketSize)
	p.run(ctx, c.s.Count, time.Duration(c.s.Interval), time.Duration(c.s.ReplyTimeout))
	return c.judge(p, addr)
}

// judge turns the replies of a run into a Result.
func (c *icmpChecker) judge(p *pingRun, addr netip.Addr) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent == 0 {
		return problem(0, fmt.Sprintf("could not send to %s: %v", addr, p.sendErr), nil)
	}
	got := len(p.rtts)
	loss := 100 * float64(p.sent-got) / float64(p.sent)
	values := map[string]float64{"loss_percent": loss}
	if got == 0 {
		msg := fmt.Sprintf("no reply from %s (%d sent)", addr, p.sent)
		if p.sendErr != nil {
			msg += ": " + p.sendErr.Error()
		}
		return problem(0, msg, values)
	}
	lo, hi, sum := p.rtts[0], p.rtts[0], time.Duration(0)
	for _, d := range p.rtts {
		lo, hi, sum = min(lo, d), max(hi, d), sum+d
	}
	avg := sum / time.Duration(got)
	values["rtt_min_ms"], values["rtt_avg_ms"], values["rtt_max_ms"] = roundMS(Millis(lo)), roundMS(Millis(avg)), roundMS(Millis(hi))
	r := Result{Status: StatusOK, LatencyMS: Millis(avg), Values: values,
		Message: fmt.Sprintf("%d/%d replies from %s, avg %s", got, p.sent, addr, fmtMS(Millis(avg)))}
	var notes []string
	switch {
	case loss >= float64(c.s.LossErrorPercent):
		r.Status = StatusProblem
		notes = append(notes, fmt.Sprintf("%.0f%% loss", loss))
	case c.s.LossWarningPercent > 0 && loss >= float64(c.s.LossWarningPercent):
		r.Status = StatusWarning
		notes = append(notes, fmt.Sprintf("%.0f%% loss", loss))
	}
	if st, note := c.rt.Judge(avg); st != StatusOK {
		r.Status = Worse(r.Status, st)
		notes = append(notes, note)
	}
	if len(notes) > 0 {
		r.Message += ": " + strings.Join(notes, "; ")
	}
	return r
}
