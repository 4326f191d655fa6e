package checks

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// testZone is what the in-test DNS server answers.
var testZone = map[uint16]map[string][]string{
	dns.TypeA:     {"www.test.": {"www.test. 60 IN A 192.0.2.10", "www.test. 60 IN A 192.0.2.11"}},
	dns.TypeAAAA:  {"www.test.": {"www.test. 60 IN AAAA 2001:db8::10"}},
	dns.TypeCNAME: {"alias.test.": {"alias.test. 60 IN CNAME www.test."}},
	dns.TypeMX:    {"test.": {"test. 60 IN MX 10 mail.test.", "test. 60 IN MX 20 backup.test."}},
	dns.TypeTXT:   {"test.": {`test. 60 IN TXT "v=spf1 " "-all"`}},
	dns.TypeNS:    {"test.": {"test. 60 IN NS ns1.test."}},
	dns.TypeSOA:   {"test.": {"test. 60 IN SOA ns1.test. admin.test. 2026112301 3600 600 86400 60"}},
	dns.TypeSRV:   {"_imap._tcp.test.": {"_imap._tcp.test. 60 IN SRV 0 5 143 mail.test."}},
	dns.TypePTR:   {"10.2.0.192.in-addr.arpa.": {"10.2.0.192.in-addr.arpa. 60 IN PTR www.test."}},
	dns.TypeCAA:   {"test.": {`test. 60 IN CAA 0 issue "letsencrypt.org"`}},
}

// serveDNS starts a DNS server for testZone on 127.0.0.1 (UDP and TCP on
// the same port) and returns its address.
func serveDNS(t testing.TB) string {
	t.Helper()
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		switch {
		case q.Name == "broken.test.":
			m.Rcode = dns.RcodeServerFailure
		case q.Name == "slow.test.":
			return // never answer
		case strings.HasSuffix(q.Name, "test.") || strings.HasSuffix(q.Name, "arpa."):
			for _, s := range testZone[q.Qtype][q.Name] {
				rr, err := dns.NewRR(s)
				if err != nil {
					panic(err) // testZone is fixed test data
				}
				m.Answer = append(m.Answer, rr)
			}
			if len(m.Answer) == 0 && !knownName(q.Name) {
				m.Rcode = dns.RcodeNameError
			}
		}
		_ = w.WriteMsg(m)
	})
	// The UDP port the kernel picks may be taken for TCP (by a client's
	// ephemeral port, say): pick again until both are free.
	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

func knownName(name string) bool {
	for _, names := range testZone {
		if _, ok := names[name]; ok {
			return true
		}
	}
	return false
}

func TestDNSCheck(t *testing.T) {
	addr := serveDNS(t)
	cases := []struct {
		name     string
		target   string
		settings string
		want     Status
		inMsg    string
		answers  float64
	}{
		{"A", "www.test", `{}`, StatusOK, "A 192.0.2.10, 192.0.2.11 in", 2},
		{"A expected", "www.test", `{"expect":["192.0.2.11"]}`, StatusOK, "A 192.0.2.10", 2},
		{"A expected missing", "www.test", `{"expect":["192.0.2.11","192.0.2.99"]}`, StatusProblem, "expected 192.0.2.99 not in answers", 2},
		{"AAAA non-canonical expect", "www.test", `{"record_type":"AAAA","expect":["2001:DB8:0::10"]}`, StatusOK, "AAAA 2001:db8::10", 1},
		{"CNAME", "alias.test", `{"record_type":"cname","expect":["WWW.test."]}`, StatusOK, "CNAME www.test.", 1},
		{"MX by host", "test", `{"record_type":"MX","expect":["mail.test"]}`, StatusOK, "10 mail.test.", 2},
		{"MX full", "test", `{"record_type":"MX","expect":["20 backup.test"]}`, StatusOK, "MX", 2},
		{"TXT joined", "test", `{"record_type":"TXT","expect":["v=spf1 -all"]}`, StatusOK, "v=spf1 -all", 1},
		{"NS", "test", `{"record_type":"NS","expect":["ns1.test"]}`, StatusOK, "ns1.test.", 1},
		{"SOA", "test", `{"record_type":"SOA"}`, StatusOK, "2026112301", 1},
		{"SRV", "_imap._tcp.test", `{"record_type":"SRV","expect":["mail.test"]}`, StatusOK, "0 5 143 mail.test.", 1},
		{"PTR from IP", "192.0.2.10", `{"record_type":"PTR","expect":["www.test"]}`, StatusOK, "www.test.", 1},
		{"CAA", "test", `{"record_type":"CAA","expect":["letsencrypt.org"]}`, StatusOK, "letsencrypt.org", 1},
		{"over TCP", "www.test", `{"protocol":"tcp"}`, StatusOK, "192.0.2.10", 2},
		{"NXDOMAIN", "nope.test", `{}`, StatusProblem, "NXDOMAIN for A nope.test.", 0},
		{"SERVFAIL", "broken.test", `{}`, StatusProblem, "SERVFAIL", 0},
		{"no records of type", "alias.test", `{}`, StatusProblem, "no A record (NOERROR, empty answer)", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			settings := strings.Replace(tc.settings, "{", fmt.Sprintf(`{"resolver":%q,`, addr), 1)
			settings = strings.Replace(settings, ",}", "}", 1)
			c := mustNew(t, "dns", tc.target, settings)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r := c.Check(ctx, tc.target)
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			if r.Values["answers"] != tc.answers {
				t.Fatalf("answers %v, want %v", r.Values["answers"], tc.answers)
			}
		})
	}
}

func TestDNSDeadline(t *testing.T) {
	addr := serveDNS(t)
	c := mustNew(t, "dns", "slow.test", fmt.Sprintf(`{"resolver":%q}`, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := c.Check(ctx, "slow.test")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v with a 150ms deadline", took)
	}
	if r.Status != StatusProblem || !strings.Contains(r.Message, "timed out") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}

func TestDNSClosedResolver(t *testing.T) {
	addr := closedPort(t)
	c := mustNew(t, "dns", "www.test", fmt.Sprintf(`{"resolver":%q,"protocol":"tcp"}`, addr))
	r := c.Check(context.Background(), "www.test")
	if r.Status != StatusProblem || !strings.Contains(r.Message, "connection refused") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}
