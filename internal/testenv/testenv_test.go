package testenv

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"
)

func TestSetupCodeRE(t *testing.T) {
	tests := []struct {
		name, line, code, url string
	}{
		{"text", `time=2026-11-23T10:00:00Z level=INFO msg="open this link" setup_url=http://127.0.0.1:8080/setup setup_code=ABCD-EFGH-JKLM`, "ABCD-EFGH-JKLM", "http://127.0.0.1:8080/setup"},
		{"text quoted", `level=INFO msg=setup setup_code="ABCD-EFGH-JKLM" setup_url="http://x/setup"`, "ABCD-EFGH-JKLM", "http://x/setup"},
		{"json", `{"level":"INFO","msg":"setup","setup_url":"http://x:1/setup","setup_code":"WXYZ-1234-ABCD"}`, "WXYZ-1234-ABCD", "http://x:1/setup"},
		{"absent", `level=INFO msg="listening" addr=127.0.0.1:1`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code, url string
			if m := setupCodeRE.FindStringSubmatch(tt.line); m != nil {
				code = m[1]
			}
			if m := setupURLRE.FindStringSubmatch(tt.line); m != nil {
				url = m[1]
			}
			if code != tt.code || url != tt.url {
				t.Errorf("got code %q url %q, want %q %q", code, url, tt.code, tt.url)
			}
		})
	}
}

func TestLogBufferWaitFor(t *testing.T) {
	b := newLogBuffer()
	exited := make(chan struct{})
	got := make(chan bool)
	go func() {
		_, ok := b.waitFor(context.Background(), exited, containsMatcher("ready"))
		got <- ok
	}()
	b.Write([]byte("starting\n"))
	b.Write([]byte("ready\n"))
	if !<-got {
		t.Fatal("waitFor did not see a line written after it started")
	}

	t.Run("exit ends the wait", func(t *testing.T) {
		close(exited)
		if _, ok := b.waitFor(context.Background(), exited, containsMatcher("never")); ok {
			t.Fatal("waitFor matched text that was never written")
		}
	})
	t.Run("context ends the wait", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if _, ok := b.waitFor(ctx, make(chan struct{}), containsMatcher("never")); ok {
			t.Fatal("waitFor matched text that was never written")
		}
	})
}

func TestFreePort(t *testing.T) {
	p := FreePort(t)
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("port %d from FreePort cannot be bound: %v", p, err)
	}
	l.Close()
}

func TestInputValues(t *testing.T) {
	tests := []struct {
		name, page, field, want string
	}{
		{"hidden csrf", `<form data-testid="login-form"><input type="hidden" name="csrf" value="tok123"><input name="username"></form>`, "csrf", "tok123"},
		{"value before name", `<input value="v&amp;1" type=hidden name=csrf />`, "csrf", "v&1"},
		{"absent", `<form><input name="username"></form>`, "csrf", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InputValues(tt.page)[tt.field]; got != tt.want {
				t.Errorf("InputValues()[%q] = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}
