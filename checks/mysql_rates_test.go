package checks

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// snap builds a reading from name/value pairs, as the server sends them.
func snap(pairs ...string) *mysqlSnapshot {
	return with(newMySQLSnapshot(), pairs...)
}

// with adds name/value pairs to s, as the server sends them.
func with(s *mysqlSnapshot, pairs ...string) *mysqlSnapshot {
	for i := 0; i+1 < len(pairs); i += 2 {
		s.add(pairs[i], pairs[i+1])
	}
	return s
}

// without drops counters from s.
func without(s *mysqlSnapshot, names ...string) *mysqlSnapshot {
	for _, n := range names {
		delete(s.vals, n)
	}
	return s
}

// fullSnap is a reading of a MariaDB with the query cache on, every
// counter at base (uptime 1000 s) and pairs on top.
func fullSnap(base string, pairs ...string) *mysqlSnapshot {
	all := []string{"Uptime", "1000", "have_query_cache", "YES", "query_cache_type", "ON", "query_cache_size", "1048576"}
	for _, n := range mysqlStatusNames {
		if n != "Uptime" {
			all = append(all, n, base)
		}
	}
	all = append(all, "max_connections", "100", "open_files_limit", "1000")
	return snap(append(all, pairs...)...)
}

func TestMySQLComputeRates(t *testing.T) {
	delta, gauge := mysqlDeltaRates()
	cases := []struct {
		name       string
		prev, cur  *mysqlSnapshot
		want       map[string]float64 // values that must be exactly so
		absent     []string
		notes      []string
		allPresent bool
	}{
		{
			name: "first run: gauges only",
			cur: fullSnap("10", "Innodb_buffer_pool_pages_total", "1000", "Innodb_buffer_pool_pages_free", "250",
				"Threads_connected", "15", "Open_files", "50"),
			want:   map[string]float64{"innodb_buffer_pool_utilization": 75, "connections_usage": 15, "open_files_usage": 5},
			absent: delta,
			notes:  []string{"rates from the next run"},
		},
		{
			name: "deltas over the interval, not since start",
			prev: fullSnap("100", "Slow_queries", "1000", "Questions", "1000"),
			cur: fullSnap("100", "Slow_queries", "1005", "Questions", "1200",
				"Table_locks_waited", "101", "Table_locks_immediate", "103",
				"Select_full_join", "102", "Select_full_range_join", "101", "Com_select", "110",
				"Qcache_hits", "130", "Qcache_inserts", "110", "Qcache_lowmem_prunes", "101",
				"Threads_created", "101", "Connections", "104", "Aborted_connects", "102"),
			want: map[string]float64{"slow_queries": 2.5, "table_lock_contention": 25, "heavy_joins": 30,
				"query_cache_misses": 25, "query_cache_prunes": 10, "thread_cache_misses": 25, "aborted_connects": 50,
				"tmp_disk_tables": 0, "innodb_log_waits": 0},
			allPresent: true,
		},
		{
			name: "zero denominators are 0",
			prev: fullSnap("0"), cur: fullSnap("0", "max_connections", "0", "open_files_limit", "0"),
			want: map[string]float64{"slow_queries": 0, "connections_usage": 0, "open_files_usage": 0, "innodb_buffer_pool_utilization": 0},
		},
		{
			name:   "query cache off (MariaDB default)",
			prev:   fullSnap("1"),
			cur:    fullSnap("2", "query_cache_type", "OFF"),
			absent: []string{"query_cache_misses", "query_cache_prunes"},
			notes:  []string{"query cache off: query_cache_misses, query_cache_prunes not reported"},
		},
		{
			name:   "query cache with no room",
			prev:   fullSnap("1"),
			cur:    fullSnap("2", "query_cache_size", "0"),
			absent: []string{"query_cache_misses", "query_cache_prunes"},
			notes:  []string{"query cache off: query_cache_misses, query_cache_prunes not reported"},
		},
		{
			name: "MySQL 8: no query cache at all",
			prev: snap("Uptime", "10", "Slow_queries", "0", "Questions", "10"),
			cur:  snap("Uptime", "20", "Slow_queries", "1", "Questions", "20"),
			want: map[string]float64{"slow_queries": 10},
			notes: []string{"slow_threads, heavy_joins, table_lock_contention, tmp_disk_tables, key_cache_misses, innodb_buffer_pool_misses, innodb_buffer_pool_waits, innodb_log_waits, thread_cache_misses, innodb_buffer_pool_utilization, connections_usage, aborted_connects, open_files_usage not reported: the server lacks their counters",
				"query cache off: query_cache_misses, query_cache_prunes not reported"},
		},
		{
			name:   "FLUSH STATUS: a counter went backwards",
			prev:   fullSnap("100", "Slow_queries", "50"),
			cur:    fullSnap("200", "Slow_queries", "3"),
			want:   map[string]float64{"heavy_joins": 200, "key_cache_misses": 100},
			absent: []string{"slow_queries"},
			notes:  []string{"counters went backwards (FLUSH STATUS?): slow_queries from the next run"},
		},
		{
			name:   "restart: uptime went backwards",
			prev:   fullSnap("100"),
			cur:    fullSnap("200", "Uptime", "5"),
			absent: delta,
			want:   map[string]float64{"connections_usage": 200},
			notes:  []string{"server restarted (up 5 s): rates from the next run"},
		},
		{
			name:   "a counter new since the last run",
			prev:   without(fullSnap("1"), "Slow_queries"),
			cur:    fullSnap("2"),
			absent: []string{"slow_queries"},
			notes:  []string{"slow_queries from the next run"},
		},
		{
			name:   "nonsense values count as missing",
			prev:   fullSnap("1"),
			cur:    with(without(fullSnap("2"), "Slow_queries", "Threads_connected"), "Slow_queries", "NaN", "Threads_connected", "-5"),
			absent: []string{"slow_queries", "connections_usage"},
			notes:  []string{"slow_queries, connections_usage not reported: the server lacks their counters"},
		},
		{
			name: "more free pages than pages: 0, not negative",
			cur:  fullSnap("1", "Innodb_buffer_pool_pages_total", "10", "Innodb_buffer_pool_pages_free", "20"),
			want: map[string]float64{"innodb_buffer_pool_utilization": 0},
		},
		{
			name: "above 100% is kept (several full joins per select)",
			prev: fullSnap("0"),
			cur:  fullSnap("0", "Select_full_join", "3", "Com_select", "1"),
			want: map[string]float64{"heavy_joins": 300},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := mysqlComputeRates(tc.prev, tc.cur)
			for k, v := range tc.want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
				}
			}
			for _, k := range tc.absent {
				if v, ok := got[k]; ok {
					t.Errorf("%s = %v, want it left out", k, v)
				}
			}
			if tc.allPresent {
				for _, k := range append(delta, gauge...) {
					if _, ok := got[k]; !ok {
						t.Errorf("%s missing", k)
					}
				}
			}
			for k, v := range got {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Errorf("%s = %v", k, v)
				}
			}
			if tc.notes != nil && !reflect.DeepEqual(notes, tc.notes) {
				t.Errorf("notes\n %q\nwant\n %q", notes, tc.notes)
			}
		})
	}
}

