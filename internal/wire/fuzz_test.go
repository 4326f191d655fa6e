package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// The fuzz targets feed arbitrary bodies to Decode for every message. A
// body must be refused with ErrTooLarge or ErrMalformed, or decode into a
// valid message that Encode writes and Decode reads back to the same
// bytes. Nothing may panic. Seeds: the valid messages of the tests, a few
// hostile ones below, and the corpus under testdata/fuzz/.

// fuzzSeeds are bodies every target starts from besides its own message.
var fuzzSeeds = []string{
	"", "null", "{}", "[]", `"x"`, "{} {}", `{"seq":1}x`,
	`{"seq":1,"results":[{}, {}]}`,
	`{"seq":1,"results":[{"monitor_id":"1","result":{"values":{"a":1},"VALUES":{"b":2}}}]}`,
	`{"version":"a","wait":"30s","monitors":[{"id":"1","type":"cpu","interval":"10s","timeout":"1s","settings":{"a":[1,{"b":null}]}}]}`,
}

// fuzzDecode runs the property for message type T.
func fuzzDecode[T any, PT interface {
	*T
	Validator
}](f *testing.F, max int64, good ...Validator) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, m := range good {
		b, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		first := PT(new(T))
		err := Decode(bytes.NewReader(body), max, first)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrTooLarge", err)
			}
			return
		}
		var enc1 bytes.Buffer
		if err := Encode(&enc1, first); err != nil {
			t.Fatalf("decoded message does not encode: %v\nbody %q", err, body)
		}
		second := PT(new(T))
		if err := Decode(bytes.NewReader(enc1.Bytes()), max, second); err != nil {
			t.Fatalf("encoded message does not decode: %v\nencoded %q", err, enc1.Bytes())
		}
		var enc2 bytes.Buffer
		if err := Encode(&enc2, second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc1.Bytes(), enc2.Bytes()) {
			t.Fatalf("round trip not stable:\n%s\n%s", enc1.Bytes(), enc2.Bytes())
		}
	})
}

func FuzzDecodeJoinRequest(f *testing.F) {
	m := goodJoin()
	fuzzDecode[JoinRequest](f, MaxJoinBody, &m)
}

func FuzzDecodeJoinResponse(f *testing.F) {
	fuzzDecode[JoinResponse](f, MaxJoinBody, &JoinResponse{AgentID: "3", Name: "web1", Certificate: pems().cert, CA: pems().ca})
}

func FuzzDecodeRenewRequest(f *testing.F) {
	fuzzDecode[RenewRequest](f, MaxJoinBody, &RenewRequest{CSR: pems().csr})
}

func FuzzDecodeRenewResponse(f *testing.F) {
	fuzzDecode[RenewResponse](f, MaxJoinBody, &RenewResponse{Certificate: pems().cert + pems().ca})
}

func FuzzDecodePoll(f *testing.F) {
	m := goodPoll()
	fuzzDecode[Poll](f, MaxPollBody, &m)
}

func FuzzDecodeAssignments(f *testing.F) {
	m := goodAssignments()
	fuzzDecode[Assignments](f, MaxAssignmentsBody, &m, &Assignments{Version: "0", Wait: Duration(MinWait)})
}

func FuzzDecodeResultBatch(f *testing.F) {
	m := goodBatch()
	fuzzDecode[ResultBatch](f, MaxResultsBody, &m)
}

func FuzzDecodeResultAck(f *testing.F) {
	fuzzDecode[ResultAck](f, MaxAckBody, &ResultAck{Seq: 1, Accepted: 3, Dropped: 2})
}

func FuzzDecodeError(f *testing.F) {
	fuzzDecode[Error](f, MaxErrorBody, &Error{Message: "This join token was used up.", Code: CodeTokenUsedUp}, &Error{Message: "bad", Code: CodeBadRequest, Field: "csr"})
}
