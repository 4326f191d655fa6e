package checks

import (
	"context"
	"testing"
)

// BenchmarkHostChecks measures one run of each host type on this host, after
// a first run that takes the stateful types' initial sample.
func BenchmarkHostChecks(b *testing.B) {
	cases := []struct{ kind, target, settings string }{
		{"cpu", "", `{}`},
		{"memory", "", `{}`},
		{"swap", "", `{}`},
		{"disk", "/", `{}`},
		{"load", "", `{}`},
		{"network", "lo", `{}`},
		{"process", "init", `{"min_count":0}`},
		{"process", "^/sbin/init", `{"match":"cmdline","min_count":0}`},
	}
	for _, tc := range cases {
		b.Run(tc.kind+"/"+tc.target, func(b *testing.B) {
			c, err := New(tc.kind, tc.target, []byte(tc.settings))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if r := c.Check(ctx, tc.target); r.Status == StatusProblem {
				b.Skipf("%s: %s", tc.kind, r.Message)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.Check(ctx, tc.target)
			}
		})
	}
}
