package wire

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

func goodFIMPolicy() FIMPolicy {
	return FIMPolicy{
		ID: "p1", Revision: "3f2a9c", Paths: []string{"/etc", "/usr/bin"}, Exclude: []string{"/etc/*.swp", "/etc/cache/**"},
		Attributes: []string{fim.AttrSHA256, fim.AttrMode}, Interval: Duration(time.Hour), ScanRequest: 2,
		FullRehashEvery: 10, IOLimitMBps: 50,
	}
}

func fileObject(sha string) *fim.Object {
	return &fim.Object{Type: fim.TypeFile, SHA256: sha, Size: 12, Mode: 0o644, MTime: testNow.Add(-time.Hour), Inode: 77}
}

var (
	testEpoch = "0123456789abcdef0123456789abcdef"
	shaA      = repeat("a", 64)
	shaB      = repeat("0123456789abcdef", 4)
)

func goodFIMReport() FIMReport {
	link := &fim.Object{Type: fim.TypeSymlink, Size: 4, Mode: 0o777, MTime: testNow, Target: "/opt/v1"}
	relinked := *link
	relinked.Target = "/opt/v2"
	return FIMReport{
		PolicyID: "p1", Revision: "3f2a9c", Epoch: testEpoch, Scan: 4, Seq: 2, Started: testNow,
		Changes: []fim.Change{
			{Path: "/etc/new.conf", Kind: fim.Added, After: fileObject(shaA)},
			{Path: "/etc/old.conf", Kind: fim.Removed, Before: fileObject(shaA)},
			{Path: "/etc/hosts", Kind: fim.Modified, Attrs: []string{fim.AttrSHA256, fim.AttrMode}, Before: fileObject(shaA), After: fileObject(shaB)},
			{Path: "/etc/current", Kind: fim.Modified, Attrs: []string{fim.AttrTarget}, Before: link, After: &relinked},
			{Path: "/etc/odd\nname \\xff", Kind: fim.Added, After: &fim.Object{Type: fim.TypeDir, Mode: 0o755}},
		},
		Errors:   []fim.ScanError{{Path: "/etc/secret", Error: "open /etc/secret: permission denied"}},
		Progress: fim.Progress{Objects: 900, Bytes: 1 << 20, Errors: 1},
	}
}

