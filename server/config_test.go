package server

import "testing"

func TestOnlyLocal(t *testing.T) {
	for base, want := range map[string]bool{
		"http://localhost:8080": true, "http://127.0.0.1:8080": true, "http://[::1]:8080": true,
		"http://192.0.2.7:8080": false, "https://vigil.example.com": false,
	} {
		if got := onlyLocal(base); got != want {
			t.Errorf("onlyLocal(%q) = %v, want %v", base, got, want)
		}
	}
}
