package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"time"

	"github.com/vigil-monitor/vigil/internal/pki"
	"github.com/vigil-monitor/vigil/internal/version"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// joinTimeout bounds the whole join request.
const joinTimeout = time.Minute

// csrName is the CN of the agent's CSRs; the CA ignores it.
const csrName = "vigil-agent"

// join makes a key, presents the token and a CSR to the server verified
// against the token's pin, and saves what it gets back.
func join(ctx context.Context, cfg Config, st state, log *slog.Logger) (credentials, error) {
	tok, err := wire.ParseJoinToken(cfg.Token)
	if err != nil {
		return credentials{}, fmt.Errorf("agent: --token: %w", err)
	}
	if cfg.Server == "" {
		return credentials{}, errors.New("agent: --server is needed to join")
	}
	c, err := newClient(cfg.Server, tok.Fingerprint, nil)
	if err != nil {
		return credentials{}, err
	}
	defer c.close()
	_, keyPEM, csr, err := newKeyAndCSR(csrName)
	if err != nil {
		return credentials{}, err
	}
	req := &wire.JoinRequest{
		TokenID: tok.ID, Secret: tok.Secret, CSR: string(csr), Name: cfg.Name,
		Hostname: hostname(), OS: runtime.GOOS, Arch: runtime.GOARCH, Version: version.Version,
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	var resp wire.JoinResponse
	if _, err := c.post(ctx, wire.PathJoin, req, wire.MaxJoinBody, &resp); err != nil {
		return credentials{}, joinError(cfg.Server, err)
	}
	return saveJoined(cfg, st, tok.Fingerprint, keyPEM, &resp, log)
}

// saveJoined checks the join answer and writes the state directory.
func saveJoined(cfg Config, st state, pin string, keyPEM []byte, resp *wire.JoinResponse, log *slog.Logger) (credentials, error) {
	if !hasFingerprint([]byte(resp.CA), pin) {
		return credentials{}, errors.New("agent: join: the server's CA bundle does not hold the CA the token names")
	}
	cert, err := keyPairPEM([]byte(resp.Certificate), keyPEM)
	if err != nil {
		return credentials{}, fmt.Errorf("agent: join: %w", err)
	}
	id := identity{AgentID: resp.AgentID, Name: resp.Name, Server: cfg.Server, CAFingerprint: pin}
	if err := st.saveJoin(id, keyPEM, []byte(resp.Certificate), []byte(resp.CA)); err != nil {
		return credentials{}, err
	}
	log.Info("joined the server", "agent_id", id.AgentID, "name", id.Name, "server", id.Server)
	return credentials{id: id, cert: cert}, nil
}

// joinError turns a failed join into a sentence a person can act on.
func joinError(server string, err error) error {
	switch wireCode(err) {
	case wire.CodeTokenInvalid:
		return refusal("agent: join refused: the token is not valid (unknown or mistyped); create a new one in the server's UI (Agents page)", err)
	case wire.CodeTokenExpired:
		return refusal("agent: join refused: the token has expired; create a new one in the server's UI (Agents page)", err)
	case wire.CodeTokenUsedUp:
		return refusal("agent: join refused: the token has no uses left; create a new one in the server's UI (Agents page)", err)
	case wire.CodeTokenRevoked:
		return refusal("agent: join refused: the token was revoked; create a new one in the server's UI (Agents page)", err)
	case "":
	default:
		return fmt.Errorf("agent: join refused by %s: %w", server, err)
	}
	if errors.Is(err, pki.ErrPinMismatch) {
		return fmt.Errorf("agent: join: the server at %s does not hold the CA the token names; nothing was sent (wrong --server, or someone in between?): %w", server, err)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return fmt.Errorf("agent: join: the server at %s is unreachable: %w", server, err)
	}
	return fmt.Errorf("agent: join %s: %w", server, err)
}

// refusalError says why a join was refused in the agent's own words; the
// server's answer stays reachable with errors.As but is not repeated.
type refusalError struct {
	msg string
	err error
}

func refusal(msg string, err error) error { return &refusalError{msg: msg, err: err} }

func (e *refusalError) Error() string { return e.msg }
func (e *refusalError) Unwrap() error { return e.err }
