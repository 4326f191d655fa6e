package checks

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMySQLQueryGuards shows on a real MariaDB why the health query is
// checked before it ever runs: each query refused when a monitor is saved
// gets past the READ ONLY transaction when run anyway, with the password
// of a user who may do more than read. And what is accepted runs.
func TestMySQLQueryGuards(t *testing.T) {
	db := startTestMariaDB(t)
	db.CreateUser("vigil_admin", mysqlTestPassword, "GRANT ALL PRIVILEGES ON *.* TO %s")
	adminSettings := func(query string) string {
		q, _ := json.Marshal(query)
		return `{"username":"vigil_admin","password":"` + mysqlTestPassword + `","query":` + string(q) + `}`
	}
	outfile := filepath.Join(db.Dir, "written-by-the-check.txt")

	cases := []struct {
		name, query string
		harm        func(t *testing.T) // what the server did, when run past validation
	}{
		{"into outfile writes a file on the database host", "SELECT 'x' INTO OUTFILE '" + outfile + "'", func(t *testing.T) {
			if _, err := os.Stat(outfile); err != nil {
				t.Fatalf("INTO OUTFILE wrote no file: %v", err)
			}
		}},
		{"into a variable", "SELECT 1 INTO @v", nil},
		{"into after a decimal", "SELECT 1.5INTO @v", nil},
		{"into in an executable comment", "SELECT 1 /*!INTO @v */", nil},
		{"get_lock takes a lock", "SELECT GET_LOCK('vigil', 0)", nil},
		{"a backquoted get_lock too", "SELECT `get_lock`('vigil', 0)", nil},
		{"release_all_locks", "DO RELEASE_ALL_LOCKS()", nil},
		{"load_file reads a server file", "SELECT LOAD_FILE('/etc/hostname')", nil},
		{"benchmark", "SELECT BENCHMARK(1000, MD5('x'))", nil},
		{"a replication wait", "SELECT MASTER_GTID_WAIT('0-1-1000000', 0.1)", nil},
		{"lock in share mode locks rows", "SELECT * FROM app.a LOCK IN SHARE MODE", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New("mysql", db.Addr, json.RawMessage(adminSettings(tc.query)))
			var se *SettingError
			if !errors.As(err, &se) || se.Field != "settings.query" {
				t.Fatalf("saving %q: %v, want an error on settings.query", tc.query, err)
			}
			t.Logf("refused: %v", err)

			// Past validation, as a checker built before this fix would.
			c := mustNew(t, "mysql", db.Addr, adminSettings("SELECT 1")).(*mysqlChecker)
			c.s.Query = tc.query
			r := runMySQL(t, c, db.Addr)
			if r.Status == StatusProblem {
				t.Fatalf("the server refused %q itself (%s): validation would not be needed", tc.query, r.Message)
			}
			if tc.harm != nil {
				tc.harm(t)
			}
		})
	}

	t.Run("the server runs one statement only", func(t *testing.T) {
		c := mustNew(t, "mysql", db.Addr, adminSettings("SELECT 1")).(*mysqlChecker)
		c.s.Query = "SELECT 1; DO GET_LOCK('vigil', 0)"
		r := runMySQL(t, c, db.Addr)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "syntax") {
			t.Fatalf("got %s %q, want the second statement refused as a syntax error", r.Status, r.Message)
		}
	})

	t.Run("accepted queries run", func(t *testing.T) {
		for _, q := range []string{
			`SELECT 'into outfile; -- # /*', 'it''s', a.id AS "alias", 'x' 'y' FROM app.a AS a WHERE a.v > 1.5 LIMIT 1`,
			"SELECT `id` FROM app.a WHERE id = 1",
			"SELECT IS_FREE_LOCK('vigil'), IS_USED_LOCK('vigil')",
			"(SELECT 1) UNION (SELECT 2);",
		} {
			c := mustNew(t, "mysql", db.Addr, mysqlTestSettings(`"query":`+mustJSON(t, q)))
			if r := runMySQL(t, c, db.Addr); r.Status == StatusProblem {
				t.Errorf("%q: %s %s", q, r.Status, r.Message)
			}
		}
	})

	// Why SLEEP is allowed: it holds the check's own connection only
	// until the server notices the check hung up at the monitor's timeout
	// (it looks every 5 s). MASTER_GTID_WAIT, tried the same way, still
	// ran 30 s later: it is refused.
	for _, q := range []string{"SELECT SLEEP(60)"} {
		t.Run("the server ends "+q+" soon after the timeout", func(t *testing.T) {
			c := mustNew(t, "mysql", db.Addr, mysqlTestSettings(`"query":`+mustJSON(t, q)))
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if r := c.Check(ctx, db.Addr); r.Status != StatusProblem {
				t.Fatalf("got %s %q, want a timeout", r.Status, r.Message)
			}
			start := time.Now()
			for {
				var n int
				err := db.Root().QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'vigil' AND INFO = ?", q).Scan(&n)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Logf("ended %s after the check hung up", time.Since(start).Round(100*time.Millisecond))
					return
				}
				if time.Since(start) > 30*time.Second {
					t.Fatalf("still runs 30 s after the check hung up")
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
