package checks

import (
	"context"
	"encoding/json"
)

// FIMType is the type of the monitor the server keeps for each agent that
// a file-integrity policy applies to. Its results come from the server:
// after every report that changes the agent's open changes, and after
// every acceptance (see docs/fim.md).
const FIMType = "fim"

func init() {
	Register(Type{
		Name:           FIMType,
		Title:          "File integrity",
		Scope:          ScopeHost,
		TargetHelp:     "the agent's name; the server creates this monitor for each agent a file-integrity policy applies to",
		ValidateTarget: anyTarget,
		New:            newFIMChecker,
		DefaultConfirm: 1,
		ServerResults:  true,
	})
}

// fimChecker stands in for a type that is never run: should anything run
// it, it says where the results come from instead of judging the host.
type fimChecker struct{}

func newFIMChecker(raw json.RawMessage) (Checker, error) {
	var none struct{}
	if err := decodeSettings(raw, &none); err != nil {
		return nil, err
	}
	return fimChecker{}, nil
}

func (fimChecker) Check(ctx context.Context, target string) Result {
	return Result{Status: StatusUnknown, Message: "file integrity results come from the server, which judges the agent's reports; this monitor is not run"}
}
