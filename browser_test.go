package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

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

// path returns the path of the page the browser shows.
func (b *browser) path() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("browser: read the location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("browser: location %q: %v", loc, err)
	}
	return u.Path
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
	monitorPath := b.path()
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
	checkAuditLog(t, b, s.URL, monitorPath)
}

// checkAuditLog pauses the monitor at path on its page, then finds the
// change at the top of the audit log: by whom, what, the monitor named and
// linked, and its diff, opened, marking paused as changed and writing the
// interval as a duration.
func checkAuditLog(t *testing.T, b *browser, base, path string) {
	t.Helper()
	b.do("pause the monitor",
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(byTestID("monitor-status")),
		chromedp.Click(chromedp.CSS(`form[action$="/pause"] button`)),
		chromedp.WaitVisible(byTestID("flash")),
	)
	b.do("open the audit log",
		chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible(byTestID("audit-row")),
		chromedp.Click(chromedp.CSS(`[data-testid="audit-row"]:first-child details > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"]:first-child tr[data-field="paused"]`)),
	)
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[auditSeen](`(() => {
		const r = document.querySelector('[data-testid="audit-row"]');
		const cells = f => [...r.querySelectorAll('tr[data-field="' + f + '"] td')].map(td => td.textContent.trim()).join(" | ");
		const t = r.querySelector('[data-testid="audit-target"]');
		return {action: r.dataset.action, head: r.querySelector(".audit-head").innerText.replace(/\s+/g, " "),
			link: t.getAttribute("href") || "", paused: cells("paused"), interval: cells("interval"),
			changed: [...r.querySelectorAll("tr.changed")].map(tr => tr.dataset.field)};
	})()`))
	if err != nil {
		t.Fatalf("browser: read the audit log: %v\n--- page ---\n%s", err, b.html())
	}
	b.screenshot("audit")
	if got.Action != "monitor.update" || got.Link != path || !strings.Contains(got.Head, "admin") || !strings.Contains(got.Head, "Local target") ||
		got.Paused != "false | true" || got.Interval != "1s | 1s" || !slices.Contains(got.Changed, "paused") || slices.Contains(got.Changed, "interval") {
		t.Fatalf("the audit log's newest entry after pausing: %+v; want monitor.update by admin of Local target, linked to %s, paused false | true marked changed, interval 1s | 1s not marked",
			got, path)
	}
	b.do("follow the entry to the monitor",
		chromedp.Click(chromedp.CSS(`[data-testid="audit-row"]:first-child a[data-testid="audit-target"]`)),
		chromedp.WaitVisible(byTestID("monitor-status")),
	)
}

