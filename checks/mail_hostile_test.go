package checks

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMailServer accepts connections on 127.0.0.1 and hands each to
// serve, until the test ends. It stands in for broken and hostile
// servers, which no real server can be made to be.
func fakeMailServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				serve(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// mailScripted serves greeting, then answers each command line with reply(line);
// an empty answer hangs up.
func mailScripted(greeting string, reply func(cmd string) string) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := io.WriteString(c, greeting); err != nil {
			return
		}
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			out := reply(strings.TrimRight(line, "\r\n"))
			if out == "" {
				return
			}
			if _, err := io.WriteString(c, out); err != nil {
				return
			}
		}
	}
}

// mailVerb returns a command's verb: the first word, or the second after an
// IMAP tag.
func mailVerb(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) > 1 && strings.HasPrefix(f[0], "a") && len(f[0]) == 2 {
		return strings.ToUpper(f[1])
	}
	if len(f) > 0 {
		return strings.ToUpper(f[0])
	}
	return ""
}

func checkMail(t *testing.T, proto, addr, settings string, timeout time.Duration) Result {
	t.Helper()
	c := mustNew(t, proto, addr, settings)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r := c.Check(ctx, addr)
	t.Logf("%s: %s %q %v", proto, r.Status, r.Message, r.Values)
	return r
}

// TestMailEndlessLine: a server that sends one line without end makes
// the check fail at once, holding a bounded amount of memory, not wait
// for the timeout while the line grows.
func TestMailEndlessLine(t *testing.T) {
	tests := []struct{ proto, prefix, inMsg string }{
		{"pop3", "+OK ", "greeting: server sent a line longer than 8 KiB"},
		{"imap", "* OK ", "greeting: server sent a line longer than 8 KiB"},
		// net/smtp reads lines without a limit: the read budget stops it.
		{"smtp", "220 ", "greeting: server sent more than 256 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.proto, func(t *testing.T) {
			addr := fakeMailServer(t, func(c net.Conn) {
				chunk := bytes.Repeat([]byte("A"), 32<<10)
				_, _ = io.WriteString(c, tt.prefix)
				for {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r := checkMail(t, tt.proto, addr, `{"tls":"none"}`, 20*time.Second)
			runtime.ReadMemStats(&after)
			if r.Status != StatusProblem || !strings.Contains(r.Message, tt.inMsg) {
				t.Fatalf("got %s %q, want problem containing %q", r.Status, r.Message, tt.inMsg)
			}
			// The budget is 256 KiB; allow for the run's other allocations
			// and bufio growth, far below what an unbounded read would take
			// from a server streaming at loopback speed.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d KiB", alloc>>10)
			if alloc > 8<<20 {
				t.Errorf("the check allocated %d KiB", alloc>>10)
			}
		})
	}
}

// TestMailHostileServers covers replies no well-behaved server sends.
func TestMailHostileServers(t *testing.T) {
	imapOK := func(cmd string) string {
		tag, _, _ := strings.Cut(cmd, " ")
		return tag + " OK done\r\n"
	}
	tests := []struct {
		name, proto, settings string
		serve                 func(net.Conn)
		want                  Status
		inMsg                 string
	}{
		{"pop3 not a pop3 server", "pop3", `{"tls":"none"}`, mailScripted("HTTP/1.1 400 Bad Request\r\n", nil), StatusProblem, `pop3: greeting: not a POP3 reply: "HTTP/1.1 400 Bad Request"`},
		{"imap not an imap server", "imap", `{"tls":"none"}`, mailScripted("+OK POP3 ready\r\n", nil), StatusProblem, `imap: greeting: not an IMAP greeting: "+OK POP3 ready"`},
		{"smtp not an smtp server", "smtp", `{"tls":"none"}`, mailScripted("* OK IMAP ready\r\n", nil), StatusProblem, "smtp: greeting: "},
		{"pop3 greeting -ERR", "pop3", `{"tls":"none"}`, mailScripted("-ERR too many connections\r\n", nil), StatusProblem, "pop3: greeting: -ERR too many connections"},
		{"imap greeting BYE", "imap", `{"tls":"none"}`, mailScripted("* BYE shutting down\r\n", nil), StatusProblem, "imap: greeting: server refused the connection: BYE shutting down"},
		{"smtp greeting 554", "smtp", `{"tls":"none"}`, mailScripted("554 no service for you\r\n", nil), StatusProblem, "smtp: greeting: 554 no service for you"},
		{"pop3 hangs up at once", "pop3", `{"tls":"none"}`, func(net.Conn) {}, StatusProblem, "pop3: greeting: connection closed by the server"},
		{"imap hangs up mid-line", "imap", `{"tls":"none"}`, func(c net.Conn) { _, _ = io.WriteString(c, "* OK half") }, StatusProblem, `imap: greeting: connection closed in the middle of a line (got "* OK half")`},
		{"smtp hangs up at once", "smtp", `{"tls":"none"}`, func(net.Conn) {}, StatusProblem, "smtp: greeting: connection closed by the server"},
		{"smtp multi-line greeting", "smtp", `{"tls":"none","expect_banner":"second"}`, mailScripted("220-mx.test first\r\n220 second\r\n", func(cmd string) string {
			if mailVerb(cmd) == "EHLO" {
				return "250 mx.test\r\n"
			}
			return "250 ok\r\n"
		}), StatusOK, "SMTP 220-mx.test first …"},
		{"smtp EHLO and HELO refused", "smtp", `{"tls":"none"}`, mailScripted("220 mx.test\r\n", func(string) string { return "550 go away\r\n" }), StatusProblem, "smtp: ehlo: 550 go away"},
		{"imap endless untagged replies", "imap", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, mailScripted("* OK ready\r\n", func(string) string {
			return strings.Repeat("* 1 EXISTS\r\n", 300<<10/12)
		}), StatusProblem, "imap: login: server sent more than 256 KiB"},
		{"imap huge literal", "imap", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, mailScripted("* OK ready\r\n", func(string) string {
			return "* 1 FETCH (BODY[] {99999999999}\r\n"
		}), StatusProblem, "imap: login: server sent more than 256 KiB"},
		{"imap literal skipped", "imap", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, mailScripted("* OK ready\r\n", func(cmd string) string {
			tag, _, _ := strings.Cut(cmd, " ")
			// The literal holds what looks like the tagged reply: it must
			// be skipped, not taken for one.
			return "* 1 FETCH (BODY[] {14}\r\n" + tag + " NO fake\r\n)\r\n" + tag + " OK real\r\n"
		}), StatusOK, "login ok"},
		{"imap BYE then hang-up at login", "imap", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, func(c net.Conn) {
			_, _ = io.WriteString(c, "* OK ready\r\n")
			_, _ = bufio.NewReader(c).ReadString('\n')
			_, _ = io.WriteString(c, "* BYE server shutting down\r\n")
		}, StatusProblem, "imap: login: server said BYE server shutting down"},
		{"imap literal refused", "imap", `{"tls":"none","username":"u","password":"pässwort","allow_plaintext_login":true}`, mailScripted("* OK ready\r\n", func(cmd string) string {
			tag, _, _ := strings.Cut(cmd, " ")
			return tag + " BAD literals not welcome\r\n"
		}), StatusProblem, "imap: login: BAD literals not welcome"},
		{"imap PREAUTH", "imap", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, mailScripted("* PREAUTH [CAPABILITY IMAP4rev1] welcome back\r\n", imapOK), StatusOK, "IMAP PREAUTH welcome back; preauthenticated, login skipped"},
		{"imap STARTTLS refused", "imap", `{}`, mailScripted("* OK ready\r\n", func(cmd string) string {
			return "a1 BAD unknown command\r\n"
		}), StatusProblem, "imap: starttls: BAD unknown command"},
		{"pop3 STLS refused", "pop3", `{}`, mailScripted("+OK ready\r\n", func(string) string { return "-ERR no TLS here\r\n" }), StatusProblem, "pop3: starttls: -ERR no TLS here"},
		// Plain text after the STARTTLS answer, before the handshake, would
		// be read as if it came over TLS (the STARTTLS injection attack).
		{"pop3 STARTTLS injection", "pop3", `{}`, mailScripted("+OK ready\r\n", func(string) string { return "+OK begin TLS\r\n+OK injected\r\n" }), StatusProblem, "pop3: starttls: server sent data before the TLS handshake"},
		{"imap STARTTLS injection", "imap", `{}`, mailScripted("* OK ready\r\n", func(string) string { return "a1 OK begin TLS\r\n* OK injected\r\n" }), StatusProblem, "imap: starttls: server sent data before the TLS handshake"},
		{"pop3 control characters in reply", "pop3", `{"tls":"none","username":"u","password":"p","allow_plaintext_login":true}`, mailScripted("+OK ready\r\n", func(string) string { return "-ERR \x1b[2Jbad\x00\r\n" }), StatusProblem, "pop3: login: -ERR  [2Jbad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := fakeMailServer(t, tt.serve)
			r := checkMail(t, tt.proto, addr, tt.settings, 20*time.Second)
			if r.Status != tt.want || !strings.Contains(r.Message, tt.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tt.want, tt.inMsg)
			}
		})
	}
}

