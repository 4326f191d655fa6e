// Package auth holds the server's authentication primitives: password
// hashing (argon2id in PHC format) and policy, random session and API
// tokens stored only as SHA-256 hashes, the one-time setup code, CSRF
// tokens, and a bounded rate limiter for sign-in attempts.
//
// It has no HTTP handlers and no storage: the server composes these with
// the store. CSRF is defended twice: the server wraps its mux with
// http.NewCrossOriginProtection (Go 1.25+), which refuses cross-origin
// state-changing requests by their Sec-Fetch-Site and Origin headers, and
// every form also carries the session's CSRF token, checked with
// ValidCSRF, for browsers that send neither header.
package auth
