package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Server certificate lifetime and the remaining time below which a cached
// certificate is replaced.
const (
	serverValidity = 365 * 24 * time.Hour
	serverRenewal  = 30 * 24 * time.Hour
)

// ServerCertificate returns the agent gateway's TLS certificate for hosts
// (DNS names and IP addresses; the caller adds "localhost" and "127.0.0.1"
// if it wants them). The certificate is cached in dir as server.crt and
// server.key (0600) and reused while it chains to this CA, names exactly
// these hosts and has at least 30 days left; otherwise a new one (1 year,
// ExtKeyUsage ServerAuth only) is issued and written. An unreadable or
// damaged cache is replaced, not reported: it holds nothing that cannot be
// reissued.
//
// The returned chain is leaf + CA certificate, because agents verify the
// server against the CA the server presents (see PinnedClientConfig). Call
// it once at start-up; concurrent calls on one dir are safe in that a
// mismatched pair left behind is detected and replaced on the next call.
func (ca *CA) ServerCertificate(dir string, hosts []string) (tls.Certificate, error) {
	names, ips, err := splitHosts(hosts)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: server certificate: %w", err)
	}
	certPath, keyPath := filepath.Join(dir, serverCertFile), filepath.Join(dir, serverKeyFile)
	now := time.Now()
	if cert, ok := ca.cachedServerCert(certPath, keyPath, names, ips, now); ok {
		return cert, nil
	}
	return ca.issueServerCert(certPath, keyPath, names, ips, now, serverValidity)
}

// cachedServerCert returns the cached certificate if it is still fit for use.
func (ca *CA) cachedServerCert(certPath, keyPath string, names []string, ips []net.IP, now time.Time) (tls.Certificate, bool) {
	if checkKeyPerm(keyPath) != nil {
		return tls.Certificate{}, false
	}
	keyPEM, err := readFile(keyPath)
	if err != nil {
		return tls.Certificate{}, false
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return tls.Certificate{}, false
	}
	certPEM, err := readFile(certPath)
	if err != nil {
		return tls.Certificate{}, false
	}
	cert, err := parseCertPEM(certPEM)
	if err != nil || !sameKey(cert, key) || cert.NotAfter.Sub(now) < serverRenewal {
		return tls.Certificate{}, false
	}
	if !slices.Equal(cert.DNSNames, names) || !slices.EqualFunc(cert.IPAddresses, ips, net.IP.Equal) {
		return tls.Certificate{}, false
	}
	opts := x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if _, err := cert.Verify(opts); err != nil {
		return tls.Certificate{}, false
	}
	return ca.chain(cert, key), true
}

// issueServerCert issues a server certificate valid from now for validity
// and writes it and its key (key first: a crash in between leaves a
// mismatched pair, which cachedServerCert rejects).
func (ca *CA) issueServerCert(certPath, keyPath string, names []string, ips []net.IP, now time.Time, validity time.Duration) (tls.Certificate, error) {
	key, keyPEM, err := NewKey()
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	cn := "vigil agent gateway"
	if len(names) > 0 {
		cn = names[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              ca.clampNotAfter(now.Add(validity)),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: issue server certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: parse server certificate: %w", err)
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: write server key: %w", err)
	}
	if err := writeFileAtomic(certPath, encodePEM(pemCert, der), 0o644); err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: write server certificate: %w", err)
	}
	return ca.chain(cert, key), nil
}

// chain builds the tls.Certificate a server presents: leaf, then CA.
func (ca *CA) chain(leaf *x509.Certificate, key crypto.Signer) tls.Certificate {
	return tls.Certificate{
		Certificate: [][]byte{leaf.Raw, ca.cert.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}
}

// clampNotAfter keeps a certificate from outliving the CA that signs it.
func (ca *CA) clampNotAfter(t time.Time) time.Time {
	if t.After(ca.cert.NotAfter) {
		return ca.cert.NotAfter
	}
	return t
}

// splitHosts normalises hosts into sorted, de-duplicated DNS names and IP
// addresses. "[::1]" is taken as ::1; names are lower-cased without a
// trailing dot.
func splitHosts(hosts []string) ([]string, []net.IP, error) {
	var names []string
	var ips []net.IP
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
			h = h[1 : len(h)-1]
		}
		if ip := net.ParseIP(h); ip != nil {
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			ips = append(ips, ip)
			continue
		}
		name := strings.TrimSuffix(strings.ToLower(h), ".")
		if err := checkDNSName(name); err != nil {
			return nil, nil, err
		}
		names = append(names, name)
	}
	if len(names) == 0 && len(ips) == 0 {
		return nil, nil, errors.New("no host names or addresses given")
	}
	slices.Sort(names)
	names = slices.Compact(names)
	slices.SortFunc(ips, func(a, b net.IP) int { return strings.Compare(string(a), string(b)) })
	ips = slices.CompactFunc(ips, net.IP.Equal)
	return names, ips, nil
}

// checkDNSName accepts names made of letters, digits, '-', '.' and a
// leading "*." wildcard, at most 253 bytes.
func checkDNSName(name string) error {
	if name == "" {
		return errors.New("empty host name")
	}
	if len(name) > 253 {
		return fmt.Errorf("host name %.20q… is longer than 253 bytes", name)
	}
	rest := strings.TrimPrefix(name, "*.")
	for _, label := range strings.Split(rest, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("host name %q has an empty or over-long label", name)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("host name %q contains %q, not a letter, digit or '-'", name, r)
			}
		}
	}
	return nil
}
