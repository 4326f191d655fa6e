package checks

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sendLoopback sends n bytes over a TCP connection on 127.0.0.1 and
// returns once the receiver has read them all.
func sendLoopback(t *testing.T, n int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int64, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer conn.Close()
		m, _ := io.Copy(io.Discard, conn)
		got <- m
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(conn, zeroReader{}, n); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if m := <-got; m != n {
		t.Fatalf("receiver read %d bytes, want %d", m, n)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestNetworkLoopbackTraffic(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("network: the loopback interface is called lo on linux only")
	}
	const sent = 8 << 20
	c := newHostChecker(t, "network", "lo", `{}`)
	start := time.Now()
	first := runHost(t, c, "lo")
	if first.Status != StatusOK {
		t.Fatalf("first run: %s %q", first.Status, first.Message)
	}
	sendLoopback(t, sent)
	r := runHost(t, c, "lo")
	// The checker's interval lies within the test's, so rate × the test's
	// interval is at least what crossed lo between the two runs.
	elapsed := time.Since(start).Seconds()
	for _, key := range []string{"rx_bytes_per_second", "tx_bytes_per_second"} {
		if got := wantHostValue(t, r, key, 0, 1e15) * elapsed; got < sent {
			t.Errorf("%s × %.2fs = %.0f bytes, want at least %d: %+v", key, elapsed, got, sent, r)
		}
	}
	wantHostValue(t, r, "errors_per_second", 0, 1e9)
	if r.Status != StatusOK || !strings.HasPrefix(r.Message, "lo rx ") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
	// A rate threshold of one byte per second flips the status.
	c = newHostChecker(t, "network", "lo", `{"rate_warning_bytes_per_second":1}`)
	runHost(t, c, "lo")
	sendLoopback(t, 1<<20)
	if r := runHost(t, c, "lo"); r.Status != StatusWarning || !strings.Contains(r.Message, "(warning above 1 B/s)") {
		t.Fatalf("with a 1 B/s threshold: %s %q", r.Status, r.Message)
	}
}

func TestNetworkMissingInterface(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("network: the loopback interface is called lo on linux only")
	}
	r := runHost(t, newHostChecker(t, "network", "nosuch0", `{}`), "nosuch0")
	if r.Status != StatusProblem || !strings.HasPrefix(r.Message, `no network interface "nosuch0" (there are: `) || !strings.Contains(r.Message, "lo") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
}

// scriptedNetwork returns a checker reading the given counters in turn,
// one second apart.
func scriptedNetwork(t *testing.T, settings string, readings ...netCounters) *networkChecker {
	t.Helper()
	c := newHostChecker(t, "network", "eth0", settings).(*networkChecker)
	c.window = 0
	at := time.Unix(1_000_000, 0)
	c.read = func(context.Context, string) (netCounters, error) {
		if len(readings) == 0 {
			return netCounters{}, errors.New("no more readings")
		}
		r := readings[0]
		readings = readings[1:]
		at = at.Add(time.Second)
		r.at = at
		return r, nil
	}
	return c
}

func TestNetworkThresholds(t *testing.T) {
	const mib = 1 << 20
	base := netCounters{rx: 10 * mib, tx: 20 * mib, faults: 5}
	cases := []struct {
		name     string
		settings string
		next     netCounters // one second after base
		status   Status
		message  string
		rx       float64
	}{
		{"calm", `{}`, netCounters{rx: 11 * mib, tx: 20*mib + 512, faults: 5}, StatusOK, "eth0 rx 1.0 MiB/s tx 512 B/s", mib},
		{"rate warning", `{"rate_warning_bytes_per_second":1000000}`, netCounters{rx: 12 * mib, tx: 20 * mib, faults: 5}, StatusWarning, "eth0 rx 2.0 MiB/s tx 0 B/s (warning above 977 KiB/s)", 2 * mib},
		{"rate problem on tx", `{"rate_warning_bytes_per_second":1000,"rate_error_bytes_per_second":2000}`, netCounters{rx: 10 * mib, tx: 20*mib + 3000, faults: 5}, StatusProblem, "eth0 rx 0 B/s tx 2.9 KiB/s (problem above 2.0 KiB/s)", 0},
		{"errors shown", `{}`, netCounters{rx: 10 * mib, tx: 20 * mib, faults: 8}, StatusOK, "eth0 rx 0 B/s tx 0 B/s, 3 errors/s", 0},
		{"errors problem", `{"errors_warning_per_second":0.5,"errors_error_per_second":2}`, netCounters{rx: 10 * mib, tx: 20 * mib, faults: 8}, StatusProblem, "eth0 rx 0 B/s tx 0 B/s, 3 errors/s (problem above 2/s)", 0},
		{"counter reset", `{}`, netCounters{rx: 4096, tx: 0, faults: 0}, StatusOK, "eth0 rx 4.0 KiB/s tx 0 B/s", 4096},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := scriptedNetwork(t, tc.settings, base, base, tc.next)
			if first := runHost(t, c, "eth0"); first.Values["rx_bytes_per_second"] != 0 {
				t.Fatalf("first run: %+v", first)
			}
			r := runHost(t, c, "eth0")
			if r.Status != tc.status || r.Message != tc.message || r.Values["rx_bytes_per_second"] != tc.rx {
				t.Fatalf("got %s %q rx %v, want %s %q rx %v", r.Status, r.Message, r.Values["rx_bytes_per_second"], tc.status, tc.message, tc.rx)
			}
		})
	}
}

func TestCounterDelta(t *testing.T) {
	cases := []struct {
		name           string
		prev, cur, out uint64
	}{
		{"grew", 10, 25, 15},
		{"same", 7, 7, 0},
		{"reset", 1 << 40, 100, 100},
		{"32-bit wrap counts from zero", 1<<32 - 10, 5, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := counterDelta(tc.prev, tc.cur); got != tc.out {
				t.Fatalf("counterDelta(%d, %d) = %d, want %d", tc.prev, tc.cur, got, tc.out)
			}
		})
	}
}
