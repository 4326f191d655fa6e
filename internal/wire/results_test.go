package wire

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

func goodBatch() ResultBatch {
	return ResultBatch{Seq: 42, Results: []MonitorResult{
		{MonitorID: "1", Result: checks.Result{At: testNow.Add(-time.Minute), Status: checks.StatusOK, LatencyMS: 12.5, Message: "200 OK", Values: map[string]float64{"status_code": 200}}},
		{MonitorID: "2", Result: checks.Result{At: testNow, Location: "web1", Status: checks.StatusProblem, Message: "disk / 97% full"}},
	}}
}

func manyValues(n int) map[string]float64 {
	v := make(map[string]float64, n)
	for i := range n {
		v[fmt.Sprintf("v%d", i)] = float64(i)
	}
	return v
}

func TestResultBatchValidateAt(t *testing.T) {
	r0 := func(m *ResultBatch) *checks.Result { return &m.Results[0].Result }
	tests := []struct {
		name  string
		mut   func(*ResultBatch)
		field string
	}{
		{"good", func(*ResultBatch) {}, ""},
		{"no seq", func(m *ResultBatch) { m.Seq = 0 }, "seq"},
		{"no results", func(m *ResultBatch) { m.Results = nil }, "results"},
		{"too many results", func(m *ResultBatch) { m.Results = make([]MonitorResult, MaxResultsPerBatch+1) }, "results"},
		{"no monitor id", func(m *ResultBatch) { m.Results[1].MonitorID = "" }, "results[1].monitor_id"},
		{"monitor id with slash", func(m *ResultBatch) { m.Results[1].MonitorID = "../1" }, "results[1].monitor_id"},
		{"no time", func(m *ResultBatch) { r0(m).At = time.Time{} }, "results[0].result.at"},
		{"time before 2000", func(m *ResultBatch) { r0(m).At = time.Unix(1, 0) }, "results[0].result.at"},
		{"time within skew", func(m *ResultBatch) { r0(m).At = testNow.Add(MaxClockSkew) }, ""},
		{"time beyond skew", func(m *ResultBatch) { r0(m).At = testNow.Add(MaxClockSkew + time.Second) }, "results[0].result.at"},
		{"old time", func(m *ResultBatch) { r0(m).At = testNow.AddDate(-1, 0, 0) }, ""},
		{"no status", func(m *ResultBatch) { r0(m).Status = "" }, "results[0].result.status"},
		{"status unknown", func(m *ResultBatch) { r0(m).Status = checks.StatusUnknown }, "results[0].result.status"},
		{"status paused", func(m *ResultBatch) { r0(m).Status = checks.StatusPaused }, "results[0].result.status"},
		{"status warning", func(m *ResultBatch) { r0(m).Status = checks.StatusWarning }, ""},
		{"negative latency", func(m *ResultBatch) { r0(m).LatencyMS = -1 }, "results[0].result.latency_ms"},
		{"latency nan", func(m *ResultBatch) { r0(m).LatencyMS = math.NaN() }, "results[0].result.latency_ms"},
		{"latency inf", func(m *ResultBatch) { r0(m).LatencyMS = math.Inf(1) }, "results[0].result.latency_ms"},
		{"latency too high", func(m *ResultBatch) { r0(m).LatencyMS = MaxLatencyMS + 1 }, "results[0].result.latency_ms"},
		{"longest message", func(m *ResultBatch) { r0(m).Message = repeat("m", MaxMessageLen) }, ""},
		{"message with lines", func(m *ResultBatch) { r0(m).Message = "sshd: failed\nsshd: failed" }, ""},
		{"message too long", func(m *ResultBatch) { r0(m).Message = repeat("m", MaxMessageLen+1) }, "results[0].result.message"},
		{"message bad utf-8", func(m *ResultBatch) { r0(m).Message = "\xc3" }, "results[0].result.message"},
		{"location too long", func(m *ResultBatch) { r0(m).Location = repeat("l", MaxLocationLen+1) }, "results[0].result.location"},
		{"most values", func(m *ResultBatch) { r0(m).Values = manyValues(MaxValues) }, ""},
		{"too many values", func(m *ResultBatch) { r0(m).Values = manyValues(MaxValues + 1) }, "results[0].result.values"},
		{"empty value key", func(m *ResultBatch) { r0(m).Values = map[string]float64{"": 1} }, "results[0].result.values"},
		{"value key too long", func(m *ResultBatch) { r0(m).Values = map[string]float64{repeat("k", MaxValueKeyLen+1): 1} }, "results[0].result.values"},
		{"value key with space", func(m *ResultBatch) { r0(m).Values = map[string]float64{"a b": 1} }, "results[0].result.values"},
		{"value nan", func(m *ResultBatch) { r0(m).Values = map[string]float64{"x": math.NaN()} }, "results[0].result.values.x"},
		{"value inf", func(m *ResultBatch) { r0(m).Values = map[string]float64{"x": math.Inf(-1)} }, "results[0].result.values.x"},
		{"value huge", func(m *ResultBatch) { r0(m).Values = map[string]float64{"x": 2 * MaxValue} }, "results[0].result.values.x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := goodBatch()
			tc.mut(&m)
			wantField(t, m.ValidateAt(testNow), tc.field)
		})
	}
}

