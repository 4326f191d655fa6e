package store

import (
	"testing"
	"time"
)

func weeklyWindow(zone, from, to string, days ...time.Weekday) MaintenanceWindow {
	return MaintenanceWindow{Name: "w", Tags: []string{"x"},
		Weekly: &WeeklyWindow{Days: days, From: from, To: to, TimeZone: zone}}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMaintenanceActiveAt(t *testing.T) {
	oneOff := MaintenanceWindow{Start: utc("2026-05-01T22:00:00Z"), End: utc("2026-05-01T23:00:00Z")}
	satNight := weeklyWindow("Europe/Berlin", "22:00", "02:00", time.Saturday)
	office := weeklyWindow("UTC", "09:00", "17:00", time.Monday)
	mondayAllDay := weeklyWindow("UTC", "00:00", "00:00", time.Monday)
	mondayFrom8 := weeklyWindow("UTC", "08:00", "08:00", time.Monday)
	berlinGap := weeklyWindow("Europe/Berlin", "01:30", "02:30", time.Sunday)
	berlinStartInGap := weeklyWindow("Europe/Berlin", "02:15", "04:00", time.Sunday)
	nyGap := weeklyWindow("America/New_York", "01:30", "02:30", time.Sunday)
	badZone := weeklyWindow("Nowhere/Land", "00:00", "00:00", time.Monday, time.Tuesday, time.Wednesday)

	tests := []struct {
		name string
		w    MaintenanceWindow
		at   string
		want bool
	}{
		{"one-off before", oneOff, "2026-05-01T21:59:59Z", false},
		{"one-off start included", oneOff, "2026-05-01T22:00:00Z", true},
		{"one-off last instant", oneOff, "2026-05-01T22:59:59.999999999Z", true},
		{"one-off end excluded", oneOff, "2026-05-01T23:00:00Z", false},
		{"zero window never on", MaintenanceWindow{}, "2026-05-01T23:00:00Z", false},

		// Saturday 22:00–02:00 in Berlin, summer time (UTC+2); 2026-05-02 is a Saturday.
		{"sat before", satNight, "2026-05-02T19:59:00Z", false},
		{"sat 22:00", satNight, "2026-05-02T20:00:00Z", true},
		{"sun 01:59 belongs to saturday", satNight, "2026-05-02T23:59:00Z", true},
		{"sun 02:00 over", satNight, "2026-05-03T00:00:00Z", false},
		{"sun 22:30 not listed", satNight, "2026-05-03T20:30:00Z", false},
		{"sat 01:00 is friday's night, not listed", satNight, "2026-05-01T23:00:00Z", false},
		{"sat 22:00 in winter (UTC+1)", satNight, "2026-01-03T21:00:00Z", true},
		{"sat 21:30 in winter", satNight, "2026-01-03T20:30:00Z", false},

		{"office start", office, "2026-05-04T09:00:00Z", true},
		{"office last minute", office, "2026-05-04T16:59:00Z", true},
		{"office end", office, "2026-05-04T17:00:00Z", false},
		{"office tuesday", office, "2026-05-05T10:00:00Z", false},

		{"all day monday start", mondayAllDay, "2026-05-04T00:00:00Z", true},
		{"all day monday end", mondayAllDay, "2026-05-04T23:59:59Z", true},
		{"all day tuesday", mondayAllDay, "2026-05-05T00:00:00Z", false},
		{"all day sunday night", mondayAllDay, "2026-05-03T23:59:59Z", false},
		{"from == to runs a day: tuesday 07:59", mondayFrom8, "2026-05-05T07:59:00Z", true},
		{"from == to runs a day: tuesday 08:00", mondayFrom8, "2026-05-05T08:00:00Z", false},
		{"from == to runs a day: monday 07:59", mondayFrom8, "2026-05-04T07:59:00Z", false},

		// Berlin springs forward on 2026-03-29 at 02:00 CET (01:00Z) to
		// 03:00 CEST. 01:30 CET is 00:30Z; 02:30 does not exist and is read
		// with the offset before the jump: 01:30Z (03:30 CEST). One hour.
		{"berlin spring: before", berlinGap, "2026-03-29T00:29:59Z", false},
		{"berlin spring: 01:30 CET", berlinGap, "2026-03-29T00:30:00Z", true},
		{"berlin spring: 03:00 CEST", berlinGap, "2026-03-29T01:00:00Z", true},
		{"berlin spring: 03:29 CEST", berlinGap, "2026-03-29T01:29:59Z", true},
		{"berlin spring: 03:30 CEST over", berlinGap, "2026-03-29T01:30:00Z", false},
		{"berlin spring: start in the gap moves to 03:15 CEST", berlinStartInGap, "2026-03-29T01:14:59Z", false},
		{"berlin spring: 03:15 CEST", berlinStartInGap, "2026-03-29T01:15:00Z", true},
		{"berlin spring: 04:00 CEST over", berlinStartInGap, "2026-03-29T02:00:00Z", false},
		{"berlin normal sunday: 01:30 CEST", berlinGap, "2026-04-05T23:30:00Z", false}, // that is Monday 01:30
		{"berlin normal sunday", berlinGap, "2026-04-04T23:30:00Z", true},
		{"berlin normal sunday: 02:30 CEST over", berlinGap, "2026-04-05T00:30:00Z", false},
		// Saturday night across the spring-forward: ends at 02:00, which is
		// skipped, so at 03:00 CEST (01:00Z).
		{"berlin spring: sat night 02:59 CET... 03:59 CEST", satNight, "2026-03-29T00:59:00Z", true},
		{"berlin spring: sat night over at 01:00Z", satNight, "2026-03-29T01:00:00Z", false},

		// New York springs forward on 2026-03-08 at 02:00 EST (07:00Z).
		// 01:30 EST is 06:30Z; 02:30 is read as EST: 07:30Z (03:30 EDT).
		{"new york spring: before", nyGap, "2026-03-08T06:29:59Z", false},
		{"new york spring: 01:30 EST", nyGap, "2026-03-08T06:30:00Z", true},
		{"new york spring: 03:29 EDT", nyGap, "2026-03-08T07:29:59Z", true},
		{"new york spring: 03:30 EDT over", nyGap, "2026-03-08T07:30:00Z", false},

		// Berlin falls back on 2026-10-25 at 03:00 CEST (01:00Z) to 02:00
		// CET. 01:30 CEST is 23:30Z; 02:30 happens twice, the first (CEST,
		// 00:30Z) ends the window.
		{"berlin autumn: 01:30 CEST", berlinGap, "2026-10-24T23:30:00Z", true},
		{"berlin autumn: first 02:29", berlinGap, "2026-10-25T00:29:59Z", true},
		{"berlin autumn: first 02:30 over", berlinGap, "2026-10-25T00:30:00Z", false},
		{"berlin autumn: second 02:15 CET", berlinGap, "2026-10-25T01:15:00Z", false},

		// New York falls back on 2026-11-01 at 02:00 EDT (06:00Z) to 01:00
		// EST. 01:30 first happens at 05:30Z (EDT); 02:30 only once, EST,
		// at 07:30Z: the wall clock spends two hours between them.
		{"new york autumn: before", nyGap, "2026-11-01T05:29:59Z", false},
		{"new york autumn: 01:30 EDT", nyGap, "2026-11-01T05:30:00Z", true},
		{"new york autumn: 01:30 EST", nyGap, "2026-11-01T06:30:00Z", true},
		{"new york autumn: 02:29 EST", nyGap, "2026-11-01T07:29:59Z", true},
		{"new york autumn: 02:30 EST over", nyGap, "2026-11-01T07:30:00Z", false},

		{"unknown zone never on", badZone, "2026-05-05T12:00:00Z", false},
		{"bad time never on", weeklyWindow("UTC", "25:00", "02:00", time.Tuesday), "2026-05-05T12:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.ActiveAt(utc(tt.at)); got != tt.want {
				t.Fatalf("ActiveAt(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestMaintenanceNextChange(t *testing.T) {
	oneOff := MaintenanceWindow{Start: utc("2026-05-01T22:00:00Z"), End: utc("2026-05-01T23:00:00Z")}
	satNight := weeklyWindow("Europe/Berlin", "22:00", "02:00", time.Saturday)
	monTue := weeklyWindow("UTC", "00:00", "00:00", time.Monday, time.Tuesday)
	always := weeklyWindow("Europe/Berlin", "06:00", "06:00", 0, 1, 2, 3, 4, 5, 6)
	tests := []struct {
		name string
		w    MaintenanceWindow
		at   string
		want string // "" for never
	}{
		{"one-off ahead", oneOff, "2026-05-01T12:00:00Z", "2026-05-01T22:00:00Z"},
		{"one-off on", oneOff, "2026-05-01T22:00:00Z", "2026-05-01T23:00:00Z"},
		{"one-off over", oneOff, "2026-05-01T23:00:00Z", ""},
		{"weekly ahead", satNight, "2026-05-06T12:00:00Z", "2026-05-09T20:00:00Z"},
		{"weekly on", satNight, "2026-05-09T21:00:00Z", "2026-05-10T00:00:00Z"},
		{"weekly just over", satNight, "2026-05-10T00:00:00Z", "2026-05-16T20:00:00Z"},
		{"days run together", monTue, "2026-05-04T10:00:00Z", "2026-05-06T00:00:00Z"},
		{"before days that run together", monTue, "2026-05-03T10:00:00Z", "2026-05-04T00:00:00Z"},
		{"always on", always, "2026-05-04T10:00:00Z", ""},
		{"bad zone", weeklyWindow("No/Where", "01:00", "02:00", time.Monday), "2026-05-04T10:00:00Z", ""},
		{"spring forward end", weeklyWindow("Europe/Berlin", "01:30", "02:30", time.Sunday), "2026-03-29T00:45:00Z", "2026-03-29T01:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.w.NextChange(utc(tt.at))
			switch {
			case tt.want == "" && !got.IsZero():
				t.Fatalf("NextChange = %v, want never (zero)", got)
			case tt.want != "" && !got.Equal(utc(tt.want)):
				t.Fatalf("NextChange = %v, want %s", got.UTC(), tt.want)
			}
		})
	}
}

// TestMaintenanceNextChangeAgreesWithActiveAt walks weeks around the
// changes of the clocks, following NextChange from change to change: the
// state flips at each one, every sample between two changes has the
// state of the first, and NextChange from any sample is the same change.
func TestMaintenanceNextChangeAgreesWithActiveAt(t *testing.T) {
	windows := []MaintenanceWindow{
		weeklyWindow("Europe/Berlin", "22:00", "02:00", time.Saturday),
		weeklyWindow("Europe/Berlin", "01:30", "02:30", time.Sunday, time.Wednesday),
		weeklyWindow("America/New_York", "01:30", "02:30", time.Sunday),
		weeklyWindow("America/New_York", "23:00", "01:30", time.Saturday, time.Sunday),
		weeklyWindow("UTC", "00:00", "00:00", time.Monday, time.Tuesday, time.Friday),
		weeklyWindow("Australia/Lord_Howe", "01:45", "02:15", time.Sunday), // half-hour changes
	}
	const step = 5 * time.Minute
	for _, start := range []string{"2026-03-01T00:00:00Z", "2026-10-18T00:00:00Z", "2026-03-29T00:00:00Z"} {
		for _, w := range windows {
			at := utc(start)
			on, next := w.ActiveAt(at), w.NextChange(at)
			for end := at.Add(21 * 24 * time.Hour); at.Before(end); at = at.Add(step) {
				for !next.After(at) {
					if w.ActiveAt(next) == on || w.ActiveAt(next.Add(-time.Nanosecond)) != on {
						t.Fatalf("%+v: NextChange %v, but the state does not flip there", *w.Weekly, next)
					}
					on = !on
					if next = w.NextChange(next); next.IsZero() {
						t.Fatalf("%+v: NextChange is never", *w.Weekly)
					}
				}
				if w.ActiveAt(at) != on {
					t.Fatalf("%+v: the state changes by %v, before NextChange %v", *w.Weekly, at, next)
				}
				if got := w.NextChange(at); !got.Equal(next) {
					t.Fatalf("%+v: NextChange(%v) = %v, want %v", *w.Weekly, at, got, next)
				}
			}
		}
	}
}
