package alerting

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

var admin = store.Actor{UserID: "1", Username: "alice"}

// call is one message the fake sender was asked to send.
type call struct {
	contact string // contact name
	kind    string
	at      time.Duration // since the harness started
	ev      notify.Event
}

func (c call) String() string { return fmt.Sprintf("%s %s @%s", c.contact, c.kind, c.at) }

// fakeSender records every call; fail, when set, decides its answer.
type fakeSender struct {
	start time.Time
	mu    sync.Mutex
	calls []call
	fail  func(ctx context.Context, c store.Contact, ev notify.Event) error
}

func (f *fakeSender) send(ctx context.Context, c store.Contact, ev notify.Event) error {
	f.mu.Lock()
	f.calls = append(f.calls, call{contact: c.Name, kind: ev.Kind, at: time.Since(f.start), ev: ev})
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		return fail(ctx, c, ev)
	}
	return nil
}

func (f *fakeSender) setFail(fn func(ctx context.Context, c store.Contact, ev notify.Event) error) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

// got returns the calls so far as "name kind @offset" strings, by time
// and then by name (sends due together run concurrently).
func (f *fakeSender) got() []string {
	f.mu.Lock()
	calls := slices.Clone(f.calls)
	f.mu.Unlock()
	slices.SortStableFunc(calls, func(a, b call) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.contact, b.contact))
	})
	var out []string
	for _, c := range calls {
		out = append(out, c.String())
	}
	return out
}

func (f *fakeSender) all() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// harness is a dispatcher over a real store, with monitors and engine
// states the test sets. Build it inside a synctest bubble.
type harness struct {
	t     *testing.T
	dir   string
	db    *store.DB
	d     *Dispatcher
	snd   *fakeSender
	start time.Time

	mu       sync.Mutex
	names    map[string]string // contact id → name
	policies int
	monitors map[string]store.Monitor
	states   map[string]engine.State

	// wrap, when set, stands between the dispatcher and the store.
	wrap func(*store.DB) Store

	stop context.CancelFunc
	done chan struct{}
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), start: time.Now(), names: map[string]string{}, monitors: map[string]store.Monitor{}, states: map[string]engine.State{}}
	h.snd = &fakeSender{start: h.start}
	h.openStore()
	h.run()
	t.Cleanup(func() {
		h.halt()
		h.db.Close()
	})
	return h
}

func (h *harness) openStore() {
	// No mapping release: its once-a-second ticker would run for every
	// second of the days these tests sleep in synctest's fake time.
	db, err := store.Open(h.dir, store.Options{MappingRelease: -1})
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.db = db
}

// run builds a new dispatcher on the store and starts it.
func (h *harness) run() {
	signer, err := NewSigner([]byte(strings.Repeat("k", 32)), "https://vigil.test")
	if err != nil {
		h.t.Fatal(err)
	}
	var st Store = h.db
	if h.wrap != nil {
		st = h.wrap(h.db)
	}
	h.d = New(Options{
		Store: st, Send: h.snd.send, Monitor: h.monitor, State: h.state,
		PublicURL: "https://vigil.test", Signer: signer, Log: testLog(h.t),
	})
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		h.d.Run(ctx)
	}()
}

// halt stops the dispatcher and waits for it.
func (h *harness) halt() {
	if h.stop != nil {
		h.stop()
		<-h.done
		h.stop = nil
	}
}

// restart stops the dispatcher, closes and reopens the store, and starts
// a new dispatcher on it: what a server restart does.
func (h *harness) restart() {
	h.halt()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.openStore()
	h.run()
}

func (h *harness) monitor(id string) (store.Monitor, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, ok := h.monitors[id]
	return m, ok
}

func (h *harness) state(id string) (engine.State, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.states[id]
	return s, ok
}

// setStatus sets a monitor's status in the fake engine.
func (h *harness) setStatus(id string, st checks.Status) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.states[id]; ok && old.Status == st {
		return
	}
	h.states[id] = engine.State{MonitorState: store.MonitorState{MonitorID: id, Status: st, Since: time.Now(),
		Locations: map[string]store.LocationState{"server": {Status: st, Since: time.Now()}}}}
}

