package checks

import (
	"strconv"
	"strings"
	"time"
)

// mysqlNotes gathers the rates that could not be reported, by reason, in
// the order the reasons first came up: "query cache off: query_cache_misses,
// query_cache_prunes not reported".
type mysqlNotes struct {
	reasons []string
	names   map[string][]string
}

// add files rate name under reason; an empty name notes the reason alone.
func (n *mysqlNotes) add(reason, name string) {
	if n.names == nil {
		n.names = map[string][]string{}
	}
	if _, ok := n.names[reason]; !ok {
		n.reasons = append(n.reasons, reason)
		n.names[reason] = nil
	}
	if name != "" {
		n.names[reason] = append(n.names[reason], name)
	}
}

// strings writes one note per reason. A reason holding "%s" has the names
// put in its place; otherwise they follow it after a colon.
func (n *mysqlNotes) strings() []string {
	out := make([]string, 0, len(n.reasons))
	for _, r := range n.reasons {
		names := strings.Join(n.names[r], ", ")
		switch {
		case strings.Contains(r, "%s"):
			out = append(out, strings.Replace(r, "%s", names, 1))
		case names != "":
			out = append(out, r+": "+names)
		default:
			out = append(out, r)
		}
	}
	return out
}

// mysqlRestartSlack is how far Uptime may fall behind the time between two
// readings before that counts as a restart: Uptime is whole seconds, and
// the two clocks are read a round trip apart.
const mysqlRestartSlack = 30 * time.Second

// mysqlComputeRates returns the rates between two readings of the same
// server (prev is nil on a first run) and notes on those it could not
// report. Delta rates need prev; a counter that went backwards (FLUSH
// STATUS, or a restart) restarts that rate's interval, so it is reported
// from the next run on. A rate whose counters the server lacks is left
// out with a note, never reported as 0.
func mysqlComputeRates(prev, cur *mysqlSnapshot) (map[string]float64, []string) {
	values := make(map[string]float64, len(mysqlRates))
	var notes mysqlNotes
	restarted := mysqlRestarted(prev, cur)
	for _, r := range mysqlRates {
		if r.usesQueryCache() && !cur.queryCacheInUse() {
			notes.add("query cache off: %s not reported", r.name)
			continue
		}
		if cur.missing(r.counters()) != "" {
			notes.add("%s not reported: the server lacks their counters", r.name)
			continue
		}
		if r.gauge {
			values[r.name] = r.ratio(func(n string) float64 { return cur.vals[n] })
			continue
		}
		switch {
		case prev == nil:
			notes.add("rates from the next run", "")
		case restarted:
			notes.add("server restarted (up "+strconv.FormatFloat(cur.vals[mysqlUptime], 'f', 0, 64)+" s): rates from the next run", "")
		case prev.missing(r.counters()) != "":
			notes.add("%s from the next run", r.name)
		case mysqlWentBack(prev, cur, r.counters()):
			notes.add("counters went backwards (FLUSH STATUS?): %s from the next run", r.name)
		default:
			values[r.name] = r.ratio(func(n string) float64 { return cur.vals[n] - prev.vals[n] })
		}
	}
	return values, notes.strings()
}

// mysqlWentBack reports whether any of names is lower in cur than in prev.
func mysqlWentBack(prev, cur *mysqlSnapshot, names []string) bool {
	for _, n := range names {
		if cur.vals[n] < prev.vals[n] {
			return true
		}
	}
	return false
}

// mysqlRestarted reports whether the server restarted between prev and
// cur: Uptime went backwards, or grew less than the time between the
// readings. The second catches a restart that a long interval (or failed
// runs between) hides from the first: up 100 s, restarted, read again
// 500 s later at 450 s, its counters again larger than before.
func mysqlRestarted(prev, cur *mysqlSnapshot) bool {
	if prev == nil {
		return false
	}
	was, ok1 := prev.vals[mysqlUptime]
	now, ok2 := cur.vals[mysqlUptime]
	if !ok1 || !ok2 {
		return false // no Uptime: nothing to tell a restart by
	}
	if now < was {
		return true
	}
	if prev.at.IsZero() || cur.at.IsZero() {
		return false
	}
	elapsed := cur.at.Sub(prev.at) - mysqlRestartSlack
	return elapsed > 0 && now < was+elapsed.Seconds()
}