func TestFIMPolicyValidate(t *testing.T) {
	tests := []struct {
		name  string
		mut   func(*FIMPolicy)
		field string
	}{
		{"good", func(*FIMPolicy) {}, ""},
		{"all attributes by default", func(p *FIMPolicy) { p.Attributes = nil }, ""},
		{"windows path", func(p *FIMPolicy) { p.Paths = []string{`C:\Windows\System32`} }, ""},
		{"no id", func(p *FIMPolicy) { p.ID = "" }, "id"},
		{"id with slash", func(p *FIMPolicy) { p.ID = "a/b" }, "id"},
		{"no revision", func(p *FIMPolicy) { p.Revision = "" }, "revision"},
		{"revision with space", func(p *FIMPolicy) { p.Revision = "a b" }, "revision"},
		{"revision too long", func(p *FIMPolicy) { p.Revision = repeat("r", MaxRevisionLen+1) }, "revision"},
		{"no paths", func(p *FIMPolicy) { p.Paths = nil }, "paths"},
		{"most paths", func(p *FIMPolicy) { p.Paths = numbered("/srv/", MaxFIMPaths) }, ""},
		{"too many paths", func(p *FIMPolicy) { p.Paths = numbered("/srv/", MaxFIMPaths+1) }, "paths"},
		{"relative path", func(p *FIMPolicy) { p.Paths[1] = "usr/bin" }, "paths[1]"},
		{"empty path", func(p *FIMPolicy) { p.Paths[0] = "" }, "paths[0]"},
		{"path with NUL", func(p *FIMPolicy) { p.Paths[0] = "/etc\x00/x" }, "paths[0]"},
		{"path not UTF-8", func(p *FIMPolicy) { p.Paths[0] = "/etc/\xff" }, "paths[0]"},
		{"longest path", func(p *FIMPolicy) { p.Paths[0] = "/" + repeat("p", MaxPathLen-1) }, ""},
		{"path too long", func(p *FIMPolicy) { p.Paths[0] = "/" + repeat("p", MaxPathLen) }, "paths[0]"},
		{"path repeated", func(p *FIMPolicy) { p.Paths[1] = "/etc" }, "paths[1]"},
		{"most excludes", func(p *FIMPolicy) { p.Exclude = numbered("*.", MaxFIMExclude) }, ""},
		{"too many excludes", func(p *FIMPolicy) { p.Exclude = numbered("*.", MaxFIMExclude+1) }, "exclude"},
		{"empty exclude", func(p *FIMPolicy) { p.Exclude[1] = "" }, "exclude[1]"},
		{"exclude with NUL", func(p *FIMPolicy) { p.Exclude[0] = "*\x00" }, "exclude[0]"},
		{"unknown attribute", func(p *FIMPolicy) { p.Attributes = []string{"sha256", "atime"} }, "attributes[1]"},
		{"attribute repeated", func(p *FIMPolicy) { p.Attributes = []string{"mode", "uid", "mode"} }, "attributes[2]"},
		{"every attribute", func(p *FIMPolicy) { p.Attributes = fim.AllAttrs }, ""},
		{"shortest interval", func(p *FIMPolicy) { p.Interval = Duration(MinFIMInterval) }, ""},
		{"interval too short", func(p *FIMPolicy) { p.Interval = Duration(59 * time.Second) }, "interval"},
		{"longest interval", func(p *FIMPolicy) { p.Interval = Duration(MaxFIMInterval) }, ""},
		{"interval too long", func(p *FIMPolicy) { p.Interval = Duration(MaxFIMInterval + time.Second) }, "interval"},
		{"negative rehash", func(p *FIMPolicy) { p.FullRehashEvery = -1 }, "full_rehash_every"},
		{"rehash too rare", func(p *FIMPolicy) { p.FullRehashEvery = MaxFullRehashEvery + 1 }, "full_rehash_every"},
		{"negative io limit", func(p *FIMPolicy) { p.IOLimitMBps = -5 }, "io_limit_mbps"},
		{"io limit too high", func(p *FIMPolicy) { p.IOLimitMBps = MaxIOLimitMBps + 1 }, "io_limit_mbps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := goodFIMPolicy()
			tc.mut(&p)
			m := goodAssignments()
			m.FIM = []FIMPolicy{{ID: "p0", Revision: "r", Paths: []string{"/"}, Interval: Duration(time.Hour)}, p}
			field := tc.field
			if field != "" {
				field = "fim[1]." + field
			}
			wantField(t, m.Validate(), field)
		})
	}
}

func TestAssignmentsFIMValidate(t *testing.T) {
	p := goodFIMPolicy()
	m := goodAssignments()
	m.FIM = []FIMPolicy{p, p}
	wantField(t, m.Validate(), "fim[1].id")
	m.FIM = make([]FIMPolicy, MaxFIMPolicies+1)
	wantField(t, m.Validate(), "fim")
	m.FIM = nil
	wantField(t, m.Validate(), "")
}

// numbered returns n distinct strings prefix0, prefix1, ….
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
	}
	return out
}

