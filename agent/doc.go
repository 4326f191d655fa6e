// Package agent is the runtime of `vigil agent`: it joins a Vigil server
// with a join token, then runs the monitors the server assigns to it and
// sends their results back, over mutual TLS only.
//
// # State
//
// Everything the agent keeps lives in its state directory (--state, mode
// 0700): agent.key (0600, its private key), agent.crt (its client
// certificate), ca.crt (the server's CA), identity.json (agent id, name,
// server URL and the CA's fingerprint) and spool/ (undelivered results, see
// package agent/spool). identity.json is written last, so a directory
// without it has not joined.
//
// # Joining
//
// On the first start the agent parses the join token, connects with
// pki.PinnedClientConfig(token fingerprint), so the server proves it holds
// a certificate from the pinned CA before the secret is sent, and posts a
// wire.JoinRequest with a CSR for a fresh key. A refused token, a server
// whose CA does not match the pin and an unreachable server are each a
// clear error: Run returns it and main exits non-zero. A later start
// ignores a token and uses the saved identity.
//
// # Running
//
// After joining, four loops run until the context ends:
//
//   - poll: the long-poll for assignments (also the heartbeat); each new
//     Assignments is turned into scheduler jobs with the checks registry,
//     skipping (and logging) a type or settings it refuses;
//   - the scheduler, whose sink appends each result to the spool;
//   - delivery: sends the spool's oldest results as a wire.ResultBatch and
//     acknowledges them in the spool only after the server's ResultAck;
//   - renew: replaces the client certificate when a third of its life, or
//     30 days, is left, whichever comes first.
//
// Each loop retries transport errors and 5xx answers with exponential
// backoff and jitter. A revoked (or unknown) agent stops: Run returns an
// error saying so.
//
// # Batch numbers
//
// A batch's Seq is the spool sequence number of its last result. Spool
// numbers only grow for the life of the directory, so batch numbers do
// too, and a Seq always names the same results: the spool's unacknowledged
// records up to that number. A batch that loses its ack is resent
// unchanged with the same Seq.
package agent
