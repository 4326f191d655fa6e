package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"unicode"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// codeNotFound answers a path the gateway does not serve; wire allows
// codes it does not list, and agents act on the status.
const (
	codeNotFound    = "not_found"
	codeBadMethod   = "method_not_allowed"
	contentTypeJSON = "application/json"
)

// fail is an answer with a wire.Error, returned by a handler.
type fail struct {
	status int
	body   wire.Error
}

func (f *fail) Error() string { return f.body.Error() }

// failf builds a fail with code's status.
func failf(code, format string, args ...any) *fail {
	return &fail{status: wire.Status(code), body: wire.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// decode reads r's body into v under max, turning wire's errors into
// answers: 413 for too large, 400 naming the field for malformed.
func decode(r *http.Request, max int64, v wire.Validator) error {
	err := wire.Decode(r.Body, max, v)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, wire.ErrTooLarge):
		return failf(wire.CodeTooLarge, "the request body is larger than %d bytes", max)
	case errors.Is(err, wire.ErrMalformed):
		f := failf(wire.CodeBadRequest, "%s", trimMessage(err.Error()))
		var fe *wire.FieldError
		if errors.As(err, &fe) {
			f.body.Field = trimField(fe.Field)
		}
		return f
	}
	return failf(wire.CodeBadRequest, "the request body could not be read")
}

// trimMessage makes s fit wire.Error's message: at most
// wire.MaxMessageLen bytes of valid UTF-8 without control characters.
func trimMessage(s string) string { return cleanText(s, wire.MaxMessageLen) }

// trimField makes s fit wire.Error's field.
func trimField(s string) string { return cleanText(s, wire.MaxNameLen) }

// cleanText cuts s to max bytes and replaces what wire refuses in text.
func cleanText(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	s = strings.ToValidUTF8(s, "?")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// writeMessage answers status with msg as JSON.
func (g *Gateway) writeMessage(w http.ResponseWriter, status int, msg wire.Validator) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	if err := wire.Encode(w, msg); err != nil {
		g.log.Error("agent gateway: write answer", "err", err)
	}
}

// writeError answers err: a *fail as it says, anything else as 500
// after logging it (the agent learns only that it should retry).
func (g *Gateway) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var f *fail
	if !errors.As(err, &f) {
		g.log.Error("agent gateway: request failed", "path", r.URL.Path, "peer", peer(r), "err", err)
		f = failf(wire.CodeInternal, "the server could not handle the request; retry later")
	}
	g.writeMessage(w, f.status, &f.body)
}

// peer returns the host part of the request's remote address.
func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
