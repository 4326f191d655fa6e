package checks

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// mysqlRate is one health rate of a MySQL or MariaDB server: a
// percentage of two sums of server counters. A delta rate divides how much
// the counters grew since the previous run, so it describes the interval
// between two runs rather than the whole uptime; a gauge divides current
// values (how full something is now).
type mysqlRate struct {
	name  string   // value key and prefix of its threshold settings
	gauge bool     // current values rather than growth since the last run
	num   []string // counters added up above the line
	less  []string // counters taken off the numerator
	den   []string // counters added up below the line
	// warn and err are the default thresholds in percent; 0 is off.
	warn, err float64
}

// mysqlRates are the rates the check reports, in the order messages and
// settings list them. Names are as SHOW GLOBAL STATUS and SHOW GLOBAL
// VARIABLES spell them (status counters capitalised, variables not).
var mysqlRates = []mysqlRate{
	{name: "slow_queries", num: []string{"Slow_queries"}, den: []string{"Questions"}, warn: 5, err: 20},
	{name: "slow_threads", num: []string{"Slow_launch_threads"}, den: []string{"Threads_created"}, warn: 5, err: 20},
	{name: "heavy_joins", num: []string{"Select_full_join", "Select_full_range_join"}, den: []string{"Com_select"}, warn: 10, err: 30},
	{name: "table_lock_contention", num: []string{"Table_locks_waited"}, den: []string{"Table_locks_waited", "Table_locks_immediate"}, warn: 5, err: 20},
	{name: "tmp_disk_tables", num: []string{"Created_tmp_disk_tables"}, den: []string{"Created_tmp_tables"}, warn: 25, err: 50},
	{name: "key_cache_misses", num: []string{"Key_reads"}, den: []string{"Key_read_requests"}, warn: 5, err: 20},
	{name: "query_cache_misses", num: []string{"Qcache_inserts"}, den: []string{"Qcache_hits", "Qcache_inserts"}, warn: 80, err: 0},
	{name: "query_cache_prunes", num: []string{"Qcache_lowmem_prunes"}, den: []string{"Qcache_inserts"}, warn: 10, err: 50},
	{name: "innodb_buffer_pool_misses", num: []string{"Innodb_buffer_pool_reads"}, den: []string{"Innodb_buffer_pool_read_requests"}, warn: 5, err: 20},
	{name: "innodb_buffer_pool_waits", num: []string{"Innodb_buffer_pool_wait_free"}, den: []string{"Innodb_buffer_pool_write_requests"}, warn: 1, err: 5},
	{name: "innodb_log_waits", num: []string{"Innodb_log_waits"}, den: []string{"Innodb_log_writes"}, warn: 1, err: 5},
	{name: "thread_cache_misses", num: []string{"Threads_created"}, den: []string{"Connections"}, warn: 50, err: 0},
	{name: "innodb_buffer_pool_utilization", gauge: true, num: []string{"Innodb_buffer_pool_pages_total"}, less: []string{"Innodb_buffer_pool_pages_free"}, den: []string{"Innodb_buffer_pool_pages_total"}},
	{name: "connections_usage", gauge: true, num: []string{"Threads_connected"}, den: []string{"max_connections"}, warn: 80, err: 95},
	{name: "aborted_connects", num: []string{"Aborted_connects"}, den: []string{"Connections"}, warn: 5, err: 20},
	{name: "open_files_usage", gauge: true, num: []string{"Open_files"}, den: []string{"open_files_limit"}, warn: 85, err: 95},
}

// mysqlUptime tells a restart (it went backwards) from a FLUSH STATUS.
const mysqlUptime = "Uptime"

// The variables that say whether the query cache is in use. MySQL 8 has
// none of them; MariaDB has them all, with the cache off by default.
const (
	mysqlHaveQueryCache = "have_query_cache"
	mysqlQueryCacheType = "query_cache_type"
	mysqlQueryCacheSize = "query_cache_size"
)

// formula writes the rate as the doc page and the form show it:
// "Slow_queries / Questions".
func (r mysqlRate) formula() string {
	num := strings.Join(r.num, " + ")
	if len(r.less) > 0 {
		num += " − " + strings.Join(r.less, " − ")
	}
	if len(r.num)+len(r.less) > 1 {
		num = "(" + num + ")"
	}
	den := strings.Join(r.den, " + ")
	if len(r.den) > 1 {
		den = "(" + den + ")"
	}
	return num + " / " + den
}

