package checks

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// mysqlTestUser logs in with no privilege but USAGE (and SELECT on the
// test database): what the doc page says the check needs.
const (
	mysqlTestUser     = "vigil"
	mysqlTestPassword = "s3cret-Pw"
)

// startTestMariaDB starts a MariaDB with the query cache on (so its rates
// are reported), the check's user and two tables without indexes.
func startTestMariaDB(t testing.TB, args ...string) *testenv.MariaDB {
	t.Helper()
	db := testenv.StartMariaDB(t, append([]string{"--query-cache-type=1", "--query-cache-size=16M"}, args...)...)
	db.Exec(
		"CREATE DATABASE app",
		"CREATE TABLE app.a (id INT, v INT)",
		"CREATE TABLE app.b (id INT, v INT)",
		"INSERT INTO app.a VALUES (1,1),(2,2),(3,3),(4,4)",
		"INSERT INTO app.b VALUES (1,1),(2,2),(3,3),(4,4)",
	)
	db.CreateUser(mysqlTestUser, mysqlTestPassword, "GRANT SELECT ON app.* TO %s")
	return db
}

// mysqlSettings returns settings logging in as the test user, with extra
// key/values (already JSON) appended.
func mysqlTestSettings(extra string) string {
	s := fmt.Sprintf(`{"username":%q,"password":%q`, mysqlTestUser, mysqlTestPassword)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// runMySQL runs c once with a generous deadline.
func runMySQL(t testing.TB, c Checker, target string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := c.Check(ctx, target)
	t.Logf("%s: %s %v", r.Status, r.Message, r.Values)
	return r
}

// mysqlDeltaRates are the rates that need two runs.
func mysqlDeltaRates() (delta, gauge []string) {
	for _, r := range mysqlRates {
		if r.gauge {
			gauge = append(gauge, r.name)
		} else {
			delta = append(delta, r.name)
		}
	}
	return delta, gauge
}

func TestMySQLAgainstMariaDB(t *testing.T) {
	db := startTestMariaDB(t)
	target := db.Addr
	delta, gauge := mysqlDeltaRates()

	t.Run("first run reports times and gauges", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(""))
		r := runMySQL(t, c, target)
		if r.Status != StatusOK {
			t.Fatalf("status %s: %s", r.Status, r.Message)
		}
		if !strings.Contains(r.Message, "rates from the next run") {
			t.Errorf("message %q does not say rates come from the next run", r.Message)
		}
		for _, k := range append([]string{"connect_ms", "query_ms"}, gauge...) {
			if _, ok := r.Values[k]; !ok {
				t.Errorf("value %s missing: %v", k, r.Values)
			}
		}
		for _, k := range delta {
			if _, ok := r.Values[k]; ok {
				t.Errorf("delta rate %s reported on a first run", k)
			}
		}
		if u := r.Values["connections_usage"]; u <= 0 || u > 100 {
			t.Errorf("connections_usage %v, want a percentage above 0 (this connection counts)", u)
		}
		if u := r.Values["innodb_buffer_pool_utilization"]; u <= 0 || u > 100 {
			t.Errorf("innodb_buffer_pool_utilization %v, want a percentage above 0", u)
		}

		t.Run("second run computes every rate", func(t *testing.T) {
			r := runMySQL(t, c, target)
			if r.Status == StatusProblem {
				t.Fatalf("status %s: %s", r.Status, r.Message)
			}
			for _, k := range append(delta, gauge...) {
				if _, ok := r.Values[k]; !ok {
					t.Errorf("rate %s missing on the second run: %s", k, r.Message)
				}
			}
			if strings.Contains(r.Message, "next run") || strings.Contains(r.Message, "not reported") {
				t.Errorf("message %q still notes missing rates", r.Message)
			}
		})
	})

	t.Run("wrong password", func(t *testing.T) {
		c := mustNew(t, "mysql", target, fmt.Sprintf(`{"username":%q,"password":"wrong"}`, mysqlTestUser))
		r := runMySQL(t, c, target)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "connect "+target+": access denied for user 'vigil'") {
			t.Fatalf("got %s %q, want problem naming access denied", r.Status, r.Message)
		}
	})

	t.Run("unreachable port", func(t *testing.T) {
		addr := closedPort(t)
		c := mustNew(t, "mysql", addr, mysqlTestSettings(""))
		r := runMySQL(t, c, addr)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "connection refused") {
			t.Fatalf("got %s %q, want problem: connection refused", r.Status, r.Message)
		}
	})

	t.Run("unknown database", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"database":"nope"`))
		r := runMySQL(t, c, target)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "nope") {
			t.Fatalf("got %s %q, want problem naming the database", r.Status, r.Message)
		}
	})

	t.Run("failing query", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"database":"app","query":"SELECT * FROM missing"`))
		r := runMySQL(t, c, target)
		if r.Status != StatusProblem || !strings.HasPrefix(r.Message, "query: ") || !strings.Contains(r.Message, "missing") {
			t.Fatalf("got %s %q, want problem from the query", r.Status, r.Message)
		}
		if _, ok := r.Values["connect_ms"]; !ok {
			t.Errorf("connect_ms missing after a connection that worked: %v", r.Values)
		}
	})

	t.Run("query runs read only", func(t *testing.T) {
		// A write hidden in a SELECT: the READ ONLY transaction refuses it.
		db.Exec("CREATE TABLE app.log (n INT)", "GRANT INSERT ON app.log TO 'vigil'@'127.0.0.1'")
		db.Exec(`CREATE FUNCTION app.write_log() RETURNS INT MODIFIES SQL DATA SQL SECURITY INVOKER BEGIN INSERT INTO app.log VALUES (1); RETURN 1; END`)
		db.Exec("GRANT EXECUTE ON FUNCTION app.write_log TO 'vigil'@'127.0.0.1'")
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"query":"SELECT app.write_log()"`))
		r := runMySQL(t, c, target)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "READ ONLY") {
			t.Fatalf("got %s %q, want the write refused", r.Status, r.Message)
		}
	})

	t.Run("timed query", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"query":"SELECT SLEEP(0.2)"`))
		r := runMySQL(t, c, target)
		if r.Status != StatusOK || r.Values["query_ms"] < 190 {
			t.Fatalf("got %s %q query_ms %v, want ok and about 200 ms", r.Status, r.Message, r.Values["query_ms"])
		}
	})

	t.Run("deadline", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"query":"SELECT SLEEP(10)"`))
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		r := c.Check(ctx, target)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "timed out") {
			t.Fatalf("got %s %q, want problem: timed out", r.Status, r.Message)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("the check took %s past a 500ms deadline", el)
		}
	})

	t.Run("tls required but not offered", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"tls":"required"`))
		r := runMySQL(t, c, target)
		if r.Status != StatusProblem || !strings.Contains(r.Message, "does not offer TLS") {
			t.Fatalf("got %s %q, want problem: no TLS", r.Status, r.Message)
		}
	})

	t.Run("slow queries cross the threshold", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"slow_queries_warning_percent":1,"slow_queries_error_percent":10`))
		runMySQL(t, c, target)
		conn := rootConn(t, db)
		mustExec(t, conn, "SET SESSION long_query_time = 0.1")
		for range 3 {
			mustExec(t, conn, "SELECT SLEEP(0.2)")
		}
		r := runMySQL(t, c, target)
		if r.Status != StatusProblem || !regexp.MustCompile(`slow_queries [0-9.]+% ≥ 10% \(error\)`).MatchString(r.Message) {
			t.Fatalf("got %s %q, want problem naming slow_queries", r.Status, r.Message)
		}
		if v := r.Values["slow_queries"]; v < 10 {
			t.Fatalf("slow_queries %v%%, want at least 10%%", v)
		}
		t.Run("and back to ok", func(t *testing.T) {
			r := runMySQL(t, c, target)
			if v := r.Values["slow_queries"]; v != 0 {
				t.Fatalf("slow_queries %v%% over an interval without slow queries", v)
			}
		})
	})

	t.Run("full joins raise heavy_joins", func(t *testing.T) {
		c := mustNew(t, "mysql", target, mysqlTestSettings(`"heavy_joins_warning_percent":20,"heavy_joins_error_percent":0`))
		runMySQL(t, c, target)
		conn := rootConn(t, db)
		for range 3 {
			mustExec(t, conn, "SELECT COUNT(*) FROM app.a JOIN app.b ON a.v = b.v")
		}
		r := runMySQL(t, c, target)
		// Other rates may warn too on a server this quiet; heavy_joins
		// must be among them.
		if r.Status == StatusOK || !regexp.MustCompile(`heavy_joins [0-9.]+% ≥ 20% \(warning\)`).MatchString(r.Message) {
			t.Fatalf("got %s %q, want warning naming heavy_joins", r.Status, r.Message)
		}
		if v := r.Values["heavy_joins"]; v < 20 {
			t.Fatalf("heavy_joins %v%%, want at least 20%%", v)
		}
	})

	t.Run("query cache off is noted", func(t *testing.T) {
		db.Exec("SET GLOBAL query_cache_type = OFF")
		defer db.Exec("SET GLOBAL query_cache_type = ON")
		c := mustNew(t, "mysql", target, mysqlTestSettings(""))
		runMySQL(t, c, target)
		r := runMySQL(t, c, target)
		if !strings.Contains(r.Message, "query cache off: query_cache_misses, query_cache_prunes not reported") {
			t.Fatalf("message %q does not note the query cache", r.Message)
		}
		if _, ok := r.Values["query_cache_misses"]; ok {
			t.Fatalf("query_cache_misses reported with the cache off")
		}
	})
}

// rootConn returns one root connection, so session settings hold for the
// statements run on it.
func rootConn(t *testing.T, db *testenv.MariaDB) *sql.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := db.Root().Conn(ctx)
	if err != nil {
		t.Fatalf("root connection: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func mustExec(t *testing.T, conn *sql.Conn, q string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	rows.Close()
}