// auditSeen is what checkAuditLog reads from the newest audit entry.
type auditSeen struct {
	Action   string   `json:"action"`
	Head     string   `json:"head"`
	Link     string   `json:"link"`
	Paused   string   `json:"paused"`   // "before | after"
	Interval string   `json:"interval"` // "before | after"
	Changed  []string `json:"changed"`  // fields marked as changed
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

// TestBrowserNotifications sets up SMTP and a webhook in the UI as a new
// user would, sends each a test, attaches both to a monitor through its
// form and sees them saved.
func TestBrowserNotifications(t *testing.T) {
	b := newBrowser(t)
	s := testenv.StartServer(t, testenv.Options{AdminUser: adminUser, AdminPassword: adminPassword})
	mailPort, mails := startMailSink(t)
	hooks := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hooks <- string(body)
	}))
	t.Cleanup(hook.Close)

	b.do("sign in",
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(byTestID("login-form")),
		fill("login-form", [2]string{"username", adminUser}, [2]string{"password", adminPassword}),
		chromedp.Click(submitButton("login-form")),
		chromedp.WaitVisible(byTestID("dashboard")),
	)
	b.do("set up SMTP",
		chromedp.Click(chromedp.CSS(`nav.nav a[href="/contacts"]`)),
		chromedp.WaitVisible(byTestID("contacts")),
		chromedp.Click(chromedp.CSS(`a[href="/settings/smtp"]`)),
		chromedp.WaitVisible(byTestID("smtp-form")),
		fill("smtp-form", [2]string{"host", "127.0.0.1"}, [2]string{"port", strconv.Itoa(mailPort)},
			[2]string{"from", "vigil@example.com"}, [2]string{"password", "smtp-secret"}),
		chromedp.SetValue(chromedp.CSS(`[data-testid="smtp-form"] [name="tls"]`), "none"),
		chromedp.Click(byTestID("smtp-submit")),
		chromedp.WaitVisible(byTestID("flash")),
	)
	if page := b.html(); strings.Contains(page, "smtp-secret") || !strings.Contains(page, "leave empty to keep") {
		t.Error("the SMTP page shows the password, or does not say it is kept")
	}
	b.do("send a test email",
		fill("smtp-test-form", [2]string{"to", "ops@example.com"}),
		chromedp.Click(submitButton("smtp-test-form")),
		chromedp.WaitVisible(byTestID("smtp-test-result")),
	)
	if got := waitFor(t, mails, "the test email"); !strings.Contains(got, "ops@example.com") {
		t.Errorf("the mail server got %q", got)
	}

	b.do("create an email contact",
		chromedp.Navigate(s.URL+"/contacts"),
		chromedp.Click(byTestID("new-contact")),
		chromedp.WaitVisible(byTestID("contact-form")),
		fill("contact-form", [2]string{"name", "Ops mail"}),
		// An empty textarea has nothing to clear: type into it directly.
		chromedp.SendKeys(chromedp.CSS(`[data-testid="contact-form"] [name="settings.to"]`), "ops@example.com"),
		chromedp.Click(byTestID("contact-submit")),
		chromedp.WaitVisible(byTestID("contact-row")),
	)
	b.do("create a webhook contact",
		chromedp.Click(byTestID("new-contact")),
		chromedp.WaitVisible(byTestID("contact-form")),
		// Choosing the type re-renders the form with the webhook's fields.
		jsStep(`(() => { const s = document.querySelector('[data-testid="contact-form"] [name="type"]');
			s.value = "webhook"; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="contact-form"] [name="settings.url"]`)),
		fill("contact-form", [2]string{"name", "Ticket desk"}, [2]string{"settings.url", hook.URL + "/hook"},
			[2]string{"settings.secret", "hook-secret"}),
		chromedp.Click(byTestID("contact-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="contact-row"]:nth-child(2)`)),
	)
	b.do("send the webhook a test",
		chromedp.Click(chromedp.CSS(`[data-testid="contact-row"]:nth-child(2) [data-testid="contact-test-form"] button`)),
		chromedp.WaitVisible(byTestID("contact-test-result")),
	)
	if got := waitFor(t, hooks, "the test webhook"); !strings.Contains(got, `"event":"test"`) {
		t.Errorf("the webhook got %s", got)
	}
	if page := b.html(); strings.Contains(page, "hook-secret") || strings.Contains(page, "smtp-secret") {
		t.Error("a secret is in the contacts page")
	}
	b.screenshot("contacts")

	b.do("attach both to a new monitor",
		chromedp.Navigate(s.URL+"/monitors/new"),
		chromedp.WaitVisible(byTestID("notify-fields")),
		fill("monitor-form", [2]string{"name", "Shop"}, [2]string{"target", s.URL + "/healthz"}, [2]string{"interval", "1m"},
			[2]string{"remind_every", "30m"}),
		chromedp.Click(chromedp.CSS(`[data-testid="notify-fields"] .check-list label:nth-child(1) input`)),
		chromedp.Click(chromedp.CSS(`[data-testid="notify-fields"] .check-list label:nth-child(2) input`)),
		chromedp.Click(byTestID("monitor-submit")),
		chromedp.WaitVisible(byTestID("monitor-status")),
	)
	api := s.Login(adminUser, adminPassword)
	var monitors []struct {
		ID          string   `json:"id"`
		Notify      []string `json:"notify"`
		RemindEvery string   `json:"remind_every"`
	}
	api.Do(t, "GET", "/api/v1/monitors", nil, http.StatusOK, &monitors)
	if len(monitors) != 1 || len(monitors[0].Notify) != 2 || monitors[0].RemindEvery != "30m" {
		t.Fatalf("monitors %+v: want one notifying both contacts, reminding every 30m", monitors)
	}
	b.do("see them ticked in the edit form",
		chromedp.Navigate(s.URL+"/monitors/"+monitors[0].ID+"/edit"),
		chromedp.WaitVisible(byTestID("notify-fields")),
	)
	checked, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="notify-fields"] input[name="notify"]:checked').length`))
	if err != nil || checked != 2 {
		t.Errorf("%d contacts ticked in the edit form (%v), want 2", checked, err)
	}
	b.screenshot("monitor-notify")
}

// phoneWidth is a common phone's CSS width (iPhone 12 to 15).
const phoneWidth = 390

