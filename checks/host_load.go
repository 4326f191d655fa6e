package checks

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"
)

func init() {
	Register(Type{
		Name:  "load",
		Title: "Load average",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "warning_per_core", Kind: "float", Default: "2", Help: "Warning when the 1-minute load average divided by the number of cores is above this."},
			{Name: "error_per_core", Kind: "float", Default: "4", Help: "Problem when the 1-minute load average divided by the number of cores is above this."},
		},
		TargetHelp:     "ignored: the check measures the host the agent runs on",
		ValidateTarget: anyTarget,
		New:            newLoadChecker,
	})
}

// errNoLoadAverage is what readLoad returns where the system keeps no
// load average (Windows).
var errNoLoadAverage = errors.New("not available on windows")

type loadSettings struct {
	WarningPerCore float64 `json:"warning_per_core"`
	ErrorPerCore   float64 `json:"error_per_core"`
}

// loadAverage is what the load check reads.
type loadAverage struct {
	load1, load5, load15 float64
	cores                int
}

type loadChecker struct {
	limit hostLimit
	read  func(ctx context.Context) (loadAverage, error)
}

var _ Checker = (*loadChecker)(nil)

func newLoadChecker(raw json.RawMessage) (Checker, error) {
	s := loadSettings{WarningPerCore: 2, ErrorPerCore: 4}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	switch {
	case s.WarningPerCore < 0 || math.IsInf(s.WarningPerCore, 0):
		return nil, &SettingError{Field: "settings.warning_per_core", Msg: "must be 0 or a positive number"}
	case s.ErrorPerCore < 0 || math.IsInf(s.ErrorPerCore, 0):
		return nil, &SettingError{Field: "settings.error_per_core", Msg: "must be 0 or a positive number"}
	case s.WarningPerCore > s.ErrorPerCore:
		return nil, &SettingError{Field: "settings.warning_per_core", Msg: "must not be above error_per_core"}
	}
	return &loadChecker{limit: hostLimit{warn: s.WarningPerCore, err: s.ErrorPerCore, unit: hostNumber}, read: readLoad}, nil
}

// Check judges the 1-minute load average per core: 2 on a 4-core host is
// calm, on a 1-core host it means work waits.
func (c *loadChecker) Check(ctx context.Context, _ string) Result {
	start := time.Now()
	l, err := c.read(ctx)
	if errors.Is(err, errNoLoadAverage) {
		return problem(time.Since(start), "load average is "+err.Error(), nil)
	}
	if err != nil {
		return hostReadProblem(ctx, start, "read load average", err)
	}
	cores := max(l.cores, 1)
	perCore := l.load1 / float64(cores)
	var v hostVerdict
	st, note := c.limit.judge(roundHundredths(perCore))
	v.add("load "+hostNumber(l.load1)+" "+hostNumber(l.load5)+" "+hostNumber(l.load15), StatusOK, "")
	v.add(hostNumber(perCore)+" per core", st, note)
	return v.result(start, map[string]float64{
		"load1":          roundHundredths(l.load1),
		"load5":          roundHundredths(l.load5),
		"load15":         roundHundredths(l.load15),
		"load1_per_core": roundHundredths(perCore),
		"cores":          float64(cores),
	})
}
