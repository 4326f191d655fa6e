package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSmall drives a real server built from this tree with a few
// agents for a few seconds and checks the report: every result made was
// acknowledged, read back, and nothing failed.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the vigil binary")
	}
	bin := filepath.Join(t.TempDir(), "vigil")
	build := exec.Command("go", "build", "-o", bin, "github.com/vigil-monitor/vigil")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build vigil: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-vigil", bin, "-agents", "3", "-monitors-per-agent", "4", "-interval", "1s",
		"-warmup", "2s", "-duration", "3s", "-sample", "1s", "-spot", "3"}
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	report := stdout.String()
	for _, want := range []string{"| 3 | 12 (12) |", "0 acknowledged as dropped", "0 unacknowledged at the end", "3 monitors", " 0 missing", "Errors: none.", "pages of the bbolt file"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s\nlog:\n%s", want, report, stderr.String())
		}
	}
}