// TestBrowserPhoneWidth opens every list page, each with rows, and a
// monitor's and an incident's page on a 390 px wide screen and checks that
// none is wider than the screen: the nav wraps and scrolls by itself,
// tables turn into cards, charts scroll inside their box.
func TestBrowserPhoneWidth(t *testing.T) {
	b := newBrowser(t)
	s := testenv.StartServer(t, testenv.Options{AdminUser: adminUser, AdminPassword: adminPassword})
	api := s.Login(adminUser, adminPassword)
	var up, down struct {
		ID string `json:"id"`
	}
	api.Do(t, "POST", "/api/v1/monitors", map[string]any{"name": "Shop front page with a rather long name for a phone",
		"type": "http", "target": s.URL + "/healthz?with=a-long-query-string-that-does-not-break", "interval": "1s"}, http.StatusCreated, &up)
	one := 1
	api.Do(t, "POST", "/api/v1/monitors", map[string]any{"name": "Closed port", "type": "tcp", "target": "127.0.0.1:1",
		"interval": "1s", "confirm": &one}, http.StatusCreated, &down)
	api.Do(t, "POST", "/api/v1/contacts", map[string]any{"name": "Ops mail", "type": "email",
		"settings": map[string]any{"to": "operations-team-with-a-long-address@example.com"}}, http.StatusCreated, nil)
	api.Do(t, "POST", "/api/v1/join-tokens", map[string]any{"ttl": "24h", "uses": 1}, http.StatusCreated, nil)
	// A change whose diff holds a long value without spaces.
	api.Do(t, "PUT", "/api/v1/monitors/"+up.ID, map[string]any{"target": s.URL + "/healthz?with=" + strings.Repeat("an-even-longer-query-string-", 6)}, http.StatusOK, nil)
	api.Do(t, "POST", "/api/v1/escalation-policies", map[string]any{"name": "Web on-call",
		"steps": []map[string]any{{"after": "0", "targets": []string{"Ops mail"}}}}, http.StatusCreated, nil)
	api.Do(t, "POST", "/api/v1/maintenance", map[string]any{"name": "Saturday patching", "monitors": []string{up.ID},
		"weekly": map[string]any{"days": []string{"sat"}, "from": "22:00", "to": "02:00", "time_zone": "Europe/Berlin"}}, http.StatusCreated, nil)
	var incident string
	testenv.WaitUntil(t, 30*time.Second, "an incident for the closed port", func(ctx context.Context) (bool, string) {
		var open []struct {
			ID string `json:"id"`
		}
		api.Do(t, "GET", "/api/v1/incidents?open=true", nil, http.StatusOK, &open)
		if len(open) == 0 {
			return false, "no open incident yet"
		}
		incident = open[0].ID
		return true, ""
	})

	b.do("sign in on a phone",
		chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(byTestID("login-form")),
		fill("login-form", [2]string{"username", adminUser}, [2]string{"password", adminPassword}),
		chromedp.Click(submitButton("login-form")),
		chromedp.WaitVisible(byTestID("dashboard")),
	)
	pages := []struct {
		name, path string
		open       bool // open every <details> before measuring
	}{
		{"dashboard", "/", false}, {"incidents", "/incidents?filter=all", false}, {"agents", "/agents", true}, {"contacts", "/contacts", false},
		{"escalations", "/escalations", false}, {"maintenance", "/maintenance", false}, {"monitor", "/monitors/" + up.ID, false},
		{"monitor-down", "/monitors/" + down.ID, false}, {"incident", "/incidents/" + incident, false}, {"new-monitor", "/monitors/new", false},
		// A JSON setting's hint holds a long example without spaces.
		{"new-snmp-monitor", "/monitors/new?type=snmp", false},
		{"audit", "/audit", true},
	}
	for _, pg := range pages {
		b.do("open "+pg.name, chromedp.Navigate(s.URL+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
		if pg.open {
			b.do("open the details on "+pg.name, jsStep(`(document.querySelectorAll("main details").forEach(d => d.open = true), true)`))
		}
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pageWidth](`({scroll: document.documentElement.scrollWidth,
			nav: document.querySelector("nav.nav").getBoundingClientRect().right,
			wide: [...document.querySelectorAll("main *, header *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
				&& !e.closest(".chart-wrap, .table-wrap, nav.nav")).slice(0, 5).map(e => e.tagName + "." + e.className)})`))
		cancel()
		if err != nil {
			t.Fatalf("browser: measure %s: %v", pg.name, err)
		}
		if got.Scroll > phoneWidth || got.Nav > phoneWidth+1 {
			b.screenshot("phone-" + pg.name)
			t.Errorf("%s at %d px: the page is %d px wide, the nav ends at %.0f px; too wide: %v", pg.path, phoneWidth, got.Scroll, got.Nav, got.Wide)
		}
	}
	b.do("open the monitor", chromedp.Navigate(s.URL+"/monitors/"+up.ID), chromedp.WaitVisible(byTestID("monitor-status")))
	b.screenshot("phone-monitor")
}

// pageWidth is what TestBrowserPhoneWidth measures on each page.
type pageWidth struct {
	Scroll int      `json:"scroll"` // document.documentElement.scrollWidth
	Nav    float64  `json:"nav"`    // the right edge of the nav's box
	Wide   []string `json:"wide"`   // elements that stick out, outside boxes that scroll
}

// jsStep runs a script as a step; it must return true.
func jsStep(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		ok, err := chromedp.Evaluate[bool](expr)(ctx, tg)
		if err == nil && !ok {
			err = errors.New("script returned false")
		}
		return chromedp.Void{}, err
	}
}

// waitFor returns the next value from ch, failing after 20 s.
func waitFor(t *testing.T, ch <-chan string, what string) string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not arrive within 20 s", what)
		return ""
	}
}

// startMailSink runs a real SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 that passes each message it receives, recipients first, to
// the channel.
func startMailSink(t *testing.T) (int, <-chan string) {
	t.Helper()
	got := make(chan string, 10)
	srv := smtp.NewServer(mailBackend{got})
	srv.Domain = "mx.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, got
}

type mailBackend struct{ got chan<- string }

func (b mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{got: b.got}, nil
}

type mailSession struct {
	got chan<- string
	to  []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.got <- strings.Join(s.to, ",") + "\n" + string(body)
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }
