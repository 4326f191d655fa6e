package store

import (
	"errors"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
)

func TestMaintenanceValidate(t *testing.T) {
	start := time.Date(2026, 5, 1, 22, 0, 0, 0, time.UTC)
	weekly := func(edit func(*WeeklyWindow)) MaintenanceWindow {
		w := MaintenanceWindow{Name: "w", Tags: []string{"db"},
			Weekly: &WeeklyWindow{Days: []time.Weekday{time.Saturday}, From: "22:00", To: "02:00", TimeZone: "Europe/Berlin"}}
		edit(w.Weekly)
		return w
	}
	tests := []struct {
		name  string
		w     MaintenanceWindow
		field string // "" for valid
	}{
		{"one-off", MaintenanceWindow{Name: "w", Start: start, End: start.Add(time.Hour), Monitors: []string{"1"}}, ""},
		{"weekly", weekly(func(*WeeklyWindow) {}), ""},
		{"weekly all day", weekly(func(w *WeeklyWindow) { w.From, w.To = "00:00", "00:00" }), ""},
		{"weekly UTC", weekly(func(w *WeeklyWindow) { w.TimeZone = "UTC" }), ""},
		{"no name", MaintenanceWindow{Start: start, End: start.Add(time.Hour), Monitors: []string{"1"}}, "name"},
		{"no start", MaintenanceWindow{Name: "w", End: start, Monitors: []string{"1"}}, "start"},
		{"no end", MaintenanceWindow{Name: "w", Start: start, Monitors: []string{"1"}}, "end"},
		{"end before start", MaintenanceWindow{Name: "w", Start: start, End: start.Add(-time.Minute), Monitors: []string{"1"}}, "end"},
		{"end at start", MaintenanceWindow{Name: "w", Start: start, End: start, Monitors: []string{"1"}}, "end"},
		{"weekly and start", func() MaintenanceWindow { w := weekly(func(*WeeklyWindow) {}); w.Start = start; return w }(), "start"},
		{"no days", weekly(func(w *WeeklyWindow) { w.Days = nil }), "weekly.days"},
		{"day 7", weekly(func(w *WeeklyWindow) { w.Days = []time.Weekday{7} }), "weekly.days"},
		{"day -1", weekly(func(w *WeeklyWindow) { w.Days = []time.Weekday{-1} }), "weekly.days"},
		{"from 24:00", weekly(func(w *WeeklyWindow) { w.From = "24:00" }), "weekly.from"},
		{"from 9:00", weekly(func(w *WeeklyWindow) { w.From = "9:00" }), "weekly.from"},
		{"from +9:00", weekly(func(w *WeeklyWindow) { w.From = "+9:00" }), "weekly.from"},
		{"from empty", weekly(func(w *WeeklyWindow) { w.From = "" }), "weekly.from"},
		{"to 12:60", weekly(func(w *WeeklyWindow) { w.To = "12:60" }), "weekly.to"},
		{"to with seconds", weekly(func(w *WeeklyWindow) { w.To = "12:00:00" }), "weekly.to"},
		{"unknown zone", weekly(func(w *WeeklyWindow) { w.TimeZone = "Mars/Olympus_Mons" }), "weekly.time_zone"},
		{"no zone", weekly(func(w *WeeklyWindow) { w.TimeZone = "" }), "weekly.time_zone"},
		{"Local zone", weekly(func(w *WeeklyWindow) { w.TimeZone = "Local" }), "weekly.time_zone"},
		{"path as zone", weekly(func(w *WeeklyWindow) { w.TimeZone = "../../../etc/passwd" }), "weekly.time_zone"},
		{"empty scope", MaintenanceWindow{Name: "w", Start: start, End: start.Add(time.Hour)}, "scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var se *checks.SettingError
			if !errors.As(err, &se) || se.Field != tt.field {
				t.Fatalf("Validate = %v, want an error about %s", err, tt.field)
			}
		})
	}
}
