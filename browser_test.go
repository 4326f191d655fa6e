package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// browser drives one headless Chromium tab. Every step has its own
// deadline, and a failed step writes the page's HTML to the test log so the
// failure says what the browser saw.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string // where screenshots go
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testenv.Chromium(t)),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Without these Chromium tries to reach Google on a closed network.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// Start the browser on the long-lived context: the first action's
	// context owns the browser, and each step's deadline would end it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: start %s: %v", testenv.Chromium(t), err)
	}
	return &browser{t: t, ctx: ctx, dir: t.TempDir()}
}

// do runs steps with a 20 s deadline; what names them for the failure.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v\n--- page ---\n%s", what, err, b.html())
	}
}

// html returns the current page's URL and markup for failure messages.
func (b *browser) html() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		return loc + " (no HTML: " + err.Error() + ")"
	}
	return loc + "\n" + page
}

func byTestID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// submitButton selects the submit control of the form with the test id.
func submitButton(formID string) chromedp.CSS {
	f := `[data-testid="` + formID + `"] `
	return chromedp.CSS(f + `button:not([type=button]):not([type=reset]), ` + f + `input[type=submit]`)
}

// fill types into the named fields of a form, as a person would.
func fill(formID string, fields ...[2]string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for _, f := range fields {
		sel := chromedp.CSS(`[data-testid="` + formID + `"] [name="` + f[0] + `"]`)
		steps = append(steps, chromedp.Clear(sel), chromedp.SendKeys(sel, f[1]))
	}
	return chromedp.Steps(steps...)
}

// screenshot saves a PNG of the whole page into the test's directory and,
// when VIGIL_SCREENSHOTS names a directory, into that one too.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	dirs := []string{b.dir}
	if keep := os.Getenv("VIGIL_SCREENSHOTS"); keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			b.t.Fatalf("VIGIL_SCREENSHOTS: %v", err)
		}
		dirs = append(dirs, keep)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			b.t.Fatalf("write screenshot: %v", err)
		}
	}
	b.t.Logf("screenshot %s.png: %d bytes in %v", name, len(png), dirs)
}

func TestBrowserSetupLoginMonitor(t *testing.T) {
	b := newBrowser(t)
	s := testenv.StartServer(t, testenv.Options{})
	target := testenv.StartTarget(t)
	code := s.SetupCode()
	const user, password = "admin", adminPassword

	b.do("complete setup",
		chromedp.Navigate(s.URL+"/setup"),
		chromedp.WaitVisible(byTestID("setup-form")),
		fill("setup-form", [2]string{"code", code}, [2]string{"username", user},
			[2]string{"password", password}, [2]string{"password_confirm", password}),
		chromedp.Click(submitButton("setup-form")),
		chromedp.WaitVisible(byTestID("dashboard")),
	)
	b.do("sign out",
		// The logout hook may sit on the button or on its form.
		chromedp.Click(chromedp.CSS(`button[data-testid="logout"], [data-testid="logout"] button, input[data-testid="logout"]`)),
		chromedp.WaitVisible(byTestID("login-form")),
	)
	b.do("dashboard needs a session",
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(byTestID("login-form")),
	)
	b.do("sign in",
		fill("login-form", [2]string{"username", user}, [2]string{"password", password}),
		chromedp.Click(submitButton("login-form")),
		chromedp.WaitVisible(byTestID("dashboard")),
	)
	b.do("create a monitor",
		chromedp.Click(byTestID("new-monitor")),
		chromedp.WaitVisible(byTestID("monitor-form")),
		chromedp.SetValue(chromedp.CSS(`[data-testid="monitor-form"] [name="type"]`), "http"),
		fill("monitor-form", [2]string{"name", "Local target"}, [2]string{"target", target.URL},
			[2]string{"interval", "1s"}),
		chromedp.Click(byTestID("monitor-submit")),
		chromedp.WaitVisible(byTestID("monitor-status")),
	)
	waitStatusText(t, b, "ok", 30*time.Second)
	b.screenshot("monitor-ok")
	checkLiveRefresh(t, b, s.URL)

	b.do("create a join token for an agent",
		chromedp.Navigate(s.URL+"/agents"),
		chromedp.WaitVisible(byTestID("join-token-form")),
		chromedp.Click(submitButton("join-token-form")),
		chromedp.WaitVisible(byTestID("join-command")),
	)
	if page := b.html(); !strings.Contains(page, "vigil agent --server https://") || !strings.Contains(page, "--token vgl1.") {
		t.Errorf("the agents page does not show the join command after creating a token")
	}
	b.screenshot("agents")
}

// checkLiveRefresh opens the dashboard, waits through one live refresh
// (every 10 s) and checks that the refresh replaced the status strip
// rather than adding a second one, and that the strip counts the monitor
// as OK.
func checkLiveRefresh(t *testing.T, b *browser, base string) {
	t.Helper()
	b.do("open the dashboard",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#status-summary")),
	)
	eval := func(what, js string) strip {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[strip](js))
		if err != nil {
			t.Fatalf("browser: %s: %v\n--- page ---\n%s", what, err, b.html())
		}
		return got
	}
	// Mark the strip the page loaded with: the refresh must replace it.
	eval("mark the status strip", `document.getElementById("status-summary").dataset.loaded = "1"; ({})`)
	b.do("wait for one live refresh", chromedp.Sleep(11*time.Second))
	got := eval("read the status strips", `(() => {
		const all = document.querySelectorAll("#status-summary");
		const ok = all.length ? all[0].querySelector(".s-ok .n") : null;
		return {count: all.length, stale: all.length > 0 && all[0].dataset.loaded === "1", ok: ok ? ok.textContent.trim() : ""};
	})()`)
	if got.Count != 1 || got.OK != "1" || got.Stale {
		b.screenshot("dashboard-refreshed")
		t.Fatalf("after a live refresh: %d #status-summary elements (want 1), OK count %q (want 1), replaced %v (want true)\n--- page ---\n%s",
			got.Count, got.OK, !got.Stale, b.html())
	}
}

// strip is what checkLiveRefresh reads from the dashboard's status strips.
type strip struct {
	Count int    `json:"count"`
	Stale bool   `json:"stale"` // the first strip is still the one the page loaded with
	OK    string `json:"ok"`    // the first strip's OK count
}

// waitStatusText reloads the monitor page until its status badge reads
// want. Reloading works whether or not the page refreshes itself.
func waitStatusText(t *testing.T, b *browser, want string, timeout time.Duration) {
	t.Helper()
	testenv.WaitUntil(t, timeout, "monitor-status to read "+want, func(context.Context) (bool, string) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		text, err := chromedp.Run(ctx, chromedp.Text(byTestID("monitor-status")))
		if err != nil {
			return false, err.Error()
		}
		if strings.EqualFold(strings.TrimSpace(text), want) {
			return true, ""
		}
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(byTestID("monitor-status"))); err != nil {
			return false, "reload: " + err.Error()
		}
		return false, "badge reads " + strings.TrimSpace(text)
	})
}
