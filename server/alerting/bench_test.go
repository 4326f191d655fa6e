package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// benchRig is a real store, the real webhook type and an httptest
// receiver, with a dispatcher running over them.
type benchRig struct {
	db       *store.DB
	d        *Dispatcher
	srv      *httptest.Server
	arrivals chan arrival

	mu       sync.Mutex
	monitors map[string]store.Monitor
}

type arrival struct {
	incident string
	at       time.Time
}

func newBenchRig(b *testing.B, state func(string) (engine.State, bool), contacts int) (*benchRig, []string) {
	b.Helper()
	db, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := &benchRig{db: db, arrivals: make(chan arrival, 1<<14), monitors: map[string]store.Monitor{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		at := time.Now()
		var body struct {
			Incident struct {
				ID string `json:"id"`
			} `json:"incident"`
		}
		_ = json.NewDecoder(req.Body).Decode(&body)
		r.arrivals <- arrival{body.Incident.ID, at}
	}))
	var ids []string
	for i := range contacts {
		settings, _ := json.Marshal(map[string]string{"url": r.srv.URL + "/hook"})
		c := store.Contact{Name: fmt.Sprintf("hook %d", i), Type: "webhook", Settings: settings}
		if err := db.CreateContact(&c, admin); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	// Keep-alive connections to the receiver, as many as sends at once.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: DefaultConcurrency}}
	r.d = New(Options{Store: db, Send: NewSender(nil, notify.Env{HTTP: client}), Monitor: r.monitor, State: state,
		PublicURL: "https://vigil.test"})
	b.Cleanup(func() {
		r.srv.Close()
		db.Close()
	})
	return r, ids
}

func (r *benchRig) monitor(id string) (store.Monitor, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.monitors[id]
	return m, ok
}

func (r *benchRig) run(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.d.Run(ctx)
	}()
	b.Cleanup(func() {
		cancel()
		<-done
	})
}

// BenchmarkIncidentToWebhook measures, per incident, the time from the
// engine's Apply of the confirming failed result to the webhook's arrival
// at the receiver: the engine opening and persisting the incident, the
// dispatcher queuing it in the outbox (an fsync), the send loop and the
// real webhook type. Run with -benchtime=200x for 200 incidents.
func BenchmarkIncidentToWebhook(b *testing.B) {
	var eng *engine.Engine
	r, contacts := newBenchRig(b, func(id string) (engine.State, bool) { return eng.State(id) }, 1)
	eng = engine.New(r.db, nil)
	eng.Subscribe(r.d.OnEngineEvent)
	r.run(b)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		m := store.Monitor{Name: fmt.Sprintf("m%d", i), Type: "tcp", Target: "127.0.0.1:1", Interval: time.Minute,
			Locations: []string{"server"}, Notify: contacts, Confirm: 1}
		if err := r.db.CreateMonitor(&m, admin); err != nil {
			b.Fatal(err)
		}
		r.mu.Lock()
		r.monitors[m.ID] = m
		r.mu.Unlock()
		eng.UpsertMonitor(m)
		b.StartTimer()
		start := time.Now()
		events := eng.Apply([]store.MonitorResult{{MonitorID: m.ID, Result: checks.Result{At: start, Location: "server", Status: checks.StatusProblem, Message: "connection refused"}}})
		if len(events) == 0 || events[len(events)-1].Kind != engine.IncidentOpened {
			b.Fatalf("no incident opened: %+v", events)
		}
		a := <-r.arrivals
		if a.incident != events[len(events)-1].Incident.ID {
			b.Fatalf("webhook for incident %q, want %q", a.incident, events[len(events)-1].Incident.ID)
		}
		lat = append(lat, a.at.Sub(start))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkOutboxDrain measures the outbox draining 10,000 queued
// messages (500 incidents × 20 webhook contacts) into an httptest
// receiver: each is read, checked, sent over HTTP and recorded (one bbolt
// transaction each). Run with -benchtime=1x.
func BenchmarkOutboxDrain(b *testing.B) {
	const incidents, perIncident = 500, 20
	r, contacts := newBenchRig(b, nil, perIncident)
	m := store.Monitor{Name: "web", Type: "tcp", Target: "127.0.0.1:1", Interval: time.Minute, Locations: []string{"server"}}
	if err := r.db.CreateMonitor(&m, admin); err != nil {
		b.Fatal(err)
	}
	r.monitors[m.ID] = m
	for b.Loop() {
		b.StopTimer()
		for range incidents {
			inc := store.Incident{MonitorID: m.ID, StartedAt: time.Now(), Status: store.IncidentOpen, Message: "connection refused"}
			if err := r.db.CreateIncident(&inc); err != nil {
				b.Fatal(err)
			}
			payload, err := r.d.payload(EventOpened, m, inc, inc.StartedAt)
			if err != nil {
				b.Fatal(err)
			}
			var entries []*store.OutboxEntry
			for _, c := range contacts {
				entries = append(entries, &store.OutboxEntry{IncidentID: inc.ID, MonitorID: m.ID, ContactID: c, Event: EventOpened, NotBefore: time.Now(), Payload: payload})
			}
			if err := r.db.EnqueueNotifications(entries); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			r.d.Run(ctx)
		}()
		for range incidents * perIncident {
			<-r.arrivals
		}
		for { // until every send is recorded
			if _, ok, _ := r.db.NextNotificationAt(); !ok {
				break
			}
			time.Sleep(time.Millisecond)
		}
		elapsed := time.Since(start)
		cancel()
		<-done
		b.ReportMetric(incidents*perIncident/elapsed.Seconds(), "notifications/s")
	}
	if log, _ := r.db.RecentNotifications(10); len(log) == 0 || !strings.EqualFold(log[0].Result, ResultSent) {
		b.Errorf("last attempts: %+v", log)
	}
}
