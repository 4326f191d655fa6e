// Package gateway is the server's agent gateway: the HTTPS endpoint on
// --agent-listen that agents join through and then talk to over mutual
// TLS, speaking the protocol of internal/wire.
//
// # Trust
//
// [Gateway.TLSConfig] asks for a client certificate but does not demand
// one in the handshake (tls.VerifyClientCertIfGiven), because a joining
// agent has none yet; a certificate that is given must chain to the
// server's CA for ClientAuth, or the handshake fails. Every path except
// wire.PathJoin then demands a verified certificate and checks, on every
// request:
//
//   - its serial is not in the in-memory revoked set (loaded from the
//     store when Serve starts and grown by [Gateway.Revoke]);
//   - its CN names an agent the store knows, which is not revoked (so a
//     revocation holds even if Revoke was never called);
//   - its serial is that agent's current certificate or one the agent's
//     renewal replaced, so a certificate from a join that failed half way
//     identifies nobody.
//
// The agent id is only ever taken from the certificate, never from a body.
//
// # Handlers
//
// One per file: join.go, renew.go, poll.go (the long-poll for assignments,
// which is also the heartbeat) and results.go. Every answer is a wire
// message or, for a non-2xx status, a wire.Error with its code.
//
// Results are acknowledged only after Config.Commit returned, which the
// server makes return only once the batch is on disk (it joins other
// agents' batches in one group-committed transaction). One agent's
// batches are committed one at a time, so a resend racing the original
// cannot reorder a location's series.
//
// Each agent's assignments are asked of Config.Assignments once and kept
// until [Gateway.Notify], so neither a results batch nor a poll walks
// every monitor.
//
// # Presence
//
// Each poll records the agent as seen, in memory: [Gateway.Online] and
// [Gateway.LastSeen] answer from there. The heartbeats are written to the
// store for all agents in one transaction every HeartbeatFlush and when
// Serve stops, not one fsync per poll; after a crash the stored last-seen
// time may be that much older. An agent's facts (hostname, OS, version)
// are written at once when a poll reports a change. [Gateway.Online]
// deems an agent offline once no poll arrived for two PollWaits plus a
// margin: two missed heartbeats.
package gateway
