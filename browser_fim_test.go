package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-monitor/vigil/internal/testenv"
)

// TestBrowserFIM is issue 5's "done when" in a real Chromium against the
// real binary: a new user creates a policy for a folder on a joined agent
// in the form, sees the baseline count grow with a progress bar, edits
// files, scans now, sees exactly those changes with their before and
// after, accepts them with a note, and the next scan is clean. Then the
// pages are measured at phone width.
func TestBrowserFIM(t *testing.T) {
	b := newBrowser(t)
	s, api := startAdminServer(t, "")
	tok := newJoinToken(t, api, 1)
	agent := startAgent(t, "--server", "https://"+s.AgentAddr, "--token", tok.Token, "--state", t.TempDir(), "--name", "fim-1")
	waitOnline(t, api, agent, "fim-1")

	// A folder whose baseline takes some seconds at 1 MB/s, so the bar
	// shows: 24 files of 256 KiB.
	dir := t.TempDir()
	for i := range 24 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("blob-%02d.bin", i)), strings.Repeat(string(rune('a'+i%26)), 256<<10))
	}
	writeFile(t, filepath.Join(dir, "index.html"), "<h1>hello</h1>\n")
	writeFile(t, filepath.Join(dir, "config.ini"), "debug=false\n")
	writeFile(t, filepath.Join(dir, "old.txt"), "to be removed\n")
	const objects = 24 + 3 + 1 // the files and the folder itself

	b.do("sign in",
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(byTestID("login-form")),
		fill("login-form", [2]string{"username", adminUser}, [2]string{"password", adminPassword}),
		chromedp.Click(submitButton("login-form")),
		chromedp.WaitVisible(byTestID("dashboard")),
	)
	b.do("create a policy in the form",
		chromedp.Click(chromedp.CSS(`nav.nav a[href="/fim"]`)),
		chromedp.WaitVisible(byTestID("fim-policy-form")),
		fillAny("fim-policy-form", [2]string{"name", "Web root"}, [2]string{"agents", "fim-1"}, [2]string{"paths", dir},
			[2]string{"interval", "1h"}, [2]string{"io_limit_mbps", "1"}, [2]string{"severity", dir + "/*.ini critical"}),
		chromedp.Click(byTestID("fim-policy-submit")),
		chromedp.WaitVisible(byTestID("fim-policy")),
	)
	policyPath := b.path()
	b.screenshot("fim-policy-created")
	// The agent starts at its next poll, after a short random delay.
	waitPageText(t, b, `[data-testid="fim-progress"]`, "Baseline:", 60*time.Second)
	b.screenshot("fim-baseline-progress")
	waitPageText(t, b, `[data-testid="fim-agent-objects"]`, fmt.Sprintf("%d objects", objects), 60*time.Second)
	b.screenshot("fim-baseline-done")

	// Edit files: change content, permissions, add one, remove one.
	writeFile(t, filepath.Join(dir, "index.html"), "<h1>defaced</h1>\n")
	if err := os.Chmod(filepath.Join(dir, "config.ini"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "shell.php"), "<?php system($_GET['c']);\n")
	if err := os.Remove(filepath.Join(dir, "old.txt")); err != nil {
		t.Fatal(err)
	}
	pressScanNow(b)
	b.do("open the changes", chromedp.Navigate(s.URL+"/fim/changes"), chromedp.WaitVisible(byTestID("fim-changes")))
	want := map[string]string{
		dir + "/index.html": "modified", dir + "/config.ini": "modified", dir + "/shell.php": "added", dir + "/old.txt": "removed",
		// Not the folder: its mtime moved, but a folder's mtime is not
		// compared (the added and removed files report themselves).
	}
	got := waitChanges(t, b, s.URL+"/fim/changes", len(want), 60*time.Second)
	for p, kind := range want {
		if got[p] != kind {
			t.Errorf("change of %s: %q, want %q (all: %v)", p, got[p], kind, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("changes %v, want exactly %v", got, want)
	}
	// Reading the page's height lays it out again, so the screenshot
	// below measures the opened page, not the closed one.
	b.do("open every before and after", jsStep(`(document.querySelectorAll("[data-testid=fim-diff]").forEach(d => d.open = true),
		document.documentElement.getBoundingClientRect().height > 0)`))
	diff := b.html()
	for _, s := range []string{"0644 (-rw-r--r--)", "0600 (-rw-------)", `<tr class="changed" data-attr="sha256">`, `<tr class="changed" data-attr="mode">`, "critical"} {
		if !strings.Contains(diff, s) {
			t.Errorf("the change list lacks %s", s)
		}
	}
	b.screenshot("fim-changes")

	b.do("accept them all with a note",
		chromedp.Click(chromedp.CSS(`input[data-fim-select-all]`)),
		fillAny("fim-accept-form", [2]string{"note", "deploy 42"}),
	)
	clickToNewPage(b, "accept", byTestID("fim-accept-selected"))
	b.do("the acceptance is confirmed", chromedp.WaitVisible(byTestID("flash")))
	if page := b.html(); !strings.Contains(page, fmt.Sprintf("%d changes accepted", len(want))) || strings.Contains(page, `data-testid="fim-change"`) {
		t.Errorf("after accepting, the open list is not empty or the flash is wrong:\n%s", page)
	}
	b.do("the accepted changes", chromedp.Navigate(s.URL+"/fim/changes?state=accepted"), chromedp.WaitVisible(byTestID("fim-change")))
	if page := b.html(); strings.Count(page, `data-testid="fim-accepted"`) != len(want) || !strings.Contains(page, "deploy 42") {
		t.Errorf("accepted changes do not say who and why")
	}
	b.screenshot("fim-accepted")

	// The next scan is clean.
	b.do("back to the policy", chromedp.Navigate(s.URL+policyPath), chromedp.WaitVisible(byTestID("fim-policy")))
	pressScanNow(b)
	// The page says the scan is pending until the agent's first report
	// of it, then shows its progress until its last: neither, and it is
	// done. (Its time cannot tell: the scans before may end in the same
	// second.)
	testenv.WaitUntil(t, 60*time.Second, "the next scan to finish", func(context.Context) (bool, string) {
		b.do("reload the policy", chromedp.Navigate(s.URL+policyPath), chromedp.WaitVisible(byTestID("fim-policy")))
		page := b.html()
		return !strings.Contains(page, `data-testid="fim-pending"`) && !strings.Contains(page, `data-testid="fim-progress"`) && lastScanTitle(t, b) != "",
			"last scan " + lastScanTitle(t, b)
	})
	if got := waitChanges(t, b, s.URL+"/fim/changes", 0, 5*time.Second); len(got) != 0 {
		t.Errorf("the scan after accepting found %v", got)
	}
	b.do("the policy list", chromedp.Navigate(s.URL+"/fim"), chromedp.WaitVisible(byTestID("fim-policy-row")))
	b.screenshot("fim-policies")
	checkFIMPhone(t, b, s.URL, policyPath)
}

// fillAny types into the named fields of a form, text areas too (which
// fill's Clear refuses when empty).
func fillAny(formID string, fields ...[2]string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for _, f := range fields {
		css := `[data-testid="` + formID + `"] [name="` + f[0] + `"]`
		clear := jsStep(`((e) => (e.value = "", true))(document.querySelector(` + strconv.Quote(css) + `))`)
		steps = append(steps, clear, chromedp.SendKeys(chromedp.CSS(css), f[1]))
	}
	return chromedp.Steps(steps...)
}

// pressScanNow presses "Scan now" on the policy page shown and waits for
// the page the form's answer redirects to.
func pressScanNow(b *browser) {
	b.t.Helper()
	clickToNewPage(b, "scan now", byTestID("fim-scan-now"))
	b.do("the scan is requested", chromedp.WaitVisible(byTestID("flash")))
	if page := b.html(); !strings.Contains(page, "Scan requested") {
		b.t.Fatalf("after Scan now, no flash says the scan was requested:\n%s", page)
	}
}

// clickToNewPage clicks sel, which submits a form or follows a link, and
// waits until the browser shows the page that answers it. Waiting for an
// element instead is not enough: the old page may hold one (the flash of
// an earlier form), and a navigation started while the form's own is
// still under way aborts one of them (net::ERR_ABORTED).
func clickToNewPage(b *browser, what string, sel chromedp.CSS) {
	b.t.Helper()
	b.do(what, jsStep(`(document.documentElement.dataset.oldPage = "1", true)`), chromedp.Click(sel))
	testenv.WaitUntil(b.t, 20*time.Second, what+": the next page", func(context.Context) (bool, string) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		defer cancel()
		// While the page changes the script may fail: ask again.
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dataset.oldPage ? "old" : document.readyState`))
		return err == nil && state == "complete", fmt.Sprint(state, err)
	})
}

// lastScanTitle is the time of the policy's last scan on its one agent.
func lastScanTitle(t *testing.T, b *browser) string {
	t.Helper()
	m := regexp.MustCompile(`data-testid="fim-agent-last-scan"><time datetime="([^"]+)"`).FindStringSubmatch(b.html())
	if m == nil {
		return ""
	}
	return m[1]
}