// addMonitor stores m (for its id) and makes it known to the dispatcher.
func (h *harness) addMonitor(m store.Monitor) store.Monitor {
	h.t.Helper()
	if m.Type == "" {
		m.Type, m.Target = "http", "https://example.test"
	}
	if m.Interval == 0 {
		m.Interval = time.Minute
	}
	if err := h.db.CreateMonitor(&m, admin); err != nil {
		h.t.Fatal(err)
	}
	h.putMonitor(m)
	return m
}

func (h *harness) putMonitor(m store.Monitor) {
	h.mu.Lock()
	h.monitors[m.ID] = m
	h.mu.Unlock()
}

func (h *harness) contact(name, typ string) string {
	h.t.Helper()
	c := store.Contact{Name: name, Type: typ, Settings: []byte(`{}`)}
	if err := h.db.CreateContact(&c, admin); err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.names[c.ID] = name
	h.mu.Unlock()
	return c.ID
}

func (h *harness) group(name string, members ...string) string {
	h.t.Helper()
	g := store.ContactGroup{Name: name, Members: members}
	if err := h.db.CreateGroup(&g, admin); err != nil {
		h.t.Fatal(err)
	}
	return g.ID
}

func (h *harness) policy(steps ...store.EscalationStep) string {
	h.t.Helper()
	h.mu.Lock()
	h.policies++
	p := store.EscalationPolicy{Name: fmt.Sprintf("policy %d", h.policies), Steps: steps}
	h.mu.Unlock()
	if err := h.db.CreateEscalationPolicy(&p, admin); err != nil {
		h.t.Fatal(err)
	}
	return p.ID
}

// open opens an incident on m the way the engine does and tells the
// dispatcher.
func (h *harness) open(m store.Monitor) store.Incident {
	h.t.Helper()
	h.setStatus(m.ID, checks.StatusProblem)
	inc := store.Incident{MonitorID: m.ID, StartedAt: time.Now(), Status: store.IncidentOpen, Message: "connection refused at server"}
	if err := h.db.CreateIncident(&inc); err != nil {
		h.t.Fatal(err)
	}
	h.d.OnEngineEvent(engine.Event{Kind: engine.IncidentOpened, MonitorID: m.ID, MonitorName: m.Name, At: inc.StartedAt,
		From: checks.StatusOK, To: checks.StatusProblem, Message: inc.Message, Incident: &inc})
	return inc
}

func (h *harness) resolve(inc store.Incident) {
	h.t.Helper()
	h.setStatus(inc.MonitorID, checks.StatusOK)
	done, ok, err := h.db.ResolveIncident(inc.ID, time.Now())
	if err != nil || !ok {
		h.t.Fatalf("resolve: %v %v", ok, err)
	}
	h.d.OnEngineEvent(engine.Event{Kind: engine.IncidentResolved, MonitorID: inc.MonitorID, At: *done.EndedAt,
		From: checks.StatusProblem, To: checks.StatusOK, Incident: &done})
}

func (h *harness) ack(inc store.Incident) {
	h.t.Helper()
	acked, err := h.db.AckIncident(inc.ID, "on it", admin, time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	h.d.Acknowledged(acked)
}

// log returns an incident's notification log as "name event step result
// (error)" strings, sorted (sends due together finish in any order).
func (h *harness) log(inc string) []string {
	h.t.Helper()
	log, err := h.db.NotificationLog(inc, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, a := range log {
		h.mu.Lock()
		name := h.names[a.ContactID]
		h.mu.Unlock()
		s := fmt.Sprintf("%s %s %d %s", name, a.Event, a.Step, a.Result)
		if a.Error != "" {
			s += " (" + a.Error + ")"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// want fails unless got equals want, element by element.
func want(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func testLog(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// resolve2 tells the dispatcher again that inc was resolved.
func (h *harness) resolve2(inc store.Incident) {
	done := h.incident(inc.ID)
	h.d.OnEngineEvent(engine.Event{Kind: engine.IncidentResolved, MonitorID: inc.MonitorID, At: *done.EndedAt, Incident: &done})
}

func (h *harness) incident(id string) store.Incident {
	h.t.Helper()
	inc, err := h.db.Incident(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return inc
}

func openedEvent(m store.Monitor, inc store.Incident) engine.Event {
	return engine.Event{Kind: engine.IncidentOpened, MonitorID: m.ID, MonitorName: m.Name, At: inc.StartedAt, Incident: &inc}
}
