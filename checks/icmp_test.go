package checks

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestICMPPingLoopback(t *testing.T) {
	cases := []struct {
		name   string
		target string
	}{
		{"ipv4", "127.0.0.1"},
		{"ipv6", "::1"},
		{"name", "localhost"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.target == "::1" && !hasLoopback6() {
				t.Skip("no ::1 on this host")
			}
			c := mustNew(t, "icmp", tc.target, `{"count":3,"interval":"20ms","ip_version":"auto"}`)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r := c.Check(ctx, tc.target)
			if r.Status != StatusOK {
				t.Fatalf("status %s: %s", r.Status, r.Message)
			}
			// Values are rounded to 0.1 ms, which loopback can round to 0;
			// the result's own latency is not rounded.
			if avg, ok := r.Values["rtt_avg_ms"]; r.Values["loss_percent"] != 0 || !ok || avg < 0 || r.LatencyMS <= 0 {
				t.Fatalf("values %v", r.Values)
			}
			if r.Values["rtt_min_ms"] > r.Values["rtt_avg_ms"] || r.Values["rtt_avg_ms"] > r.Values["rtt_max_ms"] {
				t.Fatalf("rtt order wrong: %v", r.Values)
			}
			if !strings.Contains(r.Message, "3/3 replies") {
				t.Fatalf("message %q", r.Message)
			}
		})
	}
}

// TestICMPConcurrent runs pingers side by side: each must count only its
// own replies even though raw sockets see all of them.
func TestICMPConcurrent(t *testing.T) {
	c := mustNew(t, "icmp", "127.0.0.1", `{"count":5,"interval":"10ms"}`)
	results := make(chan Result, 4)
	for range 4 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			results <- c.Check(ctx, "127.0.0.1")
		}()
	}
	for range 4 {
		r := <-results
		if r.Status != StatusOK || !strings.Contains(r.Message, "5/5 replies") {
			t.Fatalf("%s: %s", r.Status, r.Message)
		}
	}
}

func TestICMPLossAndDeadline(t *testing.T) {
	// 192.0.2.0/24 is TEST-NET-1; an address in it that is not on this
	// host gets no reply. The run must end at ctx's deadline.
	target := unroutableAddr(t)
	c := mustNew(t, "icmp", target, `{"count":2,"interval":"10ms","reply_timeout":"30s"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := c.Check(ctx, target)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("check ignored ctx deadline: took %v", took)
	}
	if r.Status != StatusProblem {
		t.Fatalf("status %s: %s", r.Status, r.Message)
	}
	if r.Values["loss_percent"] != 100 && !strings.Contains(r.Message, "could not send") {
		t.Fatalf("values %v, message %q", r.Values, r.Message)
	}
}

func TestICMPJudge(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	cases := []struct {
		name     string
		settings string
		sent     int
		rtts     []time.Duration
		want     Status
		inMsg    string
	}{
		{"all back", `{}`, 3, []time.Duration{ms(1), ms(2), ms(3)}, StatusOK, "3/3 replies"},
		{"one lost warns", `{}`, 3, []time.Duration{ms(1), ms(2)}, StatusWarning, "33% loss"},
		{"loss below warning", `{"loss_warning_percent":50}`, 3, []time.Duration{ms(1), ms(2)}, StatusOK, "2/3"},
		{"loss at error", `{"loss_error_percent":30}`, 3, []time.Duration{ms(1), ms(2)}, StatusProblem, "33% loss"},
		{"all lost", `{}`, 3, nil, StatusProblem, "no reply"},
		{"avg rtt warning", `{"response_time_warning_ms":10}`, 2, []time.Duration{ms(5), ms(25)}, StatusWarning, "slow: 15 ms > 10 ms"},
		{"avg rtt error", `{"response_time_warning_ms":5,"response_time_error_ms":10}`, 2, []time.Duration{ms(5), ms(25)}, StatusProblem, "slow"},
		{"nothing sent", `{}`, 0, nil, StatusProblem, "could not send"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, "icmp", "127.0.0.1", tc.settings).(*icmpChecker)
			p := &pingRun{sent: tc.sent, rtts: tc.rtts}
			r := c.judge(p, netip.MustParseAddr("127.0.0.1"))
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			if len(tc.rtts) > 0 && r.Values["rtt_max_ms"] != Millis(slices.Max(tc.rtts)) {
				t.Fatalf("rtt_max_ms %v", r.Values)
			}
		})
	}
}

func hasLoopback6() bool {
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// unroutableAddr returns an address nobody answers: a TEST-NET-1 address
// that is not one of this host's.
func unroutableAddr(t *testing.T) string {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for _, cand := range []string{"192.0.2.254", "192.0.2.253", "198.51.100.254"} {
		mine := false
		for _, a := range addrs {
			if strings.HasPrefix(a.String(), cand+"/") {
				mine = true
			}
		}
		if !mine {
			return cand
		}
	}
	t.Skip("no unroutable test address available")
	return ""
}

func mustNew(t *testing.T, kind, target, settings string) Checker {
	t.Helper()
	c, err := New(kind, target, json.RawMessage(settings))
	if err != nil {
		t.Fatalf("New(%s, %q, %s): %v", kind, target, settings, err)
	}
	return c
}
