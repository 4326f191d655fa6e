package server

import (
	"sort"

	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/ui"
)

// locationLabels maps the locations results carry (an agent's id, or
// "server") to what people call them: the agent's current name. A
// location whose agent is gone keeps its id.
type locationLabels map[string]string

func (s *Server) locationLabels() locationLabels {
	names := locationLabels{}
	agents, err := s.db.Agents()
	if err != nil {
		s.log.Warn("agent names not read; locations are shown by id", "err", err)
		return names
	}
	for _, a := range agents {
		names[a.ID] = a.Name
	}
	return names
}

func (n locationLabels) of(location string) string {
	if name, ok := n[location]; ok && name != "" {
		return name
	}
	return location
}

// perLocation lists a monitor's state at each location that has reported,
// with its average latency over the chart's range. It returns nil when the
// monitor runs only on the server: the summary above says all there is.
func perLocation(st engine.State, chart ui.Chart, names locationLabels) []ui.LocationRow {
	if len(st.Locations) == 0 {
		return nil
	}
	if _, onlyServer := st.Locations[serverLocation]; onlyServer && len(st.Locations) == 1 {
		return nil
	}
	avg := averageLatencies(chart)
	rows := make([]ui.LocationRow, 0, len(st.Locations))
	for loc, ls := range st.Locations {
		row := ui.LocationRow{
			Name: names.of(loc), Status: string(ls.Status), Since: ls.Since,
			LastLatency: -1, AvgLatency: -1, LastCheck: ls.Last.At, Message: ls.Last.Message,
		}
		if !ls.Last.At.IsZero() {
			row.LastLatency = ls.Last.LatencyMS
		}
		if a, ok := avg[loc]; ok {
			row.AvgLatency = a
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows
}

// averageLatencies is each series' mean latency over the chart's range,
// by location. A failed point is left out: its latency (0 when the check
// got no answer) is no response time, and counting it would make a
// location that keeps failing look fast. A location whose points all
// failed has no average.
func averageLatencies(chart ui.Chart) map[string]float64 {
	avg := map[string]float64{}
	for _, series := range chart.Series {
		var sum float64
		var n int
		for _, p := range series.Points {
			if p.Failed {
				continue
			}
			sum += p.Avg
			n++
		}
		if n > 0 {
			avg[series.Name] = sum / float64(n)
		}
	}
	return avg
}

// nameSeries relabels chart series from location ids to names.
func nameSeries(chart *ui.Chart, names locationLabels) {
	for i := range chart.Series {
		chart.Series[i].Name = names.of(chart.Series[i].Name)
	}
	sort.Slice(chart.Series, func(i, j int) bool { return chart.Series[i].Name < chart.Series[j].Name })
}
