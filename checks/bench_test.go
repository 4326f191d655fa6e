package checks

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
)

// The benchmarks time one check run against a loopback peer: the cost of
// a check type itself, without network latency.

func BenchmarkHTTPCheck(b *testing.B) {
	srv := httptest.NewServer(testMux(nil))
	defer srv.Close()
	c, err := New("http", srv.URL+"/ok", []byte(`{"expect_contains":"systems go"}`))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if r := c.Check(ctx, srv.URL+"/ok"); r.Status != StatusOK {
			b.Fatal(r.Message)
		}
	}
}

func BenchmarkDNSCheck(b *testing.B) {
	addr := serveDNS(b)
	c, err := New("dns", "www.test", []byte(fmt.Sprintf(`{"resolver":%q}`, addr)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if r := c.Check(ctx, "www.test"); r.Status != StatusOK {
			b.Fatal(r.Message)
		}
	}
}

func BenchmarkTCPCheck(b *testing.B) {
	srv := httptest.NewServer(testMux(nil))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	c, err := New("tcp", addr, []byte(`{}`))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if r := c.Check(ctx, addr); r.Status != StatusOK {
			b.Fatal(r.Message)
		}
	}
}
