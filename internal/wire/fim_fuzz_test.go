package wire

import "testing"

// The FIM targets run the property of fuzz_test.go over FIMReport and
// FIMAck, and over Assignments that carry FIM policies.

func FuzzDecodeFIMReport(f *testing.F) {
	m := goodFIMReport()
	base := goodFIMReport()
	base.Baseline, base.Seq, base.Changes = true, 1, base.Changes[:1]
	f.Add([]byte(fimReportWithChanges(3)))
	f.Add([]byte(`{"policy_id":"p","revision":"r","scan":1,"seq":1,"started":"2026-11-23T08:00:00Z","changes":[{"path":"/a","change":"modified","attrs":["mode","MODE"],"before":{"type":"file"},"after":{"type":"file","mode":4294967295}}]}`))
	fuzzDecode[FIMReport](f, MaxFIMReportBody, &m, &base)
}

func FuzzDecodeFIMAck(f *testing.F) {
	fuzzDecode[FIMAck](f, MaxAckBody, &FIMAck{PolicyID: "p1", Scan: 3, Seq: 9})
}

func FuzzDecodeAssignmentsFIM(f *testing.F) {
	m := goodAssignments()
	m.FIM = []FIMPolicy{goodFIMPolicy(), {ID: "p2", Revision: "r", Paths: []string{`C:\Windows`}, Interval: Duration(MinFIMInterval)}}
	f.Add([]byte(`{"version":"a","wait":"30s","monitors":[],"fim":[{"id":"p","revision":"r","paths":["/"],"interval":"1m","scan_request":18446744073709551615}]}`))
	fuzzDecode[Assignments](f, MaxAssignmentsBody, &m)
}
