package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// liveBatch is goodBatch with times near the real clock, for Decode,
// which validates at time.Now.
func liveBatch() ResultBatch {
	m := goodBatch()
	now := time.Now().UTC()
	m.Results[0].Result.At = now.Add(-time.Minute)
	m.Results[1].Result.At = now
	return m
}

// messages returns one valid value of every message, and a fresh zero
// value of its type to decode into.
func messages() []struct {
	name string
	msg  Validator
	zero func() Validator
} {
	join, poll, asg, batch := goodJoin(), goodPoll(), goodAssignments(), liveBatch()
	type entry = struct {
		name string
		msg  Validator
		zero func() Validator
	}
	return []entry{
		{"JoinRequest", &join, func() Validator { return new(JoinRequest) }},
		{"JoinResponse", &JoinResponse{AgentID: "3", Name: "web1", Certificate: pems().cert, CA: pems().ca}, func() Validator { return new(JoinResponse) }},
		{"RenewRequest", &RenewRequest{CSR: pems().csr}, func() Validator { return new(RenewRequest) }},
		{"RenewResponse", &RenewResponse{Certificate: pems().cert}, func() Validator { return new(RenewResponse) }},
		{"Poll", &poll, func() Validator { return new(Poll) }},
		{"Assignments", &asg, func() Validator { return new(Assignments) }},
		{"ResultBatch", &batch, func() Validator { return new(ResultBatch) }},
		{"ResultAck", &ResultAck{Seq: 42, Accepted: 1, Dropped: 1}, func() Validator { return new(ResultAck) }},
		{"Error", &Error{Message: "This agent was revoked.", Code: CodeRevoked}, func() Validator { return new(Error) }},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range messages() {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, tc.msg); err != nil {
				t.Fatal(err)
			}
			got := tc.zero()
			if err := Decode(&buf, 1<<20, got); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.msg) {
				t.Fatalf("round trip changed the message:\n got %#v\nwant %#v", got, tc.msg)
			}
		})
	}
}

// TestResultFieldsKnown fails when checks.Result gains a field this
// package's strict decoding of results does not carry.
func TestResultFieldsKnown(t *testing.T) {
	r := checks.Result{At: time.Now().UTC(), Location: "x", Status: checks.StatusOK, LatencyMS: 1, Message: "m", Values: map[string]float64{"a": 1}}
	for f := range reflect.TypeFor[checks.Result]().Fields() {
		if reflect.ValueOf(r).FieldByIndex(f.Index).IsZero() {
			t.Errorf("test result leaves checks.Result.%s unset: set it so the round trip covers it", f.Name)
		}
	}
	in := ResultBatch{Seq: 1, Results: []MonitorResult{{MonitorID: "1", Result: r}}}
	var buf bytes.Buffer
	if err := Encode(&buf, &in); err != nil {
		t.Fatal(err)
	}
	var out ResultBatch
	if err := Decode(&buf, MaxResultsBody, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("got %#v, want %#v", out, in)
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	var buf bytes.Buffer
	err := Encode(&buf, &ResultAck{})
	wantField(t, err, "seq")
	if buf.Len() != 0 {
		t.Fatalf("wrote %q for an invalid message", buf.String())
	}
}

func TestDecodeLimit(t *testing.T) {
	for _, tc := range messages() {
		t.Run(tc.name, func(t *testing.T) {
			data, err := json.Marshal(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			n := int64(len(data))
			if err := Decode(bytes.NewReader(data), n, tc.zero()); err != nil {
				t.Fatalf("exactly the limit: %v", err)
			}
			err = Decode(bytes.NewReader(data), n-1, tc.zero())
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("one byte over the limit: got %v, want ErrTooLarge", err)
			}
		})
	}
}

// endless is a reader that never ends, counting what was read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestDecodeReadsNoMoreThanLimit(t *testing.T) {
	r := &endless{}
	err := Decode(r, MaxJoinBody, new(JoinRequest))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if r.n > MaxJoinBody+1 {
		t.Fatalf("read %d bytes, limit %d", r.n, MaxJoinBody)
	}
	if err := Decode(strings.NewReader("{}"), 0, new(ResultAck)); err == nil {
		t.Fatal("a zero limit was accepted")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestDecodeReadError(t *testing.T) {
	err := Decode(failingReader{}, 100, new(ResultAck))
	if err == nil || errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want a read error that is neither malformed nor too large", err)
	}
}
