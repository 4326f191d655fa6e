package store

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/store/chunk"
)

// steadyResults is a steady monitor: every 30 s with a few ms of jitter,
// latency varying between 10 and 15 ms, the same message and values.
func steadyResults(rng *rand.Rand, start time.Time, n int) []checks.Result {
	rs := make([]checks.Result, n)
	for i := range rs {
		rs[i] = checks.Result{
			At:        start.Add(time.Duration(i)*30*time.Second + time.Duration(rng.IntN(7000))*time.Microsecond),
			Location:  "server",
			Status:    checks.StatusOK,
			LatencyMS: 10 + rng.Float64()*5,
			Message:   "200 OK",
			Values:    map[string]float64{"status_code": 200},
		}
	}
	return rs
}

// BenchmarkRawBytesPerResult reports the encoded size of a steady monitor's
// raw results (B/result) and, for 1,000 such monitors over one day appended
// in batches of 1,000, the bbolt file bytes per result (file-B/result).
func BenchmarkRawBytesPerResult(b *testing.B) {
	b.Run("encoded", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		encodedBytesPerResult(b, steadyResults(rng, seriesBase, 2880)) // one day
	})
	b.Run("encoded-http-timings", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		encodedBytesPerResult(b, httpResults(rng, seriesBase, 2880))
	})
	b.Run("file-1000x1day", func(b *testing.B) {
		for b.Loop() {
			db, err := Open(b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			appendSteady(b, db, 1000, 2880, 1000)
			st, _ := db.SeriesStats()
			size, _ := db.Size()
			b.ReportMetric(float64(st.Bytes)/float64(st.Results), "B/result")
			b.ReportMetric(float64(size)/float64(st.Results), "file-B/result")
			// Pages freed by copy-on-write and not yet reused are part of
			// the file: report them apart.
			free := db.bolt.Stats().FreePageN * db.bolt.Info().PageSize
			b.ReportMetric(float64(free)/float64(st.Results), "free-B/result")
			db.Close()
		}
	})
}

// httpResults is a steady HTTP monitor whose timings, unlike its status
// code, change every result: jitter around a mean, in the 0.1 ms steps
// checks rounds them to.
func httpResults(rng *rand.Rand, start time.Time, n int) []checks.Result {
	rs := steadyResults(rng, start, n)
	ms := func(mean, jitter float64) float64 { // a whole number of tenths
		return math.Round((mean+(rng.Float64()*2-1)*jitter)*10) / 10
	}
	for i := range rs {
		rs[i].Values = map[string]float64{
			"status_code": 200,
			"dns_ms":      ms(0.5, 0.2),
			"connect_ms":  ms(1.2, 0.4),
			"ttfb_ms":     ms(12, 3),
		}
	}
	return rs
}

// encodedBytesPerResult encodes rs into chunks as the store cuts them and
// reports the bytes per result.
func encodedBytesPerResult(b *testing.B, rs []checks.Result) {
	var bytes, n int
	for b.Loop() {
		bytes, n = 0, 0
		var a *chunk.Appender
		for i, r := range rs {
			if i%chunkMaxPoints == 0 {
				if a != nil {
					bytes += len(a.Bytes())
				}
				a, _ = chunk.NewAppender(nil)
			}
			if err := a.Append(toPoint(r)); err != nil {
				b.Fatal(err)
			}
			n++
		}
		bytes += len(a.Bytes())
	}
	b.ReportMetric(float64(bytes)/float64(n), "B/result")
}

// appendSteady appends perMonitor steady results for monitors monitors, in
// time order across monitors, in batches of batch.
func appendSteady(b *testing.B, db *DB, monitors, perMonitor, batch int) {
	rng := rand.New(rand.NewPCG(3, 4))
	series := make([][]checks.Result, monitors)
	for m := range series {
		series[m] = steadyResults(rng, seriesBase, perMonitor)
	}
	for m := range monitors {
		seedMonitors(b, db, fmt.Sprint(m+1))
	}
	buf := make([]MonitorResult, 0, batch)
	for i := range perMonitor {
		for m := range monitors {
			buf = append(buf, MonitorResult{MonitorID: fmt.Sprint(m + 1), Result: series[m][i]})
			if len(buf) == batch {
				if err := db.AppendResults(buf); err != nil {
					b.Fatal(err)
				}
				buf = buf[:0]
			}
		}
	}
	if len(buf) > 0 {
		if err := db.AppendResults(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendResults measures group-commit ingest: batches of 1,000
// results, one per monitor, each batch one transaction (with fsync).
func BenchmarkAppendResults(b *testing.B) {
	db := openSeriesDB(b, b.TempDir())
	rng := rand.New(rand.NewPCG(5, 6))
	const monitors = 1000
	for m := range monitors {
		seedMonitors(b, db, fmt.Sprint(m+1))
	}
	batch := make([]MonitorResult, monitors)
	at := seriesBase
	n := 0
	for b.Loop() {
		for m := range batch {
			batch[m] = MonitorResult{MonitorID: fmt.Sprint(m + 1), Result: checks.Result{
				At: at.Add(time.Duration(rng.IntN(5000)) * time.Microsecond), Location: "server",
				Status: checks.StatusOK, LatencyMS: 10 + rng.Float64()*5, Message: "200 OK",
				Values: map[string]float64{"status_code": 200},
			}}
		}
		if err := db.AppendResults(batch); err != nil {
			b.Fatal(err)
		}
		at = at.Add(30 * time.Second)
		n += monitors
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "results/s")
}

// BenchmarkCompact measures one Compact pass over 1,000 monitors that each
// got one new minute of results, as the server would call it every minute.
func BenchmarkCompact(b *testing.B) {
	db := openSeriesDB(b, b.TempDir())
	appendSteady(b, db, 1000, 120, 1000) // one hour
	now := seriesBase.Add(time.Hour)
	if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		now = now.Add(time.Minute)
		if _, err := db.Compact(context.Background(), now, DefaultRetention); err != nil {
			b.Fatal(err)
		}
	}
}
