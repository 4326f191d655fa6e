package checks

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync"
	"time"
)

// loginApp is the local web application the transaction tests log in to:
// a login form guarded by a CSRF token bound to a session cookie, a page
// only a logged-in session sees, and a JSON API.
type loginApp struct {
	mu       sync.Mutex
	sessions map[string]*appSession
	release  chan struct{} // closes /hang
}

type appSession struct {
	csrf string
	user string
}

const (
	appUser     = "alice"
	appPassword = "s3cret & <b>"
	appCookie   = "sid"
)

func newLoginApp() *loginApp {
	return &loginApp{sessions: map[string]*appSession{}, release: make(chan struct{})}
}

func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (a *loginApp) session(r *http.Request) *appSession {
	c, err := r.Cookie(appCookie)
	if err != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[c.Value]
}

func (a *loginApp) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		id, s := randomHex(), &appSession{csrf: randomHex()}
		a.mu.Lock()
		a.sessions[id] = s
		a.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: appCookie, Value: id, Path: "/", HttpOnly: true})
		fmt.Fprintf(w, `<form method="post" action="/login"><input type="hidden" name="csrf" value="%s">`+
			`<input name="user"><input name="password" type="password"></form>`, s.csrf)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := a.session(r)
		if s == nil || r.PostFormValue("csrf") != s.csrf {
			http.Error(w, "CSRF token missing or wrong", http.StatusForbidden)
			return
		}
		if r.PostFormValue("user") != appUser || r.PostFormValue("password") != appPassword {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, "Wrong username or password")
			return
		}
		a.mu.Lock()
		s.user = appUser
		a.mu.Unlock()
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		s := a.session(r)
		if s == nil || s.user == "" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		fmt.Fprintf(w, "<h1>Welcome %s</h1>", html.EscapeString(s.user))
	})
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		s := a.session(r)
		if s == nil || s.user == "" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"not logged in"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"user": s.user, "items": []any{map[string]any{"id": 7}}}})
	})
	mux.HandleFunc("GET /api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if s := a.session(r); s == nil || s.user == "" || r.PathValue("id") != "7" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"id":7,"name":"widget"}`)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		// A real delay, not synchronisation: the latency under test.
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, "slow but fine")
	})
	mux.HandleFunc("GET /endless", func(w http.ResponseWriter, r *http.Request) {
		// Never ends: only a reader that stops reading ends this run.
		chunk := []byte(strings.Repeat("a", 64<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("GET /hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-a.release:
		case <-r.Context().Done():
		}
	})
	return mux
}

// loginSteps is the whole transaction against loginApp: the login form
// with its CSRF token, the login, the page behind it and the JSON API.
const loginSteps = `[
 {"name":"login page","url":"/login","expect":{"contains":"<form"},
  "extract":[{"name":"csrf","from":"body","regex":"name=\"csrf\" value=\"([^\"]+)\""}]},
 {"name":"submit login","method":"POST","url":"/login","follow_redirects":false,
  "form":{"user":"{{username}}","password":"{{password}}","csrf":"{{csrf}}"},
  "expect":{"status":"303"},
  "extract":[{"name":"next","from":"header","header":"Location"}]},
 {"name":"dashboard","url":"{{next}}","expect":{"contains":"Welcome {{username}}","not_contains":"error"}},
 {"name":"my account","url":"/api/me","headers":{"Accept":"application/json"},
  "expect":{"regex":"\"user\":\\s*\"alice\""},
  "extract":[{"name":"item","from":"json","path":"data.items[0].id"}]},
 {"name":"item","url":"/api/items/{{item}}","expect":{"contains":"widget"}}
]`

// txSettings builds a transaction's settings from its steps and extra
// settings, with the app's credentials.
func txSettings(steps string, extra ...string) string {
	s := fmt.Sprintf(`{"steps":%s,"username":%q,"password":%q`, steps, appUser, appPassword)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}
