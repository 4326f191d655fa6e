package checks

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeMySQL serves every connection with serve until the test ends and
// returns its address: a server that says what a test wants it to say.
func fakeMySQL(t *testing.T, serve func(conn net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
				serve(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

// writePacket writes one protocol packet: 3-byte length, sequence, payload.
func writePacket(w io.Writer, seq byte, payload []byte) error {
	hdr := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), seq}
	_, err := w.Write(append(hdr, payload...))
	return err
}

// readPacket reads one packet's payload.
func readPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return body, err
}

// fakeHandshake is a server greeting offering mysql_native_password.
func fakeHandshake() []byte {
	const caps = 1 | 1<<9 | 1<<13 | 1<<15 | 1<<19 // long password, 4.1, transactions, secure conn, plugin auth
	var b bytes.Buffer
	b.WriteByte(10)
	b.WriteString("5.7.0-fake\x00")
	b.Write([]byte{1, 0, 0, 0})
	b.WriteString("abcdefgh\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(caps&0xffff))
	b.WriteByte(33)
	b.Write([]byte{2, 0})
	_ = binary.Write(&b, binary.LittleEndian, uint16(caps>>16))
	b.WriteByte(21)
	b.Write(make([]byte, 10))
	b.WriteString("ijklmnopqrst\x00")
	b.WriteString("mysql_native_password\x00")
	return b.Bytes()
}

var fakeOK = []byte{0, 0, 0, 2, 0, 0, 0}

// loginThen greets, accepts any password, and answers each query with
// answer (given the query and the sequence number to reply with).
func loginThen(answer func(conn net.Conn, query string) bool) func(net.Conn) {
	return func(conn net.Conn) {
		if writePacket(conn, 0, fakeHandshake()) != nil {
			return
		}
		if _, err := readPacket(conn); err != nil {
			return
		}
		if writePacket(conn, 2, fakeOK) != nil {
			return
		}
		for {
			p, err := readPacket(conn)
			if err != nil || len(p) == 0 || p[0] != 3 { // COM_QUERY only
				return
			}
			if !answer(conn, string(p[1:])) {
				return
			}
		}
	}
}

// lenenc writes a length-encoded string of up to 250 bytes.
func lenenc(s string) []byte { return append([]byte{byte(len(s))}, s...) }

// oneColumn answers a query with a one-column result set whose single row
// is row, as sent (possibly malformed).
func oneColumn(conn net.Conn, row []byte) {
	def := bytes.Join([][]byte{lenenc("def"), lenenc(""), lenenc(""), lenenc(""), lenenc("x"), lenenc("")}, nil)
	def = append(def, 0x0c, 63, 0, 1, 0, 0, 0, 253, 0, 0, 0, 0, 0) // binary charset, VAR_STRING
	_ = writePacket(conn, 1, []byte{1})
	_ = writePacket(conn, 2, def)
	_ = writePacket(conn, 3, []byte{0xfe, 0, 0, 2, 0})
	_ = writePacket(conn, 4, row)
	_ = writePacket(conn, 5, []byte{0xfe, 0, 0, 2, 0})
}

func TestMySQLHostileServers(t *testing.T) {
	short := func(t *testing.T) (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 2*time.Second)
	}
	cases := []struct {
		name  string
		serve func(net.Conn)
		inMsg string
	}{
		{"closes at once", func(net.Conn) {}, "the connection broke: the server closed the connection"},
		{"speaks HTTP", func(c net.Conn) { _, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n") }, "the connection broke: the server closed the connection"},
		{"silent", func(c net.Conn) { _, _ = c.Read(make([]byte, 1)) }, "timed out after"},
		{"endless packet", func(c net.Conn) {
			_, _ = c.Write([]byte{0xff, 0xff, 0xff, 0})
			chunk := make([]byte, 64<<10)
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}, "the server sent more than 1 MiB"},
		{"short error packet", func(c net.Conn) {
			_ = writePacket(c, 0, []byte{0xff})
			_, _ = c.Read(make([]byte, 1))
		}, "connect 127.0.0.1:"},
		{"long error message", func(c net.Conn) {
			msg := "Too many connections" + strings.Repeat(" and then some\x07", 20000)
			_ = writePacket(c, 0, append([]byte{0xff, 0x10, 0x04, '#', '0', '8', '0', '0', '4'}, msg...))
		}, "too many connections and then some"},
		{"malformed row after login", loginThen(func(c net.Conn, q string) bool {
			if strings.HasPrefix(q, "START TRANSACTION") {
				return writePacket(c, 1, fakeOK) == nil
			}
			oneColumn(c, []byte{0xfc})
			return true
		}), "query: the server's answer broke the MySQL driver"},
		{"status rows of nonsense", loginThen(func(c net.Conn, q string) bool {
			if strings.HasPrefix(q, "START TRANSACTION") || strings.HasPrefix(q, "ROLLBACK") {
				return writePacket(c, 1, fakeOK) == nil
			}
			oneColumn(c, lenenc("NaN"))
			return true
		}), "not reported: the server lacks their counters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := fakeMySQL(t, tc.serve)
			c := mustNew(t, "mysql", addr, `{"username":"u","password":"p","tls":"disabled"}`)
			ctx, cancel := short(t)
			defer cancel()
			start := time.Now()
			r := c.Check(ctx, addr)
			t.Logf("%s: %s", r.Status, r.Message)
			if !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want a message containing %q", r.Status, r.Message, tc.inMsg)
			}
			if !strings.Contains(tc.inMsg, "not reported") && r.Status != StatusProblem {
				t.Fatalf("status %s, want problem", r.Status)
			}
			if len(r.Message) > 1000 {
				t.Fatalf("message of %d bytes: a server's text must be cut short", len(r.Message))
			}
			if strings.ContainsAny(r.Message, "\x07\r\n") {
				t.Fatalf("message %q holds control characters from the server", r.Message)
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Fatalf("took %s with a 2s deadline", el)
			}
		})
	}
}

