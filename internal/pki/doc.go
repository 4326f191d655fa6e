// Package pki is the server's built-in certificate authority and the small
// amount of key and certificate handling the agent needs to join it.
//
// # The CA
//
// [LoadOrCreate] keeps an ECDSA P-256 CA under the server's data directory
// (ca.crt, and ca.key with mode 0600). A key file that group or others can
// read is refused with an error naming the file and the fix (chmod 600): the
// package does not tighten it silently, because a loose key may already have
// been copied, and that is for the operator to judge. The CA issues two kinds
// of leaf certificate:
//
//   - the agent gateway's TLS server certificate ([CA.ServerCertificate]),
//     ExtKeyUsage ServerAuth only, cached as server.crt/server.key and
//     reissued when fewer than 30 days remain or the host names change;
//   - agents' client certificates ([CA.SignAgentCSR]), ExtKeyUsage ClientAuth
//     only, Subject CN = agent id, a random 128-bit serial ([SerialString]
//     gives the form used for revocation).
//
// Because the EKUs are disjoint, an agent that holds a client certificate
// cannot pose as the server to other agents, and the server certificate is
// useless as a client certificate.
//
// # How an agent trusts the server: the pin
//
// A join token carries the CA's SHA-256 fingerprint ([CA.Fingerprint]). The
// agent must trust exactly that CA from the very first connection, before it
// sends the token's secret. Two designs were possible:
//
//  1. fetch the CA certificate over an unverified connection, check its
//     fingerprint against the pin, build an [x509.CertPool] from it, and then
//     make a second, normally verified connection with that pool;
//  2. verify the server's chain in the handshake itself against the CA
//     certificate the server presents, accepted only if its fingerprint equals
//     the pin.
//
// This package implements (2), because (1) has an unverified step that a
// caller can easily get wrong (use the fetched data before checking it, or
// reuse the unverified connection). The gateway's [tls.Certificate] from
// [CA.ServerCertificate] therefore carries the chain leaf + CA certificate.
//
// Use [PinnedClientConfig]: it returns a complete *tls.Config (TLS 1.3 only)
// whose VerifyConnection check runs on every connection, resumed or not, and
// which refuses a malformed pin up front. It sets InsecureSkipVerify only
// because Go's default verification would use the system roots; the pinned
// check replaces it, never adds to it. Add the agent's client certificate to
// Certificates after joining and otherwise leave the config alone; in
// particular never clear VerifyConnection.
//
// [PinnedVerifier] is the same check shaped for tls.Config's
// VerifyPeerCertificate, for callers that must build their own config. Such a
// config must set InsecureSkipVerify, must not set a ClientSessionCache (Go
// does not call VerifyPeerCertificate on resumed sessions) and must check the
// error of PinnedVerifier's returned function — which it does by using it
// as the callback. Prefer PinnedClientConfig.
//
// The pinned check: the presented chain must contain a certificate whose
// SHA-256 equals the pin, that certificate must be a CA, and the leaf must
// verify up to it (other presented certificates serve as intermediates) for
// ServerAuth at the current time. Presenting the (public) pinned CA
// certificate next to a leaf from some other CA therefore fails. The host
// name is not checked: the pinned CA is private to one Vigil server and issues
// server certificates to that server only, and agents often reach the server
// under names (NAT, tunnels) that the server cannot know.
//
// After joining, an agent keeps using the same pin; the server keeps
// presenting the same CA, so no second trust mechanism is needed.
package pki
