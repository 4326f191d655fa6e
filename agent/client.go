package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// client posts wire messages to the agent gateway.
type client struct {
	base string // the server URL without a trailing slash
	http *http.Client
}

// newClient returns a client for server whose TLS accepts only a server
// certificate from the CA with fingerprint pin. cert, when not nil, gives
// the client certificate for each handshake; it is read at every
// handshake, so a renewal takes effect on the next connection.
func newClient(server, pin string, cert *atomic.Pointer[tls.Certificate]) (*client, error) {
	cfg, err := pki.PinnedClientConfig(pin)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if cert != nil {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return cert.Load(), nil
		}
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 15 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
	}
	return &client{base: strings.TrimSuffix(server, "/"), http: &http.Client{Transport: tr}}, nil
}

// post sends req to path and, on a 2xx answer with a body, decodes it into
// resp under maxResp. It returns the status; a non-2xx answer is a
// *wire.Error (one the server sent, or one made from the status).
func (c *client) post(ctx context.Context, path string, req wire.Validator, maxResp int64, resp wire.Validator) (int, error) {
	var body bytes.Buffer
	if err := wire.Encode(&body, req); err != nil {
		return 0, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, &body)
	if err != nil {
		return 0, fmt.Errorf("agent: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(hr)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	defer io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // let the connection be reused
	switch {
	case res.StatusCode == http.StatusNoContent:
		return res.StatusCode, nil
	case res.StatusCode >= 200 && res.StatusCode < 300:
		if err := wire.Decode(res.Body, maxResp, resp); err != nil {
			return res.StatusCode, fmt.Errorf("agent: answer of %s: %w", path, err)
		}
		return res.StatusCode, nil
	}
	return res.StatusCode, answerError(res)
}

// answerError reads the *wire.Error of a non-2xx answer; a body that is
// not one gives an Error with the code the status implies.
func answerError(res *http.Response) *wire.Error {
	var e wire.Error
	if err := wire.Decode(res.Body, wire.MaxErrorBody, &e); err == nil {
		return &e
	}
	code := wire.CodeInternal
	switch res.StatusCode {
	case http.StatusBadRequest:
		code = wire.CodeBadRequest
	case http.StatusRequestEntityTooLarge:
		code = wire.CodeTooLarge
	case http.StatusServiceUnavailable:
		code = wire.CodeUnavailable
	}
	return &wire.Error{Message: "the server answered " + res.Status, Code: code}
}

// close drops idle connections, e.g. after the client certificate changed.
func (c *client) close() { c.http.CloseIdleConnections() }

// wireCode returns the code of a *wire.Error in err's chain, or "".
func wireCode(err error) string {
	var we *wire.Error
	if errors.As(err, &we) {
		return we.Code
	}
	return ""
}

// errStopped is the cause when the server refuses this agent for good.
var errStopped = errors.New("refused by the server")

// stopError returns the error Run returns when err means the agent must
// stop (the server revoked it or does not know it), or nil.
func stopError(err error) error {
	switch wireCode(err) {
	case wire.CodeRevoked:
		return fmt.Errorf("%w: this agent was revoked on the server; join it again with a new token and a fresh --state directory", errStopped)
	case wire.CodeUnknownAgent:
		return fmt.Errorf("%w: the server does not know this agent (was its data reset?); join again with a new token and a fresh --state directory", errStopped)
	}
	return nil
}
