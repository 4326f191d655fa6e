package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

var (
	testStart = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	quietLog  = slog.New(slog.DiscardHandler)
	testEpoch = "0123456789abcdef0123456789abcdef"
)

// worstPath is the longest path JSON writes longest ('<' is \u003c).
var worstPath = "/" + strings.Repeat("<", wire.MaxPathLen-1)

func fileObj(sha string) *fim.Object {
	return &fim.Object{Type: fim.TypeFile, SHA256: sha, Size: 3, Mode: 0o644, MTime: testStart}
}

// worstChanges are n modified symlinks with the longest escaped path and
// targets, every attribute and the largest numbers.
func worstChanges(n int) []fim.Change {
	out := make([]fim.Change, n)
	for i := range out {
		o := fim.Object{Type: fim.TypeSymlink, Size: 1<<63 - 1, Mode: 0o7777, UID: 1<<32 - 1, GID: 1<<32 - 1, Inode: 1<<64 - 1,
			MTime: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))), Target: worstPath}
		before, after := o, o
		path := fmt.Sprintf("%s%06d", worstPath[:wire.MaxPathLen-6], i)
		out[i] = fim.Change{Path: path, Kind: fim.Modified, Attrs: fim.AllAttrs, Before: &before, After: &after}
	}
	return out
}

func worstErrors(n int) []fim.ScanError {
	out := make([]fim.ScanError, n)
	for i := range out {
		out[i] = fim.ScanError{Path: worstPath, Error: strings.Repeat("<", wire.MaxMessageLen)}
	}
	return out
}