// counters returns every counter the rate reads.
func (r mysqlRate) counters() []string {
	out := make([]string, 0, len(r.num)+len(r.less)+len(r.den))
	out = append(out, r.num...)
	out = append(out, r.less...)
	return append(out, r.den...)
}

// usesQueryCache reports whether the rate describes the query cache.
func (r mysqlRate) usesQueryCache() bool {
	return strings.HasPrefix(r.num[0], "Qcache_")
}

// ratio computes the rate from a getter of counter values (current values
// for a gauge, growth for a delta rate).
func (r mysqlRate) ratio(get func(string) float64) float64 {
	var num, den float64
	for _, n := range r.num {
		num += get(n)
	}
	for _, n := range r.less {
		num -= get(n)
	}
	for _, n := range r.den {
		den += get(n)
	}
	return mysqlPercent(num, den)
}

// mysqlPercent is 100·num/den rounded to 0.01: 0 for a zero (or
// nonsensical negative) denominator or numerator, never NaN or Inf.
func mysqlPercent(num, den float64) float64 {
	if !(den > 0) || !(num > 0) {
		return 0
	}
	p := 100 * num / den
	if math.IsInf(p, 0) || math.IsNaN(p) {
		return 0
	}
	return roundHundredths(p)
}

// mysqlStatusNames and mysqlVariableNames are what the check asks the
// server for, in the server's spelling.
var mysqlStatusNames, mysqlVariableNames = mysqlWantedNames()

func mysqlWantedNames() (status, variables []string) {
	seen := map[string]bool{}
	add := func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		// Status counters are capitalised, variables are not.
		if n[0] >= 'A' && n[0] <= 'Z' {
			status = append(status, n)
		} else {
			variables = append(variables, n)
		}
	}
	add(mysqlUptime)
	for _, r := range mysqlRates {
		for _, n := range r.counters() {
			add(n)
		}
	}
	for _, n := range []string{mysqlHaveQueryCache, mysqlQueryCacheType, mysqlQueryCacheSize} {
		add(n)
	}
	return status, variables
}

// mysqlWanted maps the lower-cased names asked for to their spelling here.
var mysqlWanted = func() map[string]string {
	m := map[string]string{}
	for _, n := range append(append([]string{}, mysqlStatusNames...), mysqlVariableNames...) {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// mysqlSnapshot is one reading of the counters and variables the rates
// need. Only names asked for are kept, so a server that answers with more
// rows cannot grow it.
type mysqlSnapshot struct {
	vals map[string]float64 // numeric values by their spelling in mysqlRates
	// queryCacheOff is set when the server said the query cache is off or
	// absent (have_query_cache NO, query_cache_type OFF).
	queryCacheOff bool
	// at is when the reading was taken, to tell a restart by Uptime; zero
	// when unknown.
	at time.Time
}

func newMySQLSnapshot() *mysqlSnapshot {
	return &mysqlSnapshot{vals: make(map[string]float64, len(mysqlWanted))}
}

// add records one row of SHOW GLOBAL STATUS or VARIABLES. Names not asked
// for and values that are not non-negative whole numbers are ignored: the
// rate that needs them is then reported as missing.
func (s *mysqlSnapshot) add(name, value string) {
	key, ok := mysqlWanted[strings.ToLower(name)]
	if !ok {
		return
	}
	switch key {
	case mysqlHaveQueryCache:
		s.queryCacheOff = s.queryCacheOff || !strings.EqualFold(value, "YES")
		return
	case mysqlQueryCacheType:
		s.queryCacheOff = s.queryCacheOff || strings.EqualFold(value, "OFF") || value == "0"
		return
	}
	n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64)
	if err != nil {
		return
	}
	s.vals[key] = float64(n)
}

// queryCacheInUse reports whether the query cache rates mean anything:
// the server has the cache, it is on and it has room.
func (s *mysqlSnapshot) queryCacheInUse() bool {
	size, ok := s.vals[mysqlQueryCacheSize]
	return !s.queryCacheOff && ok && size > 0
}

// missing returns the first of names the snapshot lacks, or "".
func (s *mysqlSnapshot) missing(names []string) string {
	for _, n := range names {
		if _, ok := s.vals[n]; !ok {
			return n
		}
	}
	return ""
}
