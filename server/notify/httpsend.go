package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxAnswer bounds how much of a provider's answer is read: enough for any
// error document, not enough for a hostile receiver to grow our memory.
const maxAnswer = 64 << 10

// userAgent is what Vigil calls itself to receivers.
const userAgent = "Vigil/1"

// noRedirects copies c so that it does not follow redirects: a redirected
// POST turns into a GET and loses its body, and following one would hand
// a signed request to a host nobody configured. A 3xx is reported instead.
func noRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// answer is a receiver's reply: the status and the first maxAnswer bytes.
type answer struct {
	status int
	line   string // "404 Not Found", cleaned for a log line
	body   []byte
}

// do sends req and reads the answer. what names the receiver without
// secrets ("webhook https://example.com/…"); transport errors are wrapped
// without the URL, which may hold a token.
func do(c *http.Client, req *http.Request, what string) (answer, error) {
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return answer{}, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	a := answer{status: resp.StatusCode, line: oneLine(resp.Status, 80), body: body}
	if err != nil && resp.StatusCode/100 == 2 {
		// The receiver took the request; a broken answer does not undo that.
		err = nil
	}
	return a, err
}

// statusError turns a non-2xx answer into an error; detail is what the
// receiver said, already extracted from its body. A 4xx other than 408
// (timeout) or 429 (rate limited) is permanent: the same request will be
// refused again. A 3xx is permanent too, since redirects are not followed.
func statusError(what string, a answer, detail string) error {
	msg := what + ": " + a.line
	if a.line == "" {
		msg = fmt.Sprintf("%s: status %d", what, a.status)
	}
	if a.status/100 == 3 {
		msg += " (redirects are not followed: configure the final URL)"
	}
	if detail != "" {
		msg += ": " + detail
	}
	err := errors.New(msg)
	if permanentStatus(a.status) {
		return permanent(err)
	}
	return err
}

func permanentStatus(code int) bool {
	return (code/100 == 4 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests) || code/100 == 3
}

// bodyDetail is the start of a plain answer body, on one line.
func bodyDetail(body []byte) string {
	return oneLine(string(body), 300)
}
