package testenv

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// WebClient is a cookie-keeping HTTP client for the server's web pages. It
// does not follow redirects, so tests see the 303s themselves.
type WebClient struct {
	Base string
	HTTP *http.Client
}

// NewWebClient returns a web client for the server with an empty jar.
func (s *Server) NewWebClient() *WebClient {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &WebClient{Base: s.URL, HTTP: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Get fetches path and returns the response (body closed) and the body.
func (w *WebClient) Get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	resp, err := w.HTTP.Get(w.Base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return w.read(t, resp)
}

// PostForm posts form to path and returns the response (body closed) and
// the body.
func (w *WebClient) PostForm(t testing.TB, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := w.HTTP.PostForm(w.Base+path, form)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return w.read(t, resp)
}

func (w *WebClient) read(t testing.TB, resp *http.Response) (*http.Response, string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", resp.Request.URL, err)
	}
	return resp, string(b)
}

// Cookie returns the value of the cookie called name that the jar would
// send to the server, or "".
func (w *WebClient) Cookie(name string) string {
	u, err := url.Parse(w.Base + "/")
	if err != nil {
		return ""
	}
	for _, c := range w.HTTP.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// InputValues returns name → value of every <input> in the page (the last
// one wins for repeated names), for reading hidden fields such as csrf.
func InputValues(page string) map[string]string {
	out := map[string]string{}
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data != "input" {
				continue
			}
			var name, value string
			for _, a := range tok.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "value":
					value = a.Val
				}
			}
			if name != "" {
				out[name] = value
			}
		}
	}
}

// HasTestID reports whether the page has an element with data-testid id.
func HasTestID(page, id string) bool {
	return strings.Contains(page, `data-testid="`+id+`"`)
}