// encodedSize returns what Encode writes for r, failing on an invalid r.
func encodedSize(t *testing.T, r *wire.FIMReport) int {
	t.Helper()
	var b bytes.Buffer
	if err := wire.Encode(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Len()
}

func TestSizeBoundsHoldAtTheWorst(t *testing.T) {
	c := worstChanges(1)[0]
	one := wire.FIMReport{PolicyID: "p", Revision: "r", Epoch: testEpoch, Scan: 1, Seq: 1, Started: testStart, Changes: []fim.Change{c}}
	empty := one
	empty.Changes = nil
	if got, bound := encodedSize(t, &one)-encodedSize(t, &empty), changeSize(&c); got > bound {
		t.Fatalf("a worst change encodes to %d bytes, its bound is %d", got, bound)
	}
	e := worstErrors(1)[0]
	withErr := empty
	withErr.Errors, withErr.Progress.Errors = []fim.ScanError{e}, 1
	if got, bound := encodedSize(t, &withErr)-encodedSize(t, &empty), errorSize(&e); got > bound {
		t.Fatalf("a worst error encodes to %d bytes, its bound is %d", got, bound)
	}
}

func TestSplitBatch(t *testing.T) {
	ordinary := func(n int) []fim.Change {
		out := make([]fim.Change, n)
		for i := range out {
			out[i] = fim.Change{Path: fmt.Sprintf("/etc/file-%04d.conf", i), Kind: fim.Added, After: fileObj("")}
		}
		return out
	}
	tests := []struct {
		name    string
		batch   fim.Batch
		reports int
	}{
		{"progress only", fim.Batch{}, 1},
		{"a full batch of ordinary changes is one report", fim.Batch{Changes: ordinary(1000), Done: true}, 1},
		{"worst changes split by size", fim.Batch{Changes: worstChanges(200), Done: true}, 4},
		{"the most errors with a worst change", fim.Batch{Changes: worstChanges(1), Errors: worstErrors(100), Progress: fim.Progress{Errors: 100}}, 1},
		{"more errors than a report holds", fim.Batch{Errors: worstErrors(250), Progress: fim.Progress{Errors: 250}, Done: true}, 3},
		{"a baseline keeps its objects counted", fim.Batch{Baseline: true, Changes: ordinary(10), Progress: fim.Progress{Objects: 3}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.batch
			b.Scan, b.Seq, b.Started = 7, 3, testStart
			reps := splitBatch(b, "p1", "r1", testEpoch, quietLog)
			if len(reps) != tc.reports {
				t.Fatalf("%d reports, want %d", len(reps), tc.reports)
			}
			changes, errs := 0, 0
			for i := range reps {
				r := &reps[i]
				r.Seq = uint32(i + 1)
				if size := encodedSize(t, r); size > wire.MaxFIMReportBody {
					t.Fatalf("report %d is %d bytes, over %d", i, size, wire.MaxFIMReportBody)
				}
				if r.Done != (b.Done && i == len(reps)-1) {
					t.Fatalf("report %d of %d Done %v", i, len(reps), r.Done)
				}
				if r.PolicyID != "p1" || r.Revision != "r1" || r.Epoch != testEpoch || r.Scan != 7 || r.Baseline != b.Baseline || !r.Started.Equal(testStart) {
					t.Fatalf("report %d: %+v", i, r)
				}
				changes += len(r.Changes)
				errs += len(r.Errors)
			}
			if changes != len(b.Changes) || errs != len(b.Errors) {
				t.Fatalf("reports carry %d changes and %d errors, the batch %d and %d", changes, errs, len(b.Changes), len(b.Errors))
			}
		})
	}
}

func TestSplitBatchRescuesWhatTheWireRefuses(t *testing.T) {
	b := fim.Batch{Scan: 1, Seq: 1, Started: testStart, Changes: []fim.Change{
		{Path: "/ok", Kind: fim.Added, After: fileObj("")},
		{Path: "/" + strings.Repeat("deep/", 1000), Kind: fim.Added, After: fileObj("")},
		{Path: "/link", Kind: fim.Added, After: &fim.Object{Type: fim.TypeSymlink, Target: "bad\xff"}},
	}, Errors: []fim.ScanError{
		{Path: "relative\x00name", Error: "line one\nline two\x00"},
		{Path: "/x", Error: ""},
		{Path: "/y", Error: strings.Repeat("é", wire.MaxMessageLen)},
	}}
	reps := splitBatch(b, "p1", "r1", testEpoch, quietLog)
	if len(reps) != 1 {
		t.Fatalf("%d reports, want 1", len(reps))
	}
	r := reps[0]
	r.Seq = 1
	if err := r.Validate(); err != nil {
		t.Fatalf("the report does not validate: %v", err)
	}
	if len(r.Changes) != 1 || r.Changes[0].Path != "/ok" {
		t.Fatalf("changes %+v, want only /ok", r.Changes)
	}
	if len(r.Errors) != 5 || !strings.HasPrefix(r.Errors[0].Error, "change not sent: ") || r.Errors[2].Path != `/relative\x00name` ||
		r.Errors[2].Error != "line one line two" || r.Errors[3].Error != "unknown error" {
		t.Fatalf("errors %q", r.Errors)
	}
}

// TestFIMSenderNumbers: reports are numbered per scan from 1 across
// batches and splits; a batch sent again keeps its numbers.
func TestFIMSenderNumbers(t *testing.T) {
	var seqs []string
	fail := 0
	s := &fimSender{policyID: "p1", revision: "r1", epoch: testEpoch, log: quietLog, retry: backoffRange{Min: time.Millisecond, Max: time.Millisecond},
		post: func(_ context.Context, r *wire.FIMReport) (wire.FIMAck, error) {
			if err := r.Validate(); err != nil {
				t.Fatalf("invalid report: %v", err)
			}
			seqs = append(seqs, fmt.Sprintf("%d/%d", r.Scan, r.Seq))
			if fail > 0 {
				fail--
				return wire.FIMAck{}, &wire.Error{Message: "bad", Code: wire.CodeBadRequest}
			}
			return wire.FIMAck{PolicyID: r.PolicyID, Scan: r.Scan, Seq: r.Seq}, nil
		}}
	send := func(scan uint64, seq uint32, changes int) error {
		return s.send(context.Background(), fim.Batch{Scan: scan, Seq: seq, Started: testStart, Changes: worstChanges(changes)})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(send(4, 1, 0))
	must(send(4, 2, 100)) // two reports
	fail = 1
	if err := send(4, 3, 100); !errors.Is(err, errFIMRefused) {
		t.Fatalf("a 400 gave %v, want errFIMRefused", err)
	}
	must(send(4, 3, 100)) // the same batch again: the same numbers
	must(send(5, 1, 0))
	want := "4/1 4/2 4/3 4/4 4/4 4/5 5/1"
	if got := strings.Join(seqs, " "); got != want {
		t.Fatalf("reports sent as %s, want %s", got, want)
	}
}

func TestPermanentReportError(t *testing.T) {
	tests := []struct {
		code string
		want error // nil: retried
	}{
		{wire.CodeUnavailable, nil},
		{wire.CodeInternal, nil},
		{wire.CodePolicyGone, fim.ErrPolicyGone},
		{wire.CodeRevoked, errStopped},
		{wire.CodeUnknownAgent, errStopped},
		{wire.CodeBadRequest, errFIMRefused},
		{wire.CodeTooLarge, errFIMRefused},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			err := permanentReportError(&wire.Error{Message: "x", Code: tc.code})
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if err := permanentReportError(errors.New("connection reset")); err != nil {
		t.Fatalf("a transport error is permanent: %v", err)
	}
}
