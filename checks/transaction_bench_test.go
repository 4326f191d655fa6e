package checks

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkTransactionCheck runs a three-step login (form with its CSRF
// token, the POST, the page behind it) against the local app on loopback.
func BenchmarkTransactionCheck(b *testing.B) {
	steps := loginSteps[:strings.Index(loginSteps, ",\n {\"name\":\"my account\"")] + "]"
	app := newLoginApp()
	defer close(app.release)
	srv := httptest.NewServer(app.handler())
	defer srv.Close()
	c, err := New("transaction", srv.URL, []byte(txSettings(steps)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Check(ctx, srv.URL); r.Status != StatusOK || !strings.HasPrefix(r.Message, "3 steps ok") {
			b.Fatal(r.Message)
		}
	}
}