func TestFIMReportValidate(t *testing.T) {
	change := func(i int) func(*FIMReport) *fim.Change {
		return func(m *FIMReport) *fim.Change { return &m.Changes[i] }
	}
	added, removed, modified, link := change(0), change(1), change(2), change(3)
	tests := []struct {
		name  string
		mut   func(*FIMReport)
		field string
	}{
		{"good", func(*FIMReport) {}, ""},
		{"progress only", func(m *FIMReport) { m.Changes, m.Errors = nil, nil }, ""},
		{"last report", func(m *FIMReport) { m.Done = true }, ""},
		{"no policy", func(m *FIMReport) { m.PolicyID = "" }, "policy_id"},
		{"no revision", func(m *FIMReport) { m.Revision = "" }, "revision"},
		{"no epoch", func(m *FIMReport) { m.Epoch = "" }, "epoch"},
		{"short epoch", func(m *FIMReport) { m.Epoch = testEpoch[1:] }, "epoch"},
		{"upper-case epoch", func(m *FIMReport) { m.Epoch = strings.ToUpper(testEpoch) }, "epoch"},
		{"epoch not hex", func(m *FIMReport) { m.Epoch = "g" + testEpoch[1:] }, "epoch"},
		{"scan 0", func(m *FIMReport) { m.Scan = 0 }, "scan"},
		{"seq 0", func(m *FIMReport) { m.Seq = 0 }, "seq"},
		{"no start", func(m *FIMReport) { m.Started = time.Time{} }, "started"},
		{"start before clocks were set", func(m *FIMReport) { m.Started = time.Unix(5, 0) }, "started"},
		{"most changes", func(m *FIMReport) { m.Changes = manyChanges(MaxFIMChangesPerReport) }, ""},
		{"too many changes", func(m *FIMReport) { m.Changes = manyChanges(MaxFIMChangesPerReport + 1) }, "changes"},
		{"relative path", func(m *FIMReport) { added(m).Path = "etc/x" }, "changes[0].path"},
		{"path not UTF-8", func(m *FIMReport) { added(m).Path = "/etc/\xfe" }, "changes[0].path"},
		{"path with NUL", func(m *FIMReport) { added(m).Path = "/etc/\x00" }, "changes[0].path"},
		{"path too long", func(m *FIMReport) { added(m).Path = "/" + repeat("p", MaxPathLen) }, "changes[0].path"},
		{"path climbing out", func(m *FIMReport) { added(m).Path = "/etc/../root/.ssh/authorized_keys" }, "changes[0].path"},
		{"path with //", func(m *FIMReport) { added(m).Path = "/etc//lvm/archive/x" }, "changes[0].path"},
		{"path with /./", func(m *FIMReport) { added(m).Path = "/etc/./x" }, "changes[0].path"},
		{"path with a trailing /", func(m *FIMReport) { added(m).Path = "/etc/x/" }, "changes[0].path"},
		{"unknown kind", func(m *FIMReport) { added(m).Kind = "renamed" }, "changes[0].change"},
		{"no kind", func(m *FIMReport) { added(m).Kind = "" }, "changes[0].change"},
		{"added with before", func(m *FIMReport) { added(m).Before = fileObject("") }, "changes[0].before"},
		{"added without after", func(m *FIMReport) { added(m).After = nil }, "changes[0].after"},
		{"added with attrs", func(m *FIMReport) { added(m).Attrs = []string{"mode"} }, "changes[0].attrs"},
		{"removed with after", func(m *FIMReport) { removed(m).After = fileObject("") }, "changes[1].after"},
		{"removed without before", func(m *FIMReport) { removed(m).Before = nil }, "changes[1].before"},
		{"modified without before", func(m *FIMReport) { modified(m).Before = nil }, "changes[2].before"},
		{"modified without after", func(m *FIMReport) { modified(m).After = nil }, "changes[2].after"},
		{"modified without attrs", func(m *FIMReport) { modified(m).Attrs = nil }, "changes[2].attrs"},
		{"unknown attr", func(m *FIMReport) { modified(m).Attrs = []string{"sha256", "color"} }, "changes[2].attrs[1]"},
		{"attr repeated", func(m *FIMReport) { modified(m).Attrs = []string{"mode", "mode"} }, "changes[2].attrs[1]"},
		{"unknown type", func(m *FIMReport) { modified(m).After.Type = "fifo" }, "changes[2].after.type"},
		{"sha256 uppercase", func(m *FIMReport) { modified(m).After.SHA256 = strings.ToUpper(shaB) }, "changes[2].after.sha256"},
		{"sha256 short", func(m *FIMReport) { modified(m).Before.SHA256 = "abc" }, "changes[2].before.sha256"},
		{"file without sha256", func(m *FIMReport) { added(m).After.SHA256 = "" }, ""},
		{"sha256 on a directory", func(m *FIMReport) { change(4)(m).After.SHA256 = shaA }, "changes[4].after.sha256"},
		{"negative size", func(m *FIMReport) { added(m).After.Size = -1 }, "changes[0].after.size"},
		{"mode with type bits", func(m *FIMReport) { added(m).After.Mode = 0o100644 }, "changes[0].after.mode"},
		{"setuid mode", func(m *FIMReport) { added(m).After.Mode = 0o4755 }, ""},
		{"mtime beyond JSON", func(m *FIMReport) { added(m).After.MTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "changes[0].after.mtime"},
		{"mtime at the epoch", func(m *FIMReport) { added(m).After.MTime = time.Unix(0, 0) }, ""},
		{"target on a file", func(m *FIMReport) { added(m).After.Target = "/x" }, "changes[0].after.target"},
		{"target not UTF-8", func(m *FIMReport) { link(m).After.Target = "/opt/\xff" }, "changes[3].after.target"},
		{"target too long", func(m *FIMReport) { link(m).Before.Target = repeat("t", MaxPathLen+1) }, "changes[3].before.target"},
		{"relative target", func(m *FIMReport) { link(m).After.Target = "../v3" }, ""},
		{"baseline of additions", func(m *FIMReport) { m.Baseline, m.Changes = true, m.Changes[:1] }, ""},
		{"baseline with a removal", func(m *FIMReport) { m.Baseline = true }, "changes[1].change"},
		{"most errors", func(m *FIMReport) {
			m.Errors, m.Progress.Errors = manyErrors(MaxFIMErrorsPerReport), MaxFIMErrorsPerReport
		}, ""},
		{"too many errors", func(m *FIMReport) { m.Errors, m.Progress.Errors = manyErrors(MaxFIMErrorsPerReport+1), 500 }, "errors"},
		{"error without path", func(m *FIMReport) { m.Errors[0].Path = "" }, "errors[0].path"},
		{"error path climbing out", func(m *FIMReport) { m.Errors[0].Path = "/etc/../root" }, "errors[0].path"},
		{"error without message", func(m *FIMReport) { m.Errors[0].Error = "" }, "errors[0].error"},
		{"error message with newline", func(m *FIMReport) { m.Errors[0].Error = "a\nb" }, "errors[0].error"},
		{"error message too long", func(m *FIMReport) { m.Errors[0].Error = repeat("e", MaxMessageLen+1) }, "errors[0].error"},
		{"errors not counted", func(m *FIMReport) { m.Progress.Errors = 0 }, "progress.errors"},
		{"baseline objects not counted", func(m *FIMReport) {
			m.Baseline, m.Changes, m.Progress.Objects = true, m.Changes[:1], 0
		}, "progress.objects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := goodFIMReport()
			tc.mut(&m)
			wantField(t, m.Validate(), tc.field)
		})
	}
}

