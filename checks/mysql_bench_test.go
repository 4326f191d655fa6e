package checks

import (
	"context"
	"testing"
)

// BenchmarkMySQLCheck times one run against a real MariaDB on loopback:
// a fresh connection and login, the health query in a READ ONLY
// transaction, the status and variables, and the rates.
func BenchmarkMySQLCheck(b *testing.B) {
	db := startTestMariaDB(b)
	c, err := New("mysql", db.Addr, []byte(mysqlTestSettings(`"tls":"disabled"`)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		// Rates may cross a default threshold on a server this busy with
		// the benchmark alone; only a failed run stops it.
		if r := c.Check(ctx, db.Addr); r.Status == StatusProblem {
			b.Fatal(r.Message)
		}
	}
}