func TestResultAckValidate(t *testing.T) {
	tests := []struct {
		name  string
		ack   ResultAck
		field string
	}{
		{"good", ResultAck{Seq: 1, Accepted: 9, Dropped: 1}, ""},
		{"resend of nothing new", ResultAck{Seq: 7}, ""},
		{"full batch", ResultAck{Seq: 1, Accepted: MaxResultsPerBatch}, ""},
		{"no seq", ResultAck{Accepted: 1}, "seq"},
		{"negative accepted", ResultAck{Seq: 1, Accepted: -1}, "accepted"},
		{"negative dropped", ResultAck{Seq: 1, Dropped: -1}, "dropped"},
		{"more than a batch", ResultAck{Seq: 1, Accepted: MaxResultsPerBatch, Dropped: 1}, "dropped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantField(t, tc.ack.Validate(), tc.field)
		})
	}
}

func TestErrorValidate(t *testing.T) {
	tests := []struct {
		name  string
		e     Error
		field string
	}{
		{"good", Error{Message: "This join token has expired.", Code: CodeTokenExpired}, ""},
		{"with field", Error{Message: "bad", Code: CodeBadRequest, Field: "results[0].result.status"}, ""},
		{"future code", Error{Message: "slow down", Code: "rate_limited"}, ""},
		{"no message", Error{Code: CodeInternal}, "error"},
		{"message too long", Error{Message: repeat("e", MaxMessageLen+1), Code: CodeInternal}, "error"},
		{"no code", Error{Message: "x"}, "code"},
		{"code uppercase", Error{Message: "x", Code: "Revoked"}, "code"},
		{"field with control", Error{Message: "x", Code: CodeBadRequest, Field: "a\x00"}, "field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantField(t, tc.e.Validate(), tc.field)
		})
	}
}

func TestStatusAndPermanent(t *testing.T) {
	tests := []struct {
		code      string
		status    int
		permanent bool
	}{
		{CodeBadRequest, http.StatusBadRequest, false},
		{CodeTokenInvalid, http.StatusForbidden, true},
		{CodeTokenExpired, http.StatusForbidden, true},
		{CodeTokenUsedUp, http.StatusForbidden, true},
		{CodeTokenRevoked, http.StatusForbidden, true},
		{CodeRevoked, http.StatusForbidden, true},
		{CodeUnknownAgent, http.StatusForbidden, true},
		{CodeTooLarge, http.StatusRequestEntityTooLarge, false},
		{CodeUnavailable, http.StatusServiceUnavailable, false},
		{CodeInternal, http.StatusInternalServerError, false},
		{"rate_limited", http.StatusInternalServerError, false},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if got := Status(tc.code); got != tc.status {
				t.Errorf("Status = %d, want %d", got, tc.status)
			}
			if got := Permanent(tc.code); got != tc.permanent {
				t.Errorf("Permanent = %v, want %v", got, tc.permanent)
			}
		})
	}
}