// TestMySQLBreaker checks that a server whose greeting makes the driver
// panic is not contacted again at once, then is after the wait.
func TestMySQLBreaker(t *testing.T) {
	conns := make(chan struct{}, 10)
	addr := fakeMySQL(t, func(c net.Conn) {
		conns <- struct{}{}
		_ = writePacket(c, 0, []byte{0xff})
		_, _ = c.Read(make([]byte, 1))
	})
	ch := mustNew(t, "mysql", addr, `{"username":"u","tls":"disabled"}`).(*mysqlChecker)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ch.now = func() time.Time { return now }
	run := func() Result {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return ch.Check(ctx, addr)
	}
	first := run()
	if first.Status != StatusProblem || !strings.Contains(first.Message, "broke the MySQL driver") {
		t.Fatalf("first run: %s %q", first.Status, first.Message)
	}
	held := run()
	if held.Status != StatusProblem || !strings.Contains(held.Message, "not contacted again before 10:01:00") {
		t.Fatalf("second run: %s %q, want it held for a minute", held.Status, held.Message)
	}
	now = now.Add(61 * time.Second)
	run()
	if held := run(); !strings.Contains(held.Message, "not contacted again before 10:03:01") {
		t.Fatalf("after the second panic: %q, want it held for two minutes", held.Message)
	}
	if n := len(conns); n != 2 {
		t.Fatalf("%d connections, want 2 (held runs do not connect)", n)
	}
}

// TestMySQLBreakerGivesUp checks that a checker stops contacting a server
// for good after mysqlBreakerLimit panics during login, even with logins
// that worked in between (each panic left a goroutine behind), and that
// a new checker (the monitor saved again) tries again.
func TestMySQLBreakerGivesUp(t *testing.T) {
	var conns atomic.Int32
	good := loginThen(func(c net.Conn, q string) bool {
		if strings.HasPrefix(q, "START TRANSACTION") || strings.HasPrefix(q, "ROLLBACK") {
			return writePacket(c, 1, fakeOK) == nil
		}
		oneColumn(c, lenenc("1"))
		return true
	})
	addr := fakeMySQL(t, func(c net.Conn) {
		if conns.Add(1)%2 == 0 {
			good(c)
			return
		}
		_ = writePacket(c, 0, []byte{0xff}) // breaks the driver's login
		_, _ = c.Read(make([]byte, 1))
	})
	settings := `{"username":"u","tls":"disabled"}`
	ch := mustNew(t, "mysql", addr, settings).(*mysqlChecker)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ch.now = func() time.Time { return now }
	run := func(c Checker) Result {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return c.Check(ctx, addr)
	}

	goroutines := runtime.NumGoroutine()
	for i := 1; i <= mysqlBreakerLimit; i++ {
		r := run(ch)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "broke the MySQL driver") {
			t.Fatalf("panic %d: %s %q", i, r.Status, r.Message)
		}
		if stopped := strings.Contains(r.Message, "not contacted again until this monitor is saved again"); stopped != (i == mysqlBreakerLimit) {
			t.Fatalf("panic %d: %q", i, r.Message)
		}
		now = now.Add(2 * time.Hour) // past any wait
		if i < mysqlBreakerLimit {
			if r := run(ch); strings.Contains(r.Message, "MySQL driver") {
				t.Fatalf("login %d: %s %q, want it to work", i, r.Status, r.Message)
			}
		}
	}
	time.Sleep(100 * time.Millisecond) // let the fake server's goroutines end
	t.Logf("goroutines: %d before, %d after %d panics during login", goroutines, runtime.NumGoroutine(), mysqlBreakerLimit)

	made := conns.Load()
	for range 3 {
		now = now.Add(24 * time.Hour)
		r := run(ch)
		if r.Status != StatusProblem || !strings.HasPrefix(r.Message, "the server's replies crashed the MySQL driver 5 times; not contacted again until this monitor is saved again (last: connect ") {
			t.Fatalf("after giving up: %s %q", r.Status, r.Message)
		}
	}
	if n := conns.Load(); n != made {
		t.Fatalf("%d connections after giving up, want none", n-made)
	}
	if r := run(mustNew(t, "mysql", addr, settings)); strings.Contains(r.Message, "not contacted again") || conns.Load() != made+1 {
		t.Fatalf("a new checker: %q after %d connections, want it to connect again", r.Message, conns.Load()-made)
	}
}