// waitPageText waits for the element sel on the page shown (refreshed
// live) to hold text.
func waitPageText(t *testing.T, b *browser, sel, text string, timeout time.Duration) {
	t.Helper()
	testenv.WaitUntil(t, timeout, sel+" to say "+text, func(ctx context.Context) (bool, string) {
		c, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		got, err := chromedp.Run(c, chromedp.Evaluate[string](`(document.querySelector(`+"`"+sel+"`"+`) || {}).textContent || ""`))
		return err == nil && strings.Contains(got, text), strings.TrimSpace(got)
	})
}

// waitChanges reloads the change list at url until it shows n open
// changes, and returns them by path.
func waitChanges(t *testing.T, b *browser, url string, n int, timeout time.Duration) map[string]string {
	t.Helper()
	re := regexp.MustCompile(`data-testid="fim-change" data-change-id="[^"]+" data-path="([^"]+)" data-change="([^"]+)"`)
	var got map[string]string
	testenv.WaitUntil(t, timeout, fmt.Sprintf("%d changes", n), func(context.Context) (bool, string) {
		b.do("reload the changes", chromedp.Navigate(url), chromedp.WaitVisible(byTestID("fim-changes")))
		got = map[string]string{}
		for _, m := range re.FindAllStringSubmatch(b.html(), -1) {
			got[m[1]] = m[2]
		}
		return len(got) >= n, fmt.Sprint(got)
	})
	return got
}

// checkFIMPhone opens the FIM pages at phone width: nothing is wider than
// the screen outside the boxes that scroll.
func checkFIMPhone(t *testing.T, b *browser, base, policyPath string) {
	t.Helper()
	b.do("phone width", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateScale(2)))
	for _, pg := range []struct{ name, path string }{
		{"fim-policies", "/fim"}, {"fim-policy", policyPath}, {"fim-changes", "/fim/changes?state=all"},
	} {
		b.do("open "+pg.name, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS("main")),
			jsStep(`(document.querySelectorAll("main details").forEach(d => d.open = true), true)`))
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pageWidth](`({scroll: document.documentElement.scrollWidth,
			nav: document.querySelector("nav.nav").getBoundingClientRect().right,
			wide: [...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
				&& !e.closest(".table-wrap")).slice(0, 5).map(e => e.tagName + "." + e.className)})`))
		cancel()
		if err != nil {
			t.Fatalf("browser: measure %s: %v", pg.name, err)
		}
		b.screenshot("phone-" + pg.name)
		if got.Scroll > phoneWidth || len(got.Wide) > 0 {
			t.Errorf("%s at %d px: the page is %d px wide; too wide: %v", pg.path, phoneWidth, got.Scroll, got.Wide)
		}
	}
}
