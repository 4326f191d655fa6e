package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-monitor/vigil/internal/wire"
)

// renewBefore is the most life a certificate has left when it is renewed.
const renewBefore = 30 * 24 * time.Hour

// renewAt returns when a certificate valid from notBefore to notAfter is
// renewed: at two thirds of its life or 30 days before it ends, whichever
// comes first; a certificate shorter-lived than 30 days at two thirds.
func renewAt(notBefore, notAfter time.Time) time.Time {
	twoThirds := notBefore.Add(notAfter.Sub(notBefore) * 2 / 3)
	if early := notAfter.Add(-renewBefore); early.After(notBefore) && early.Before(twoThirds) {
		return early
	}
	return twoThirds
}

// renewLoop renews the client certificate when it is due, until ctx is
// done; it returns an error only when the server refuses this agent.
func (a *agent) renewLoop(ctx context.Context) error {
	b := backoff{r: a.cfg.retry}
	for ctx.Err() == nil {
		l, err := leaf(*a.cert.Load())
		if err != nil {
			return fmt.Errorf("%w: %w", errStopped, err)
		}
		if d := time.Until(renewAt(l.NotBefore, l.NotAfter)); d > 0 && !sleep(ctx, d) {
			return nil
		}
		err = a.renew(ctx)
		if stop := stopError(err); stop != nil {
			return stop
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d := b.next()
			a.log.Warn("certificate renewal failed; retrying", "err", err, "expires", l.NotAfter, "retry_in", d.Round(time.Millisecond))
			sleep(ctx, d)
			continue
		}
		b.reset()
	}
	return nil
}

// renew asks the server for a certificate for a fresh key over mutual TLS
// with the current one, writes both, and only then switches to them.
func (a *agent) renew(ctx context.Context) error {
	_, keyPEM, csr, err := newKeyAndCSR(csrName)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	var resp wire.RenewResponse
	if _, err := a.api.post(ctx, wire.PathRenew, &wire.RenewRequest{CSR: string(csr)}, wire.MaxJoinBody, &resp); err != nil {
		return err
	}
	cert, err := keyPairPEM([]byte(resp.Certificate), keyPEM)
	if err != nil {
		return fmt.Errorf("agent: renew: %w", err)
	}
	l, err := leaf(cert)
	if err != nil {
		return fmt.Errorf("agent: renew: %w", err)
	}
	if !time.Now().Before(renewAt(l.NotBefore, l.NotAfter)) {
		return fmt.Errorf("agent: renew: the new certificate (until %s) is already due for renewal", l.NotAfter.Format(time.RFC3339))
	}
	if err := a.st.saveRenewal(keyPEM, []byte(resp.Certificate)); err != nil {
		return err
	}
	a.cert.Store(&cert)
	a.api.close()
	a.log.Info("certificate renewed", "expires", l.NotAfter)
	return nil
}
