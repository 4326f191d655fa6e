package checks

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"seconds", `"10s"`, 10 * time.Second, true},
		{"mixed", `"1m30s"`, 90 * time.Second, true},
		{"millis", `"250ms"`, 250 * time.Millisecond, true},
		{"no unit", `"10"`, 0, false},
		{"negative", `"-1s"`, 0, false},
		{"number", `10`, 0, false},
		{"garbage", `"soon"`, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tc.in), &d)
			if (err == nil) != tc.ok || time.Duration(d) != tc.want {
				t.Fatalf("got %v, %v", time.Duration(d), err)
			}
			if tc.ok {
				out, _ := json.Marshal(d)
				var back Duration
				if err := json.Unmarshal(out, &back); err != nil || back != d {
					t.Fatalf("round trip %s: %v %v", out, back, err)
				}
			}
		})
	}
}

func TestDurationSettingMessage(t *testing.T) {
	var s struct {
		Interval Duration `json:"interval"`
	}
	err := decodeSettings(json.RawMessage(`{"interval":"soon"}`), &s)
	var se *SettingError
	if !errors.As(err, &se) || se.Field != "settings.interval" || !strings.Contains(se.Msg, "duration") {
		t.Fatalf("got %v", err)
	}
}

func TestStatusRanges(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		inside  []int
		outside []int
		str     string
	}{
		{"range", "200-299", []int{200, 250, 299}, []int{199, 300, 404}, "200-299"},
		{"list", "200, 301-302", []int{200, 301, 302}, []int{201, 303}, "200,301-302"},
		{"single", "418", []int{418}, []int{417, 419}, "418"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ParseStatusRanges(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.inside {
				if !rs.Contains(c) {
					t.Errorf("%d should be in %s", c, tc.in)
				}
			}
			for _, c := range tc.outside {
				if rs.Contains(c) {
					t.Errorf("%d should not be in %s", c, tc.in)
				}
			}
			if rs.String() != tc.str {
				t.Errorf("String() = %q", rs.String())
			}
		})
	}
	for _, bad := range []string{"", "2xx", "200-", "-200", "300-200", "99", "600", "200,,300", "200-300-400"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, err := ParseStatusRanges(bad); err == nil {
				t.Fatalf("%q parsed", bad)
			}
		})
	}
}

func TestResponseTimeJudge(t *testing.T) {
	rt := ResponseTime{WarningMS: 100, ErrorMS: 500}
	cases := []struct {
		name    string
		rt      ResponseTime
		latency time.Duration
		want    Status
	}{
		{"fast", rt, 50 * time.Millisecond, StatusOK},
		{"at warning", rt, 100 * time.Millisecond, StatusOK},
		{"slow", rt, 101 * time.Millisecond, StatusWarning},
		{"too slow", rt, 501 * time.Millisecond, StatusProblem},
		{"off", ResponseTime{}, time.Hour, StatusOK},
		{"error only", ResponseTime{ErrorMS: 10}, 20 * time.Millisecond, StatusProblem},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, note := tc.rt.Judge(tc.latency)
			if st != tc.want || (st != StatusOK) != (note != "") {
				t.Fatalf("got %s %q", st, note)
			}
		})
	}
}

func TestCertExpiryJudge(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ce := CertExpiry{WarningDays: 14, ErrorDays: 3}
	cases := []struct {
		name     string
		notAfter time.Time
		want     Status
		msg      string
	}{
		{"far", now.Add(60 * day), StatusOK, ""},
		{"near", now.Add(5*day + time.Hour), StatusWarning, "certificate expires in 5 days (2026-11-28)"},
		{"very near", now.Add(day + time.Hour), StatusProblem, "certificate expires in 1 day (2026-11-24)"},
		{"hours", now.Add(5 * time.Hour), StatusProblem, "certificate expires in 5 hours (2026-11-23)"},
		{"expired", now.Add(-3*day - time.Hour), StatusProblem, "certificate expired 3 days ago (2026-11-20)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, _, msg := ce.Judge(now, tc.notAfter)
			if st != tc.want || msg != tc.msg {
				t.Fatalf("got %s %q, want %s %q", st, msg, tc.want, tc.msg)
			}
		})
	}
}
