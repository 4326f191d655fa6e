package wire

import "net/http"

// The paths of the agent gateway. Every request is a POST with a JSON body
// and every answer is JSON (or 204 with none); see the package doc for
// who sends what.
const (
	PathJoin        = "/agent/v1/join"
	PathAssignments = "/agent/v1/assignments"
	PathResults     = "/agent/v1/results"
	PathRenew       = "/agent/v1/renew"
	PathFIMReport   = "/agent/v1/fim/report"
)

// Caps on request and response bodies, for Decode. A body over its cap is
// refused whole (413 on the server).
const (
	MaxJoinBody        = 64 << 10 // JoinRequest, JoinResponse, RenewRequest, RenewResponse
	MaxPollBody        = 32 << 10 // Poll
	MaxResultsBody     = 4 << 20  // ResultBatch
	MaxAssignmentsBody = 8 << 20  // Assignments
	MaxAckBody         = 4 << 10  // ResultAck, FIMAck
	MaxFIMReportBody   = 4 << 20  // FIMReport
	MaxErrorBody       = 8 << 10  // Error
)

// MaxResultsPerBatch caps the results in one ResultBatch. At the cap a
// batch that fits MaxResultsBody averages 2 KiB per result: room for a
// full message and a few values. An agent draining a large spool splits
// it into batches that fit both caps.
const MaxResultsPerBatch = 2000

// MaxAssignments caps the monitors in one Assignments.
const MaxAssignments = 10000

// Error codes, in Error.Code. New codes may be added in v1: an agent that
// does not know a code acts on the HTTP status alone.
const (
	CodeBadRequest   = "bad_request"   // 400: the body failed Decode; do not resend it unchanged
	CodeTokenInvalid = "token_invalid" // 403 at join: unknown token id or wrong secret
	CodeTokenExpired = "token_expired" // 403 at join
	CodeTokenUsedUp  = "token_used_up" // 403 at join: no uses left
	CodeTokenRevoked = "token_revoked" // 403 at join
	CodeRevoked      = "revoked"       // 403 after join: this agent was revoked; stop for good
	CodeUnknownAgent = "unknown_agent" // 403 after join: the certificate names no agent the server knows
	CodeTooLarge     = "too_large"     // 413: the body exceeded its Max*Body
	CodeUnavailable  = "unavailable"   // 503: shutting down or overloaded; retry with backoff
	CodeInternal     = "internal"      // 500: retry with backoff
	CodePolicyGone   = "policy_gone"   // 410 on PathFIMReport: the policy is no longer assigned to this agent; stop its scan
)

// Error is the body of every non-2xx answer of the agent gateway. It is
// also a Go error, so an agent can return it and callers use errors.As.
type Error struct {
	Message string `json:"error"`           // a sentence a person understands
	Code    string `json:"code"`            // one of the Code constants
	Field   string `json:"field,omitempty"` // the bad field, with CodeBadRequest
}

// Error returns the message with its code.
func (e *Error) Error() string { return e.Message + " (" + e.Code + ")" }

// Validate checks the message and the shape of the code; an unknown code
// is accepted so that codes can be added.
func (e *Error) Validate() error {
	if err := checkText("error", e.Message, MaxMessageLen, true); err != nil {
		return err
	}
	if err := checkToken("code", e.Code, MaxCodeLen, isCodeByte, "lowercase letters, digits and '_'"); err != nil {
		return err
	}
	return checkText("field", e.Field, MaxNameLen, false)
}

// Status returns the HTTP status the server answers code with; an unknown
// code is 500.
func Status(code string) int {
	switch code {
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeTokenInvalid, CodeTokenExpired, CodeTokenUsedUp, CodeTokenRevoked, CodeRevoked, CodeUnknownAgent:
		return http.StatusForbidden
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	case CodePolicyGone:
		return http.StatusGone
	}
	return http.StatusInternalServerError
}

// Permanent reports whether an agent must not retry after an Error with
// this code: resending the same request can only fail the same way.
func Permanent(code string) bool {
	switch code {
	case CodeTokenInvalid, CodeTokenExpired, CodeTokenUsedUp, CodeTokenRevoked, CodeRevoked, CodeUnknownAgent, CodePolicyGone:
		return true
	}
	return false
}
