package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// ChromiumEnv names an environment variable that points at a Chromium or
// Chrome binary to use instead of the Debian one.
const ChromiumEnv = "VIGIL_CHROMIUM"

// Chromium returns the path of the Chromium binary, or skips the test when
// there is none. The README's test command (make test) installs the Debian
// package, so CI never skips.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("testenv: %s=%s: %v", ChromiumEnv, p, err)
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("testenv: chromium not found: install the Debian package chromium " +
		"(apt-get install -y --no-install-recommends chromium); " +
		"the README's test command (make test) installs it, so CI never skips")
	return ""
}
