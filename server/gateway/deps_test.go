package gateway

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the gateway below the server: it may use the store,
// pki, wire and checks, never the server or the agent.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/vigil-monitor/vigil/server", "github.com/vigil-monitor/vigil/agent"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") && !strings.HasPrefix(dep, "github.com/vigil-monitor/vigil/server/gateway") {
				t.Errorf("imports %s", dep)
			}
		}
	}
}
