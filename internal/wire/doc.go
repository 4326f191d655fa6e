// Package wire defines the messages between an agent and the server's
// agent gateway, their limits, and how they are read and written. The
// server and the agent share this package and nothing else.
//
// # Transport
//
// HTTPS on the gateway (--agent-listen), TLS 1.3, JSON bodies, paths under
// /agent/v1/. Every request is a POST whose body is one message read with
// Decode under its Max*Body cap; every answer is one message written with
// Encode, or 204 with no body. Decode refuses unknown fields, so adding a
// field to a request is a new version path (/agent/v2/), served beside v1
// while old agents remain. Any non-2xx answer carries an Error, whose Code
// says what to do (see the Code constants, Status and Permanent).
//
// # Join (PathJoin)
//
// The join token carries a token id, a secret and the SHA-256 fingerprint
// of the server's CA. The agent connects without a client certificate and
// first checks that the server's chain ends in a CA with that fingerprint,
// closing the connection before sending anything if not. Then it sends a
// JoinRequest: the token id and secret, a CSR for a key it made (kept 0600
// under --state), and its name, hostname, OS, architecture and version.
// The server checks the token (stored hashed; unexpired, uses left, not
// revoked), uses it up once, records the agent, signs the CSR with the CA
// and answers 201 with a JoinResponse: the agent's id, its client
// certificate and the CA bundle the agent trusts from then on. A bad token
// is 403 with CodeTokenInvalid, CodeTokenExpired, CodeTokenUsedUp or
// CodeTokenRevoked; the agent reports it and exits non-zero. Only
// PathJoin accepts a connection without a client certificate.
//
// # Identity and revocation
//
// After joining, every request carries the agent's client certificate;
// the certificate is the agent's identity (the server never trusts an id
// in a body). The server checks its revocation set on every request: a
// revoked agent is answered 403 with CodeRevoked, and an agent that gets
// it stops polling and sending and says so in its log. A certificate that
// names no agent the server knows is 403 CodeUnknownAgent.
//
// # Assignments and heartbeat (PathAssignments)
//
// The agent long-polls with a Poll: its version, hostname, OS, arch, its
// clock, its spool statistics, and the AssignmentsVersion it runs (empty
// at first). Every Poll is a heartbeat: the server records last seen, the
// agent's address and facts. If the server's version of this agent's
// assignments differs from AssignmentsVersion, it answers at once 200
// with Assignments, the complete list of monitors the agent runs (a
// monitor not in it is stopped); else it holds the request until the
// assignments change or Assignments.Wait passes, and answers 204. The
// agent polls again at once after either answer, with a request timeout
// above Wait; so a live agent is never silent for much more than Wait,
// and the server shows it offline after two Waits (two missed heartbeats)
// plus a margin. The agent refuses, per monitor, a type it does not run or
// settings the checks registry refuses, and runs the rest.
//
// # Results (PathResults)
//
// The agent spools every result on disk as it is produced, then sends
// spooled results oldest first in a ResultBatch numbered by Seq (1, 2, …,
// kept with the spool, never reused). The server validates the batch,
// hands it to the ingest queue, and answers 200 with a ResultAck only
// after the batch is committed to the store: an acknowledged result is
// never lost. Only then does the agent delete the batch from its spool.
// Without an ack (timeout, connection lost, 5xx) the agent resends the
// same batch with the same Seq, and the ack names the Seq it answers.
// Resending is idempotent: the store drops a result not newer than the
// last stored one of its monitor and location, so committing a batch twice
// stores it once (the second ack counts those results as Dropped). The
// server may also answer a resend of an agent's last committed Seq from
// memory without committing again. It must not refuse or skip a Seq lower
// than one it saw: an agent whose spool was reset starts again at 1. A
// batch answered 400 CodeBadRequest will never be accepted: the agent
// drops it, counting its results in SpoolStats.Dropped. A result's time
// must not lie more than MaxClockSkew ahead of the server's clock; the
// agent validates each batch against its own clock before sending
// (ValidateAt), and the server shows the skew it sees in Poll.Time.
//
// # Renewal (PathRenew)
//
// Client certificates are short-lived. Well before expiry (at two thirds
// of its life) the agent makes a new key and sends a RenewRequest with its
// CSR over mutual TLS with the current certificate; the server signs it
// for the same agent and answers 200 with a RenewResponse. The agent
// switches to the new key and certificate only after writing both.
//
// # File integrity (PathFIMReport)
//
// Assignments.FIM lists the file-integrity policies the agent scans (a
// policy not in it is forgotten: the agent drops its local baseline). The
// agent keeps, per policy, a baseline of every object under the policy's
// paths in a local store under --state, and scans when the policy's
// Interval has passed since its last completed scan, or when ScanRequest
// exceeds the last one it acted on ("scan now"); one scan at a time per
// agent. A scan is numbered per policy from 1 and sends its findings in
// FIMReports numbered by Seq from 1, the last one with Done set; a report
// with no change still carries Progress, at least every few seconds while
// the scan runs. The server answers 200 with a FIMAck naming the policy,
// Scan and Seq only after it committed the report; only then does the
// agent apply the report to its baseline, so a report lost on the way is
// found again by the next scan. A resend of a committed (Scan, Seq) must be
// acknowledged without applying it twice. The first scan of a policy, and
// the first after its Revision changed, is a baseline: every object comes
// as an added change with Baseline set, and report 1 tells the server to
// drop what it held for this policy and agent; the server records no
// change from it. A baseline interrupted (agent stopped) starts over as a
// new baseline scan; an interrupted normal scan starts a new scan. A
// report that would exceed MaxFIMReportBody is split by the agent into
// several reports. A policy no longer assigned to the agent is answered
// 410 CodePolicyGone: the agent stops that policy's scan and does not
// resend. Transport errors and 5xx are retried with backoff while the scan
// waits.
//
// # Retries
//
// The agent retries transport errors, 5xx and 503 CodeUnavailable with
// exponential backoff and jitter, keeps running its checks meanwhile, and
// never retries an Error whose Code is Permanent.
package wire