// TestMailDeadline: a server that accepts and says nothing costs the
// monitor's timeout, no more.
func TestMailDeadline(t *testing.T) {
	for _, proto := range []string{"smtp", "pop3", "imap"} {
		t.Run(proto, func(t *testing.T) {
			addr := silentListener(t)
			r := checkMail(t, proto, addr, `{"tls":"none"}`, 300*time.Millisecond)
			if r.Status != StatusProblem || !strings.Contains(r.Message, proto+": greeting: timed out after") {
				t.Fatalf("got %s %q", r.Status, r.Message)
			}
		})
	}
	t.Run("cancelled without deadline", func(t *testing.T) {
		addr := silentListener(t)
		c := mustNew(t, "imap", addr, `{"tls":"none"}`)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		if r := c.Check(ctx, addr); r.Status != StatusProblem {
			t.Fatalf("got %s %q", r.Status, r.Message)
		}
	})
}

// TestMailResponseTime: the thresholds judge the whole session. The
// server waits before its greeting, so the session takes at least that.
func TestMailResponseTime(t *testing.T) {
	slow := func(c net.Conn) {
		time.Sleep(300 * time.Millisecond)
		mailScripted("+OK slow\r\n", func(string) string { return "+OK\r\n" })(c)
	}
	addr := fakeMailServer(t, slow)
	r := checkMail(t, "pop3", addr, `{"tls":"none","response_time_warning_ms":100}`, 20*time.Second)
	if r.Status != StatusWarning || !strings.Contains(r.Message, "POP3 +OK slow: slow: ") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
	r = checkMail(t, "pop3", addr, `{"tls":"none","response_time_warning_ms":50,"response_time_error_ms":100}`, 20*time.Second)
	if r.Status != StatusProblem || !strings.Contains(r.Message, "> 100 ms") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}
