package agent

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vigil-monitor/vigil/internal/pki"
)

// The files of the state directory.
const (
	keyFile      = "agent.key"
	certFile     = "agent.crt"
	caFile       = "ca.crt"
	identityFile = "identity.json"
	spoolDir     = "spool"
	fimFile      = "fim.db" // file-integrity baselines (compliance/fim)
	nextSuffix   = ".next"  // a renewed key or certificate not yet in place
)

// identity is identity.json: who this agent is and whom it talks to.
type identity struct {
	AgentID       string `json:"agent_id"`
	Name          string `json:"name"`
	Server        string `json:"server"`
	CAFingerprint string `json:"ca_fingerprint"`
}

// state is the agent's state directory.
type state struct{ dir string }

// openState creates dir with mode 0700 if it is missing.
func openState(dir string) (state, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return state{}, fmt.Errorf("agent: state directory: %w", err)
	}
	return state{dir: dir}, nil
}

func (s state) path(name string) string { return filepath.Join(s.dir, name) }

// errNotJoined is returned by load when the directory holds no identity.
var errNotJoined = errors.New("agent: not joined yet")

// credentials is what an agent needs to talk mutual TLS.
type credentials struct {
	id   identity
	cert tls.Certificate // key and client certificate
}

// load reads the identity and the key pair, finishing a renewal a crash
// interrupted. errNotJoined when identity.json is missing.
func (s state) load() (credentials, error) {
	data, err := os.ReadFile(s.path(identityFile))
	if errors.Is(err, fs.ErrNotExist) {
		return credentials{}, errNotJoined
	}
	if err != nil {
		return credentials{}, fmt.Errorf("agent: read identity: %w", err)
	}
	var id identity
	if err := json.Unmarshal(data, &id); err != nil || id.AgentID == "" || id.CAFingerprint == "" {
		return credentials{}, fmt.Errorf("agent: %s is damaged; move the state directory away and join again", s.path(identityFile))
	}
	if err := s.finishRenewal(); err != nil {
		return credentials{}, err
	}
	cert, err := s.keyPair()
	if err != nil {
		return credentials{}, err
	}
	return credentials{id: id, cert: cert}, nil
}

// keyPair reads agent.key and agent.crt.
func (s state) keyPair() (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(s.path(certFile), s.path(keyFile))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("agent: load key pair: %w", err)
	}
	return cert, nil
}

// saveJoin writes what a join produced, identity.json last.
func (s state) saveJoin(id identity, keyPEM, certPEM, caPEM []byte) error {
	if err := writeFileAtomic(s.path(keyFile), keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeFileAtomic(s.path(certFile), certPEM, 0o644); err != nil {
		return err
	}
	if err := writeFileAtomic(s.path(caFile), caPEM, 0o644); err != nil {
		return err
	}
	data, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return fmt.Errorf("agent: encode identity: %w", err)
	}
	return writeFileAtomic(s.path(identityFile), append(data, '\n'), 0o600)
}

// saveRenewal puts a renewed key and certificate in place: both are
// written beside the old ones first, then renamed key first. A crash
// before the key's rename keeps the old pair (finishRenewal removes the
// rest); one after it leaves agent.crt.next, which finishRenewal renames.
func (s state) saveRenewal(keyPEM, certPEM []byte) error {
	if err := writeFileAtomic(s.path(keyFile+nextSuffix), keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeFileAtomic(s.path(certFile+nextSuffix), certPEM, 0o644); err != nil {
		return err
	}
	if err := os.Rename(s.path(keyFile+nextSuffix), s.path(keyFile)); err != nil {
		return fmt.Errorf("agent: renew: %w", err)
	}
	if err := os.Rename(s.path(certFile+nextSuffix), s.path(certFile)); err != nil {
		return fmt.Errorf("agent: renew: %w", err)
	}
	return nil
}

// finishRenewal completes or discards a renewal a crash interrupted.
func (s state) finishRenewal() error {
	keyNext, certNext := s.path(keyFile+nextSuffix), s.path(certFile+nextSuffix)
	if _, err := os.Stat(keyNext); err == nil {
		// The key was not renamed yet: the old pair is whole.
		return errors.Join(removeIfExists(keyNext), removeIfExists(certNext))
	}
	if _, err := os.Stat(certNext); err == nil {
		if err := os.Rename(certNext, s.path(certFile)); err != nil {
			return fmt.Errorf("agent: finish renewal: %w", err)
		}
	}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("agent: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file, fsynced,
// then renamed over path, so a reader sees the old or the new file whole.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("agent: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("agent: write %s: %w", path, err)
	}
	return nil
}

// keyPairPEM makes a tls.Certificate from PEM key and certificate.
func keyPairPEM(certPEM, keyPEM []byte) (tls.Certificate, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("agent: certificate does not match the key: %w", err)
	}
	return cert, nil
}

// leaf returns the parsed leaf of cert.
func leaf(cert tls.Certificate) (*x509.Certificate, error) {
	if cert.Leaf != nil {
		return cert.Leaf, nil
	}
	if len(cert.Certificate) == 0 {
		return nil, errors.New("agent: no certificate")
	}
	return x509.ParseCertificate(cert.Certificate[0])
}

// hasFingerprint reports whether the PEM bundle holds a certificate with
// the SHA-256 fingerprint fp.
func hasFingerprint(bundle []byte, fp string) bool {
	for {
		var b *pem.Block
		b, bundle = pem.Decode(bundle)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" && pki.Fingerprint(b.Bytes) == fp {
			return true
		}
	}
}

// newKeyAndCSR makes a fresh key and a CSR for it.
func newKeyAndCSR(name string) (crypto.Signer, []byte, []byte, error) {
	key, keyPEM, err := pki.NewKey()
	if err != nil {
		return nil, nil, nil, err
	}
	csr, err := pki.NewCSR(key, name)
	if err != nil {
		return nil, nil, nil, err
	}
	return key, keyPEM, csr, nil
}
