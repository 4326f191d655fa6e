package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// When a maintenance window is on. A weekly window's times are wall-clock
// times in its zone, and on the days the clocks change they follow
// iCalendar (RFC 5545, 3.3.5): a time the clocks skip (02:30 when they
// jump from 02:00 to 03:00) is read with the offset before the jump, so it
// falls as much later as the jump is long (03:30); a time that happens
// twice (02:30 when they go back from 03:00 to 02:00) is its first
// occurrence. So a window 01:30–02:30 lasts one real hour on both change
// days, as on any other.

// ActiveAt reports whether w is on at t: a one-off window from Start
// (included) to End (excluded), a weekly one during any occurrence. A
// window that does not validate (a time zone this system lacks, say) is
// never on.
func (w MaintenanceWindow) ActiveAt(t time.Time) bool {
	if w.Weekly == nil {
		return !w.Start.IsZero() && !t.Before(w.Start) && t.Before(w.End)
	}
	// The day after too: where the clocks go back at midnight, the
	// first hour of a date can come before the end of the one before.
	occ, ok := w.Weekly.occurrences(t, 2, 1)
	if !ok {
		return false
	}
	for _, o := range occ {
		if !t.Before(o.start) && t.Before(o.end) {
			return true
		}
	}
	return false
}

// NextChange returns when w next opens or closes after t: the end of the
// occurrence t is in, else the start of the next one. It returns the zero
// time when w never changes again (a one-off window that is over, a
// weekly one on every day all day, or one that does not validate).
func (w MaintenanceWindow) NextChange(t time.Time) time.Time {
	if w.Weekly == nil {
		switch {
		case w.Start.IsZero() || !w.End.After(w.Start) || !t.Before(w.End):
			return time.Time{}
		case t.Before(w.Start):
			return w.Start
		}
		return w.End
	}
	// Eight days ahead always hold the next start, and the end of a run
	// of occurrences unless they run all week without a break.
	occ, ok := w.Weekly.occurrences(t, 2, 8)
	if !ok {
		return time.Time{}
	}
	runs := mergeSpans(occ)
	for i, r := range runs {
		if t.Before(r.start) {
			return r.start
		}
		if t.Before(r.end) {
			if i == len(runs)-1 && w.Weekly.always() {
				return time.Time{}
			}
			return r.end
		}
	}
	return time.Time{}
}

// span is one occurrence of a window, or several run together.
type span struct{ start, end time.Time }

// occurrences returns the spans of the occurrences starting on the local
// dates from `before` days before t's to `after` days after, in order,
// and false when the window's times or zone do not parse.
func (wk WeeklyWindow) occurrences(t time.Time, before, after int) ([]span, bool) {
	loc, err := loadZone(wk.TimeZone)
	if err != nil {
		return nil, false
	}
	fh, fm, err1 := parseClock(wk.From)
	th, tm, err2 := parseClock(wk.To)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	overnight := th*60+tm <= fh*60+fm
	y, mo, d := t.In(loc).Date()
	var out []span
	for i := -before; i <= after; i++ {
		day := time.Date(y, mo, d+i, 12, 0, 0, 0, time.UTC) // noon: never a date change
		if !slices.Contains(wk.Days, day.Weekday()) {
			continue
		}
		endDay := day
		if overnight {
			endDay = day.AddDate(0, 0, 1)
		}
		out = append(out, span{start: wallTime(day, fh, fm, loc), end: wallTime(endDay, th, tm, loc)})
	}
	return out, true
}

// always reports whether the window is on all week without a break.
func (wk WeeklyWindow) always() bool {
	if wk.From != wk.To {
		return false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if !slices.Contains(wk.Days, d) {
			return false
		}
	}
	return true
}

// mergeSpans joins spans that overlap or touch (Monday 00:00–00:00 and
// Tuesday 00:00–00:00 are one span of two days). spans is sorted by start.
func mergeSpans(spans []span) []span {
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && !s.start.After(out[n-1].end) {
			if s.end.After(out[n-1].end) {
				out[n-1].end = s.end
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// wallTime is the instant the wall clock of loc shows hh:mm on date
// (year, month and day of date), as RFC 5545 reads skipped and repeated
// times. time.Date does not promise which instant it picks in either case
// (and picks differently east and west of Greenwich), so the candidates
// are tried one by one.
func wallTime(date time.Time, hh, mm int, loc *time.Location) time.Time {
	y, mo, d := date.Date()
	naive := time.Date(y, mo, d, hh, mm, 0, 0, time.UTC)
	// The offsets in force a day and a half either side cover any change
	// of the clocks near this wall time.
	_, before := naive.Add(-36 * time.Hour).In(loc).Zone()
	_, at := naive.In(loc).Zone()
	_, after := naive.Add(36 * time.Hour).In(loc).Zone()
	var found []time.Time
	for _, off := range []int{before, at, after} {
		u := naive.Add(-time.Duration(off) * time.Second)
		ly, lmo, ld := u.In(loc).Date()
		if ly == y && lmo == mo && ld == d && u.In(loc).Hour() == hh && u.In(loc).Minute() == mm {
			found = append(found, u)
		}
	}
	if len(found) == 0 {
		// Skipped: read with the offset before the jump.
		return naive.Add(-time.Duration(before) * time.Second).In(loc)
	}
	return slices.MinFunc(found, func(a, b time.Time) int { return a.Compare(b) }).In(loc)
}

// parseClock reads "HH:MM", 00:00 to 23:59.
func parseClock(s string) (hh, mm int, err error) {
	digit := func(i int) int { return int(s[i] - '0') }
	if len(s) == 5 && s[2] == ':' && strings.Trim(s[:2]+s[3:], "0123456789") == "" {
		hh, mm = digit(0)*10+digit(1), digit(3)*10+digit(4)
		if hh <= 23 && mm <= 59 {
			return hh, mm, nil
		}
	}
	return 0, 0, fmt.Errorf("%q is not a time of day: want HH:MM, 00:00 to 23:59", s)
}

// zones caches loaded time zones by name. Only names that load are kept,
// so it holds at most the few hundred zones there are.
var zones sync.Map // string → *time.Location

// loadZone loads an IANA time zone. "" and "Local" are refused: a window
// must not change meaning with the server's own zone.
func loadZone(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, errors.New("a time zone is required, e.g. Europe/Berlin or UTC")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)", name)
	}
	zones.Store(name, loc)
	return loc, nil
}
