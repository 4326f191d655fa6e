package ui

import (
	"math"
	"time"
)

// now is the fixed clock every golden render uses.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func page(title, nav string) Page {
	return Page{Title: title, User: "alice", CSRFToken: "tok-123", Nav: nav, Version: "v0.1.0"}
}

func spark(base float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = base + base*0.3*math.Sin(float64(i)/2) + float64(i%4)
	}
	return out
}

func sampleDashboard() DashboardProps {
	return DashboardProps{
		Page:   page("Dashboard", "dashboard"),
		Counts: StatusCounts{OK: 3, Warning: 1, Problem: 1, Paused: 1, Unknown: 1},
		Total:  7,
		Monitors: []MonitorRow{
			{ID: "m5", Name: "Payments API", Type: "http", Target: "https://pay.example.com/health", Status: "problem", Message: "connect: connection refused", LastLatency: -1, Uptime24h: 97.912, Uptime30d: 99.51, Sparkline: []float64{120, 130, 118, 0, 0, 0}, LastCheck: now.Add(-12 * time.Second)},
			{ID: "m2", Name: "Mail relay", Type: "smtp", Target: "mail.example.com:25", Status: "warning", Message: "certificate expires in 9 days", LastLatency: 48.2, Uptime24h: 100, Uptime30d: 99.95, Sparkline: spark(45, 24), LastCheck: now.Add(-40 * time.Second)},
			{ID: "m1", Name: "Homepage", Type: "http", Target: "https://example.com/", Status: "ok", Message: "200 OK", LastLatency: 87.4, Uptime24h: 100, Uptime30d: 99.998, Sparkline: spark(90, 24), LastCheck: now.Add(-5 * time.Second)},
			{ID: "m3", Name: "Primary DNS", Type: "dns", Target: "ns1.example.com", Status: "ok", Message: "A 192.0.2.1", LastLatency: 3.1, Uptime24h: 100, Uptime30d: 100, Sparkline: spark(3, 24), LastCheck: now.Add(-3 * time.Minute)},
			{ID: "m4", Name: "Postgres <primary>", Type: "tcp", Target: "db.internal:5432", Status: "ok", LastLatency: 0.42, Uptime24h: 99.5, Uptime30d: 99.2, Sparkline: spark(1, 24), LastCheck: now.Add(-2 * time.Hour)},
			{ID: "m6", Name: "Backup host", Type: "ping", Target: "198.51.100.7", Status: "paused", LastLatency: 21, Uptime24h: -1, Uptime30d: 98.4, LastCheck: now.Add(-50 * time.Hour)},
			{ID: "m7", Name: "New check", Type: "http", Target: "https://new.example.com", Status: "unknown", LastLatency: -1, Uptime24h: -1, Uptime30d: -1},
		},
	}
}

func sampleMonitor() MonitorProps {
	from := now.Add(-24 * time.Hour)
	var pts, pts2 []ChartPoint
	for i := range 96 {
		at := from.Add(time.Duration(i) * 15 * time.Minute)
		if i >= 40 && i < 46 { // a gap: the server was down
			continue
		}
		avg := 80 + 25*math.Sin(float64(i)/6)
		st := "ok"
		if i == 60 || i == 61 {
			st, avg = "problem", 310
		}
		if i == 75 {
			st = "warning"
		}
		pts = append(pts, ChartPoint{At: at, Min: avg * 0.7, Avg: avg, Max: avg * 1.5, Status: st})
		pts2 = append(pts2, ChartPoint{At: at, Min: avg, Avg: avg + 40, Max: avg + 90, Status: "ok"})
	}
	m := sampleDashboard().Monitors[2]
	// 20 recent results, as the server sends, newest first.
	recent := []ResultRow{
		{At: now.Add(-5 * time.Second), Location: "server", Status: "ok", LatencyMS: 87.4, Message: "200 OK"},
		{At: now.Add(-20 * time.Second), Location: "eu-west", Status: "ok", LatencyMS: 131.9, Message: "200 OK"},
		{At: now.Add(-35 * time.Second), Location: "server", Status: "warning", LatencyMS: 1480, Message: "slow response"},
	}
	for i := len(recent); i < 20; i++ {
		loc := []string{"server", "eu-west"}[i%2]
		recent = append(recent, ResultRow{At: now.Add(-time.Duration(i*30+5) * time.Second), Location: loc, Status: "ok", LatencyMS: 80 + float64(i%5)*7, Message: "200 OK"})
	}
	return MonitorProps{
		Page:      page(m.Name, "dashboard"),
		Monitor:   m,
		Interval:  "30s",
		Timeout:   "10s",
		Locations: []string{"server", "eu-west"},
		Range:     "24h",
		Ranges:    []string{"1h", "24h", "7d", "30d"},
		Chart: Chart{From: from, To: now, Bucketed: true, Series: []ChartSeries{
			{Name: "server", Points: pts}, {Name: "eu-west", Points: pts2},
		}},
		Timeline: []TimelineSegment{
			{From: from, To: from.Add(10 * time.Hour), Status: "ok"},
			{From: from.Add(10 * time.Hour), To: from.Add(11*time.Hour + 30*time.Minute), Status: "unknown"},
			{From: from.Add(11*time.Hour + 30*time.Minute), To: from.Add(15 * time.Hour), Status: "ok"},
			{From: from.Add(15 * time.Hour), To: from.Add(15*time.Hour + 30*time.Minute), Status: "problem"},
			{From: from.Add(15*time.Hour + 30*time.Minute), To: from.Add(18*time.Hour + 45*time.Minute), Status: "ok"},
			{From: from.Add(18*time.Hour + 45*time.Minute), To: from.Add(19 * time.Hour), Status: "warning"},
			{From: from.Add(19 * time.Hour), To: now, Status: "ok"},
		},
		Incidents: []IncidentRow{
			{ID: "i2", MonitorID: "m1", MonitorName: m.Name, StartedAt: from.Add(15 * time.Hour), EndedAt: from.Add(15*time.Hour + 30*time.Minute), Message: "503 Service Unavailable", AcknowledgedBy: "bob", AcknowledgedAt: from.Add(15*time.Hour + 5*time.Minute), AckNote: "deploy rollback"},
		},
		Recent: recent,
	}
}