func TestFIMAckValidate(t *testing.T) {
	wantField(t, (&FIMAck{PolicyID: "p1", Scan: 1, Seq: 1}).Validate(), "")
	wantField(t, (&FIMAck{Scan: 1, Seq: 1}).Validate(), "policy_id")
	wantField(t, (&FIMAck{PolicyID: "p1", Seq: 1}).Validate(), "scan")
	wantField(t, (&FIMAck{PolicyID: "p1", Scan: 1}).Validate(), "seq")
}

// manyChanges returns n distinct additions.
func manyChanges(n int) []fim.Change {
	out := make([]fim.Change, n)
	for i := range out {
		out[i] = fim.Change{Path: "/srv/" + strings.Repeat("d/", i%5) + string(rune('a'+i%26)) + strings.Repeat("z", i/26), Kind: fim.Added, After: fileObject(shaA)}
	}
	return out
}

// manyErrors returns n scan errors.
func manyErrors(n int) []fim.ScanError {
	out := make([]fim.ScanError, n)
	for i := range out {
		out[i] = fim.ScanError{Path: "/srv/x", Error: "permission denied"}
	}
	return out
}

// worstPath is a path of MaxPathLen bytes that JSON writes longest: '<'
// becomes \u003c, six bytes for one.
var worstPath = "/" + repeat("<", MaxPathLen-1)

// worstChange is the longest change: a modified symlink with both
// objects, every attribute and the longest escaped path and targets.
func worstChange() fim.Change {
	o := fim.Object{Type: fim.TypeSymlink, Size: 1<<63 - 1, Mode: 0o7777, UID: 1<<32 - 1, GID: 1<<32 - 1,
		MTime: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))), Inode: 1<<64 - 1, Target: worstPath}
	before, after := o, o
	return fim.Change{Path: worstPath, Kind: fim.Modified, Attrs: fim.AllAttrs, Before: &before, After: &after}
}

// TestFIMReportFitsItsBody: the agent packs a report by its encoded size,
// so every report it may have to send must fit: one worst change with the
// most errors at their longest. A report of the most changes at their
// worst does not fit (it would be about 74 MB): that is why the agent
// splits by bytes, and what this test measures.
func TestFIMReportFitsItsBody(t *testing.T) {
	m := FIMReport{PolicyID: repeat("p", MaxIDLen), Revision: repeat("r", MaxRevisionLen), Epoch: testEpoch, Scan: 1<<64 - 1, Seq: 1<<32 - 1,
		Started: testNow, Progress: fim.Progress{Objects: 1<<64 - 1, Bytes: 1<<64 - 1, Errors: 1<<64 - 1}, Done: true}
	m.Changes = []fim.Change{worstChange()}
	for range MaxFIMErrorsPerReport {
		m.Errors = append(m.Errors, fim.ScanError{Path: worstPath, Error: repeat("<", MaxMessageLen)})
	}
	size := encodedLen(t, &m)
	if size > MaxFIMReportBody {
		t.Fatalf("one worst change with the most errors is %d bytes, MaxFIMReportBody %d", size, MaxFIMReportBody)
	}
	one := encodedLen(t, &FIMReport{PolicyID: "p", Revision: "r", Epoch: testEpoch, Scan: 1, Seq: 1, Started: testNow, Changes: m.Changes})
	t.Logf("worst report of one change and %d errors: %d bytes of %d; one worst change alone %d bytes, so %d of them would be %d bytes",
		MaxFIMErrorsPerReport, size, MaxFIMReportBody, one, MaxFIMChangesPerReport, one*MaxFIMChangesPerReport)
}

