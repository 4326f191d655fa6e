package live

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store"
)

// SparkLen is how many recent latencies a sparkline holds.
const SparkLen = 30

// Summary is what the dashboard shows of one monitor. It is a copy: the
// caller may keep and change it (Values maps inside Last are shared and
// must be treated as read-only).
type Summary struct {
	MonitorID string
	// Status is set by SetStatus (from the state engine); unknown until then.
	Status checks.Status
	// Last holds the newest result of each location, ordered by location.
	Last []checks.Result
	// Newest is the most recent of Last; zero when never checked.
	Newest checks.Result
	// LastAt is Newest.At; zero when never checked.
	LastAt time.Time
	// LastLatencyMS is Newest.LatencyMS; -1 when never checked.
	LastLatencyMS float64
	// Sparkline holds up to SparkLen recent latencies in ms, oldest first.
	Sparkline []float64
	// Uptime24h and Uptime30d are percentages; -1 when there is no data.
	Uptime24h, Uptime30d float64
}

// entry is one monitor's live data.
type entry struct {
	status    checks.Status
	last      []checks.Result // by location
	spark     [SparkLen]float64
	sparkN    int // values held
	sparkNext int // where the next value goes
	hours     hours
}

// Cache holds every monitor's summary. It is safe for concurrent use;
// locks are held only to copy small values.
type Cache struct {
	now func() time.Time

	mu      sync.RWMutex
	entries map[string]*entry
}

// New returns an empty cache; Load fills it from the store.
func New() *Cache {
	return &Cache{now: time.Now, entries: map[string]*entry{}}
}

// hourOf is the hour number of t.
func hourOf(t time.Time) int64 { return t.Unix() / 3600 }

// Observe adds committed results. A result older than the newest one of
// its location still counts for uptime but does not replace it.
func (c *Cache) Observe(batch []store.MonitorResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, mr := range batch {
		c.entry(mr.MonitorID).observe(mr.Result)
	}
}

// entry returns id's entry, creating it. c.mu must be held for writing.
func (c *Cache) entry(id string) *entry {
	e, ok := c.entries[id]
	if !ok {
		e = &entry{status: checks.StatusUnknown}
		c.entries[id] = e
	}
	return e
}

func (e *entry) observe(r checks.Result) {
	if !r.Status.Valid() {
		return
	}
	e.setLast(r)
	e.pushSpark(r.LatencyMS)
	e.hours.add(hourOf(r.At), countOf(r.Status, 1))
}

func countOf(s checks.Status, n uint32) bucket {
	b := bucket{total: n}
	if s == checks.StatusOK || s == checks.StatusWarning {
		b.up = n
	}
	return b
}

// setLast keeps r as its location's newest result unless a newer one is
// already held.
func (e *entry) setLast(r checks.Result) {
	i, found := slices.BinarySearchFunc(e.last, r.Location, func(x checks.Result, loc string) int {
		return strings.Compare(x.Location, loc)
	})
	switch {
	case !found:
		e.last = slices.Insert(e.last, i, r)
	case !r.At.Before(e.last[i].At):
		e.last[i] = r
	}
}

func (e *entry) pushSpark(ms float64) {
	if ms != ms || ms < 0 { // NaN or nonsense: the sparkline stays NaN-free
		ms = 0
	}
	e.spark[e.sparkNext] = ms
	e.sparkNext = (e.sparkNext + 1) % SparkLen
	e.sparkN = min(e.sparkN+1, SparkLen)
}

// SetStatus records a monitor's status as the state engine decided it.
func (c *Cache) SetStatus(id string, s checks.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entry(id).status = s
}

// Upsert makes a new or changed monitor known, so it is listed before its
// first result: a paused monitor shows as paused, one just resumed as
// unknown until the engine says otherwise.
func (c *Cache) Upsert(m store.Monitor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(m.ID)
	switch {
	case m.Paused:
		e.status = checks.StatusPaused
	case e.status == checks.StatusPaused:
		e.status = checks.StatusUnknown
	}
}

// Remove forgets a monitor.
func (c *Cache) Remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}

// Summary returns a copy of one monitor's summary.
func (c *Cache) Summary(id string) (Summary, bool) {
	h := hourOf(c.now())
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.entries[id]
	if !ok {
		return Summary{}, false
	}
	return e.summary(id, h, nil, nil), true
}

// All returns a copy of every summary, in no particular order.
func (c *Cache) All() []Summary {
	h := hourOf(c.now())
	c.mu.RLock()
	defer c.mu.RUnlock()
	nLast := 0
	for _, e := range c.entries {
		nLast += len(e.last)
	}
	// One backing array each for sparklines and last results instead of
	// two allocations per monitor.
	sparks := make([]float64, 0, len(c.entries)*SparkLen)
	lasts := make([]checks.Result, 0, nLast)
	out := make([]Summary, 0, len(c.entries))
	for id, e := range c.entries {
		ns, nl := len(sparks), len(lasts)
		s := e.summary(id, h, sparks[ns:ns:ns+e.sparkN], lasts[nl:nl:nl+len(e.last)])
		sparks = sparks[:ns+e.sparkN]
		lasts = lasts[:nl+len(e.last)]
		out = append(out, s)
	}
	return out
}

// summary copies e, appending the sparkline and last results to spark
// and last (which the caller sizes; nil allocates).
func (e *entry) summary(id string, h int64, spark []float64, last []checks.Result) Summary {
	s := Summary{MonitorID: id, Status: e.status}
	start := (e.sparkNext - e.sparkN + SparkLen) % SparkLen
	for i := range e.sparkN {
		spark = append(spark, e.spark[(start+i)%SparkLen])
	}
	s.Sparkline = spark
	s.Last = append(last, e.last...)
	for _, r := range e.last {
		if r.At.After(s.Newest.At) {
			s.Newest = r
		}
	}
	s.LastAt, s.LastLatencyMS = s.Newest.At, -1
	if len(e.last) > 0 {
		s.LastLatencyMS = s.Newest.LatencyMS
	}
	day, month := e.hours.at(h)
	s.Uptime24h, s.Uptime30d = day.percent(), month.percent()
	return s
}