// sampleHostMonitor is a memory check on an agent: its values come first.
func sampleHostMonitor() MonitorProps {
	p := sampleMonitor()
	p.Monitor.Name, p.Monitor.Type, p.Monitor.Target = "web-01 memory", "memory", ""
	p.Range, p.Locations, p.PerLocation = "1h", []string{"web-01"}, nil
	from := now.Add(-time.Hour)
	var used, avail []ChartPoint
	for i := range 60 {
		if i >= 20 && i < 30 { // the agent was offline
			continue
		}
		at := from.Add(time.Duration(i) * time.Minute)
		u := 40 + 10*math.Sin(float64(i)/8)
		st := "ok"
		if i == 50 {
			st, u = "warning", 91
		}
		used = append(used, ChartPoint{At: at, Min: u, Avg: u, Max: u, Status: st})
		a := (100 - u) / 100 * 16 * (1 << 30)
		avail = append(avail, ChartPoint{At: at, Min: a, Avg: a, Max: a, Status: st})
	}
	p.Chart = Chart{From: from, To: now, Step: time.Minute, Series: []ChartSeries{{Name: "web-01", Points: used}}}
	p.ValuesFirst = true
	p.Lead = &Reading{Key: "used_percent", Value: 43.2}
	p.Values = []ValueChart{
		{Key: "used_percent", Chart: Chart{From: from, To: now, Step: time.Minute, Series: []ChartSeries{{Name: "web-01", Points: used}}}},
		{Key: "available_bytes", Chart: Chart{From: from, To: now, Step: time.Minute, Series: []ChartSeries{{Name: "web-01", Points: avail}}}},
	}
	return p
}

func sampleTypes() []CheckType {
	return []CheckType{
		{Name: "http", Title: "HTTP(S)", TargetHelp: "The URL to request.", Settings: []CheckSetting{
			{Name: "method", Kind: "enum", Default: "GET", Options: []string{"GET", "HEAD", "POST"}, Help: "HTTP method"},
			{Name: "expected_status", Kind: "list", Default: "200", Help: "Status codes that count as up"},
			{Name: "headers", Kind: "map", Help: "Request headers"},
			{Name: "max_redirects", Kind: "int", Default: "5", Help: "Redirects to follow"},
			{Name: "follow_redirects", Kind: "bool", Default: "true", Help: "Follow redirects"},
			{Name: "body_contains", Kind: "string", Help: "Text the body must contain"},
			{Name: "cert_expiry_warning", Kind: "duration", Default: "336h", Help: "Warn this long before the certificate expires"},
		}},
		{Name: "dns", Title: "DNS", TargetHelp: "The name to resolve.", Settings: []CheckSetting{
			{Name: "record_type", Kind: "enum", Default: "A", Options: []string{"A", "AAAA", "MX", "TXT"}},
			{Name: "server", Kind: "string", Help: "Resolver address; the system resolver when empty"},
		}},
		{Name: "tcp", Title: "TCP port", TargetHelp: "host:port to connect to."},
	}
}

func sampleForm() MonitorFormProps {
	return MonitorFormProps{
		Page:  page("New monitor", "dashboard"),
		Types: sampleTypes(),
		Values: MonitorForm{Name: "Homepage", Type: "http", Target: "example.com", Interval: "5", Timeout: "10s", Confirm: "2",
			Settings: map[string]string{"method": "POST", "max_redirects": "x", "follow_redirects": "false", "headers": "Accept: text/html"}},
		Errors: map[string]string{
			"":                       "The monitor was not saved: fix the fields marked below.",
			"target":                 "must be an http:// or https:// URL",
			"interval":               `"5" is not a duration; try 30s or 5m`,
			"settings.max_redirects": "must be a whole number",
		},
	}
}

func sampleIncidents() IncidentsProps {
	return IncidentsProps{
		Page:   page("Incidents", "incidents"),
		Filter: "all",
		Incidents: []IncidentRow{
			{ID: "i3", MonitorID: "m5", MonitorName: "Payments API", StartedAt: now.Add(-14 * time.Minute), Open: true, Message: "connect: connection refused"},
			{ID: "i4", MonitorID: "m2", MonitorName: "Mail relay", StartedAt: now.Add(-3 * time.Hour), Open: true, Message: "certificate expires in 9 days", AcknowledgedBy: "alice", AcknowledgedAt: now.Add(-2 * time.Hour), AckNote: "renewal ordered"},
			{ID: "i2", MonitorID: "m1", MonitorName: "Homepage", StartedAt: now.Add(-9 * time.Hour), EndedAt: now.Add(-8*time.Hour - 30*time.Minute), Message: "503 Service Unavailable"},
		},
	}
}