// encodedLen returns the size Encode writes for m.
func encodedLen(t *testing.T, m Validator) int {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Len()
}

func TestFIMReportRoundTrip(t *testing.T) {
	m := goodFIMReport()
	var b bytes.Buffer
	if err := Encode(&b, &m); err != nil {
		t.Fatal(err)
	}
	var got FIMReport
	if err := Decode(&b, MaxFIMReportBody, &got); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(m)
	c, _ := json.Marshal(got)
	if !bytes.Equal(a, c) {
		t.Fatalf("round trip changed the report:\n%s\n%s", a, c)
	}
}

func TestDecodeFIMMalformed(t *testing.T) {
	good, err := json.Marshal(goodFIMReport())
	if err != nil {
		t.Fatal(err)
	}
	body := string(good)
	tests := []struct {
		name string
		body string
		want string // substring of the error; "" for none
	}{
		{"valid", body, ""},
		{"unknown field", strings.Replace(body, `"scan":`, `"agent_id":"7","scan":`, 1), `unknown field "agent_id"`},
		{"unknown field in a change", strings.Replace(body, `"change":"added"`, `"change":"added","owner":"x"`, 1), `changes[0]: unknown field "owner"`},
		{"unknown field in an object", strings.Replace(body, `"type":"dir"`, `"type":"dir","acl":1`, 1), `changes[4]: unknown field "acl"`},
		{"changes not a list", `{"policy_id":"p","changes":{}}`, "changes: must be an array, not an object"},
		{"seq negative", strings.Replace(body, `"seq":2`, `"seq":-2`, 1), "seq: must be a whole number"},
		{"seq too large", strings.Replace(body, `"seq":2`, `"seq":4294967296`, 1), "seq: must be a whole number"},
		{"started not a time", strings.Replace(body, `"started":"`, `"started":"yesterday`, 1), "started"},
		{"too many changes", fimReportWithChanges(MaxFIMChangesPerReport + 1), "changes: must hold at most 1000 elements"},
		{"too many errors", strings.Replace(body, `"errors":[`, `"errors":[`+strings.Repeat(`{},`, MaxFIMErrorsPerReport), 1), "errors: must hold at most 100 elements"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m FIMReport
			err := Decode(strings.NewReader(tc.body), MaxFIMReportBody, &m)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// fimReportWithChanges is a report body of n empty changes: the decoder
// must refuse it at the cap, before building them.
func fimReportWithChanges(n int) string {
	return `{"policy_id":"p","revision":"r","scan":1,"seq":1,"started":"2026-11-23T08:00:00Z","changes":[` +
		strings.TrimSuffix(strings.Repeat("{},", n), ",") + `]}`
}

func TestDecodeAssignmentsWithFIM(t *testing.T) {
	tooMany := `{"version":"a","wait":"30s","monitors":[],"fim":[` + strings.TrimSuffix(strings.Repeat("{},", MaxFIMPolicies+1), ",") + `]}`
	if err := Decode(strings.NewReader(tooMany), MaxAssignmentsBody, new(Assignments)); err == nil || !strings.Contains(err.Error(), "fim: must hold at most 100 elements") {
		t.Fatalf("got %v, want the policies refused at the cap", err)
	}
	m := goodAssignments()
	m.FIM = []FIMPolicy{goodFIMPolicy()}
	var b bytes.Buffer
	if err := Encode(&b, &m); err != nil {
		t.Fatal(err)
	}
	var got Assignments
	if err := Decode(&b, MaxAssignmentsBody, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.FIM) != 1 || got.FIM[0].ID != "p1" || got.FIM[0].Interval != Duration(time.Hour) || len(got.FIM[0].Paths) != 2 {
		t.Fatalf("decoded FIM policies %+v", got.FIM)
	}
}
