package wire

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

// Bodies of the malformed-input tests, built from valid ones.
var (
	okAck    = `{"seq":1,"accepted":1,"dropped":0}`
	okResult = func(extra string) string {
		at := time.Now().UTC().Format(time.RFC3339Nano)
		return `{"monitor_id":"1","result":{"at":"` + at + `","location":"","status":"ok","latency_ms":1,"message":""` + extra + `}}`
	}
	okMonitor = `{"id":"1","type":"cpu","target":"","interval":"10s","timeout":"5s"}`
)

func batchOf(results ...string) string {
	return `{"seq":1,"results":[` + strings.Join(results, ",") + `]}`
}

func assignmentsOf(monitors ...string) string {
	return `{"version":"a1","wait":"30s","monitors":[` + strings.Join(monitors, ",") + `]}`
}

func valuesJSON(prefix string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"%s%d":%d`, prefix, i, i)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name string
		zero func() Validator
		body string
		want string // substring of the error; "" for none
	}{
		{"valid ack", func() Validator { return new(ResultAck) }, okAck, ""},
		{"valid ack with space around", func() Validator { return new(ResultAck) }, "\n " + okAck + " \r\n", ""},
		{"valid batch", func() Validator { return new(ResultBatch) }, batchOf(okResult(""), okResult(`,"values":{"a":1}`)), ""},
		{"valid assignments", func() Validator { return new(Assignments) }, assignmentsOf(okMonitor), ""},
		{"null monitors", func() Validator { return new(Assignments) }, `{"version":"a1","wait":"30s","monitors":null}`, ""},
		{"empty body", func() Validator { return new(ResultAck) }, "", "empty body"},
		{"only space", func() Validator { return new(ResultAck) }, "  \n", "empty body"},
		{"null", func() Validator { return new(ResultAck) }, "null", "seq: must be at least 1"},
		{"array", func() Validator { return new(ResultAck) }, "[]", "must be an object"},
		{"number", func() Validator { return new(Poll) }, "5", "must be an object"},
		{"truncated", func() Validator { return new(ResultAck) }, `{"seq":1`, "truncated JSON"},
		{"syntax error", func() Validator { return new(ResultAck) }, `{"seq":1,}`, "invalid JSON"},
		{"trailing garbage", func() Validator { return new(ResultAck) }, okAck + "x", "trailing data"},
		{"second message", func() Validator { return new(ResultAck) }, okAck + okAck, "trailing data"},
		{"unknown field", func() Validator { return new(JoinRequest) }, `{"token_id":"t","admin":true}`, `unknown field "admin"`},
		{"unknown field in batch", func() Validator { return new(ResultBatch) }, `{"seq":1,"agent_id":"7","results":[]}`, `unknown field "agent_id"`},
		{"unknown field in a result", func() Validator { return new(ResultBatch) }, batchOf(`{"monitor_id":"1","x":1}`), `results[0]: unknown field "x"`},
		{"unknown field inside result", func() Validator { return new(ResultBatch) }, batchOf(okResult(`,"shell":"rm"`)), `results[0].result: unknown field "shell"`},
		{"unknown field in a monitor", func() Validator { return new(Assignments) }, assignmentsOf(okMonitor, `{"id":"2","command":"rm -rf /"}`), `monitors[1]: unknown field "command"`},
		{"unknown field in poll spool", func() Validator { return new(Poll) }, `{"spool":{"records":1,"files":2}}`, `unknown field "files"`},
		{"seq is a string", func() Validator { return new(ResultAck) }, `{"seq":"1"}`, "seq: must be a whole number"},
		{"seq negative", func() Validator { return new(ResultAck) }, `{"seq":-1}`, "seq: must be a whole number"},
		{"results not a list", func() Validator { return new(ResultBatch) }, `{"seq":1,"results":{}}`, "results: must be an array"},
		{"result not an object", func() Validator { return new(ResultBatch) }, batchOf(`7`), "results[0]: must be an object"},
		{"status a number", func() Validator { return new(ResultBatch) }, batchOf(`{"monitor_id":"1","result":{"status":5}}`), "results[0].result.status: must be a string"},
		{"status invalid", func() Validator { return new(ResultBatch) }, batchOf(okResult(`,"status":"fine"`)), "results[0].result.status: must be ok, warning or problem"},
		{"values not an object", func() Validator { return new(ResultBatch) }, batchOf(okResult(`,"values":[1]`)), "results[0].result.values: must be an object"},
		{"value a string", func() Validator { return new(ResultBatch) }, batchOf(okResult(`,"values":{"a":"1"}`)), "results[0].result.values: must be a number"},
		{"most values", func() Validator { return new(ResultBatch) }, batchOf(okResult(`,"values":` + valuesJSON("k", MaxValues))), ""},
		{"too many values", func() Validator { return new(ResultBatch) }, batchOf(okResult(`,"values":` + valuesJSON("k", MaxValues+1))), "results[0].result.values: must hold at most 64 keys"},
		{"values split over two keys", func() Validator { return new(ResultBatch) },
			batchOf(okResult(`,"values":` + valuesJSON("a", 40) + `,"VALUES":` + valuesJSON("b", 40))), "result.values: must hold at most 64 keys"},
		{"too many results", func() Validator { return new(ResultBatch) }, batchOf(strings.Split(strings.Repeat("{},", MaxResultsPerBatch+1), ",")[:MaxResultsPerBatch+1]...), "results: must hold at most 2000 elements"},
		{"interval a number", func() Validator { return new(Assignments) }, assignmentsOf(`{"id":"1","interval":30}`), `monitors[0].interval: must be a non-negative duration string such as "30s"`},
		{"interval negative", func() Validator { return new(Assignments) }, assignmentsOf(`{"id":"1","interval":"-5s"}`), "monitors[0].interval: must be a non-negative duration"},
		{"wait not a duration", func() Validator { return new(Assignments) }, `{"version":"a","wait":"soon"}`, "wait: must be a non-negative duration"},
		{"timeout above interval", func() Validator { return new(Assignments) }, assignmentsOf(`{"id":"1","type":"cpu","interval":"10s","timeout":"11s"}`), "monitors[0].timeout: must not be longer than the interval (10s), is 11s"},
		{"too many monitors", func() Validator { return new(Assignments) }, assignmentsOf(strings.Split(strings.Repeat("{},", MaxAssignments+1), ",")[:MaxAssignments+1]...), "monitors: must hold at most 10000 elements"},
		{"bad time", func() Validator { return new(Poll) }, `{"time":"yesterday"}`, `a time must be written as RFC 3339, not "yesterday"`},
		{"result from the future", func() Validator { return new(ResultBatch) },
			batchOf(`{"monitor_id":"1","result":{"at":"2999-01-01T00:00:00Z","status":"ok"}}`), "results[0].result.at: must not be more than 5m in the future"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Decode(strings.NewReader(tc.body), MaxAssignmentsBody, tc.zero())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tc.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestDecodeMemoryBound feeds bodies at the cap made of the smallest
// elements JSON allows: a decoder that built the whole list or map before
// counting would allocate tens of times the body.
func TestDecodeMemoryBound(t *testing.T) {
	fill := func(head, elem, tail string, max int) string {
		n := (max - len(head) - len(tail)) / (len(elem) + 1)
		return head + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + tail
	}
	keys := func(max int) string {
		var b strings.Builder
		b.WriteString(`{"seq":1,"results":[{"monitor_id":"1","result":{"values":{`)
		for i := 0; b.Len() < max-20; i++ {
			fmt.Fprintf(&b, `"%x":0,`, i)
		}
		b.WriteString(`"z":0}}}]}`)
		return b.String()
	}
	tests := []struct {
		name   string
		zero   func() Validator
		body   string
		want   string
		factor uint64 // allocations allowed, in multiples of the body
	}{
		// Streamed: the body, the read buffer, a few elements.
		{"empty results", func() Validator { return new(ResultBatch) }, fill(`{"seq":1,"results":[`, "{}", "]}", MaxResultsBody), "must hold at most", 6},
		{"empty monitors", func() Validator { return new(Assignments) }, fill(`{"version":"a","wait":"1s","monitors":[`, "{}", "]}", MaxAssignmentsBody), "must hold at most", 6},
		// One element as large as the body is buffered a few times over.
		{"many values", func() Validator { return new(ResultBatch) }, keys(MaxResultsBody), "must hold at most 64 keys", 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := Decode(strings.NewReader(tc.body), int64(len(tc.body)), tc.zero())
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("body %d bytes, allocated %d bytes (%.1fx)", len(tc.body), alloc, float64(alloc)/float64(len(tc.body)))
			if limit := tc.factor * uint64(len(tc.body)); alloc > limit {
				t.Errorf("allocated %d bytes decoding a %d-byte body, more than %d", alloc, len(tc.body), limit)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestDecodeFastMatchesStrict holds the batch decoder Decode uses to the
// strict UnmarshalJSON: the same messages from valid bodies, the same
// errors from the others.
func TestDecodeFastMatchesStrict(t *testing.T) {
	at := time.Now().UTC().Format(time.RFC3339Nano)
	full := `{"monitor_id":"m-1","result":{"at":"` + at + `","location":"agent-1","status":"warning","latency_ms":0.25,"message":"CPU 91% used \"hot\" \\ {x}","values":{"percent":91.5,"load,1":2}}}`
	bodies := map[string]string{
		"full":                 batchOf(full, okResult(""), okResult(`,"values":{}`)),
		"values null":          batchOf(okResult(`,"values":null`)),
		"values in two keys":   batchOf(okResult(`,"values":{"a":1},"Values":{"b":2}`)),
		"values at the cap":    batchOf(okResult(`,"values":` + valuesJSON("k", MaxValues))),
		"values over the cap":  batchOf(okResult(`,"values":` + valuesJSON("k", MaxValues+1))),
		"values split over":    batchOf(okResult(`,"values":` + valuesJSON("a", 40) + `,"VALUES":` + valuesJSON("b", 40))),
		"values nested":        batchOf(okResult(`,"values":{"a":{"b":1,"c":2}}`)),
		"values an array":      batchOf(okResult(`,"values":[1,2]`)),
		"value a string":       batchOf(okResult(`,"values":{"a":"1"}`)),
		"empty values":         batchOf(okResult(`,"values":{ }`)),
		"case of a field":      batchOf(`{"Monitor_ID":"1","RESULT":{"Status":"ok","at":"` + at + `"}}`),
		"unknown in result":    batchOf(okResult(`,"shell":"rm"`)),
		"unknown in element":   batchOf(`{"monitor_id":"1","x":1}`),
		"unknown at the top":   `{"seq":1,"agent_id":"7","results":[]}`,
		"element null":         batchOf(`null`),
		"result null":          batchOf(`{"monitor_id":"1","result":null}`),
		"results null":         `{"seq":1,"results":null}`,
		"results twice":        `{"seq":1,"results":[` + okResult("") + `],"results":[` + full + `]}`,
		"bad time":             batchOf(`{"monitor_id":"1","result":{"at":"soon"}}`),
		"status a number":      batchOf(`{"monitor_id":"1","result":{"status":5}}`),
		"seq a string":         `{"seq":"1","results":[]}`,
		"null body":            `null`,
		"array body":           `[]`,
		"too many results":     batchOf(strings.Split(strings.Repeat("{},", MaxResultsPerBatch+1), ",")[:MaxResultsPerBatch+1]...),
		"string with brace":    batchOf(okResult(`,"values":{"a}":1,"b,":2,"\"c{":3}`)),
		"key with escapes":     batchOf(okResult(`,"values":{"\u0061\\":1}`)),
		"message with unicode": batchOf(okResult(`,"message":"\u00e9\ud83d\ude00"`)),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var fast, strict ResultBatch
			errFast := fast.decodeFast([]byte(body))
			errStrict := strict.UnmarshalJSON([]byte(body))
			if fmt.Sprint(errFast) != fmt.Sprint(errStrict) {
				t.Fatalf("fast error %v, strict error %v", errFast, errStrict)
			}
			if !reflect.DeepEqual(fast, strict) {
				t.Fatalf("fast decoded %+v\nstrict decoded %+v", fast, strict)
			}
		})
	}
}

// TestResultJSONMirrorsResult fails when checks.Result gains, loses or
// renames a field the fast decoder does not know: it would refuse it as
// unknown and every batch would take the slow path.
func TestResultJSONMirrorsResult(t *testing.T) {
	want, got := reflect.TypeFor[checks.Result](), reflect.TypeFor[resultJSON]()
	if want.NumField() != got.NumField() {
		t.Fatalf("checks.Result has %d fields, resultJSON %d", want.NumField(), got.NumField())
	}
	for i := range want.NumField() {
		w, g := want.Field(i), got.Field(i)
		if w.Name != g.Name || w.Tag != g.Tag || (w.Type != g.Type && w.Name != "Values") {
			t.Errorf("field %d: checks.Result has %s %s %q, resultJSON %s %s %q", i, w.Name, w.Type, w.Tag, g.Name, g.Type, g.Tag)
		}
	}
}

// BenchmarkDecodeResultBatch decodes the batches a thousand agents send:
// a few results each with a message and values.
func BenchmarkDecodeResultBatch(b *testing.B) {
	at := time.Now().UTC().Format(time.RFC3339Nano)
	elem := `{"monitor_id":"m-1","result":{"at":"` + at + `","location":"agent-1","status":"ok","latency_ms":0.25,"message":"memory 41.5% used, 9.4 GiB available","values":{"used_percent":41.5,"available_bytes":10093055590,"total_bytes":17179869184}}}`
	body := []byte(batchOf(elem, elem, elem))
	for _, tc := range []struct {
		name   string
		decode func(*ResultBatch) error
	}{
		{"fast", func(m *ResultBatch) error { return m.decodeFast(body) }},
		{"strict", func(m *ResultBatch) error { return m.UnmarshalJSON(body) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var m ResultBatch
				if err := tc.decode(&m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// clockBatch embeds a ResultBatch as the server's gateway does, to
// validate against its own clock.
type clockBatch struct{ *ResultBatch }

func (b clockBatch) Validate() error { return b.ValidateAt(time.Now()) }

// TestDecodeEmbeddedBatchTakesFastPath: a message embedding ResultBatch
// decodes through the fast decoder too (it would through UnmarshalJSON).
func TestDecodeEmbeddedBatchTakesFastPath(t *testing.T) {
	if _, ok := Validator(clockBatch{}).(fastDecoder); !ok {
		t.Fatal("a type embedding *ResultBatch is not a fastDecoder")
	}
	b := clockBatch{&ResultBatch{}}
	if err := Decode(strings.NewReader(batchOf(okResult(`,"values":{"a":1}`))), MaxResultsBody, b); err != nil {
		t.Fatal(err)
	}
	if len(b.Results) != 1 || b.Results[0].Result.Values["a"] != 1 {
		t.Fatalf("decoded %+v", b.Results)
	}
}