func TestMySQLSnapshotKeepsOnlyWanted(t *testing.T) {
	s := newMySQLSnapshot()
	for i := range 10000 {
		s.add("Com_stmt_"+strings.Repeat("x", i%50), "1")
	}
	s.add("SLOW_QUERIES", " 7 ")
	s.add("Slow_launch_threads", "18446744073709551615")
	if len(s.vals) != 2 || s.vals["Slow_queries"] != 7 || s.vals["Slow_launch_threads"] != math.MaxUint64 {
		t.Fatalf("kept %v", s.vals)
	}
}

func TestMySQLLimitJudge(t *testing.T) {
	l := mysqlLimit{warn: 5, err: 20}
	cases := []struct {
		v    float64
		want Status
		note string
	}{
		{4.99, StatusOK, ""},
		{5, StatusWarning, "slow_queries 5% ≥ 5% (warning)"},
		{12.5, StatusWarning, "slow_queries 12.5% ≥ 5% (warning)"},
		{20, StatusProblem, "slow_queries 20% ≥ 20% (error)"},
	}
	for _, tc := range cases {
		st, note := l.judge("slow_queries", tc.v)
		if st != tc.want || note != tc.note {
			t.Errorf("judge(%v) = %s %q, want %s %q", tc.v, st, note, tc.want, tc.note)
		}
	}
	if st, _ := (mysqlLimit{}).judge("x", 1e9); st != StatusOK {
		t.Errorf("thresholds off: %s", st)
	}
}

func TestMySQLFormulas(t *testing.T) {
	want := map[string]string{
		"slow_queries":                   "Slow_queries / Questions",
		"heavy_joins":                    "(Select_full_join + Select_full_range_join) / Com_select",
		"table_lock_contention":          "Table_locks_waited / (Table_locks_waited + Table_locks_immediate)",
		"innodb_buffer_pool_utilization": "(Innodb_buffer_pool_pages_total − Innodb_buffer_pool_pages_free) / Innodb_buffer_pool_pages_total",
		"connections_usage":              "Threads_connected / max_connections",
	}
	for _, r := range mysqlRates {
		if w, ok := want[r.name]; ok && r.formula() != w {
			t.Errorf("%s: %q, want %q", r.name, r.formula(), w)
		}
	}
	if !slices.Contains(mysqlVariableNames, "max_connections") || slices.Contains(mysqlStatusNames, "max_connections") {
		t.Errorf("variables %v, status %v", mysqlVariableNames, mysqlStatusNames)
	}
}

// FuzzMySQLRates feeds arbitrary rows to two readings: computing the
// rates must not panic, and every value is a finite, non-negative number
// under a rate's name.
func FuzzMySQLRates(f *testing.F) {
	f.Add("Slow_queries", "5", "Questions", "100", "Slow_queries", "3")
	f.Add("Uptime", "10", "Uptime", "5", "query_cache_type", "OFF")
	f.Add("max_connections", "0", "Threads_connected", "18446744073709551615", "have_query_cache", "NO")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, n3, v3 string) {
		prev := fullSnap("1000", n1, v1)
		cur := fullSnap("1000", n2, v2, n3, v3)
		got, notes := mysqlComputeRates(prev, cur)
		_, _ = mysqlComputeRates(nil, cur)
		for k, v := range got {
			if !slices.ContainsFunc(mysqlRates, func(r mysqlRate) bool { return r.name == k }) {
				t.Fatalf("value %q is no rate", k)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%s = %v", k, v)
			}
		}
		if len(cur.vals) > len(mysqlWanted) {
			t.Fatalf("snapshot grew to %d values", len(cur.vals))
		}
		_ = notes
	})
}
