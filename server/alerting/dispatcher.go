package alerting

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vigil-monitor/vigil/server/engine"
	"github.com/vigil-monitor/vigil/server/notify"
	"github.com/vigil-monitor/vigil/store"
)

// What a notification is about: OutboxEntry.Event and notify.Event.Kind.
const (
	EventOpened       = notify.KindOpened
	EventAcknowledged = notify.KindAcknowledged
	EventResolved     = notify.KindResolved
	EventReminder     = notify.KindReminder
	EventTest         = notify.KindTest
)

// Results of a NotificationAttempt.
const (
	ResultSent     = "sent"
	ResultFailed   = "failed"
	ResultRetrying = "retrying"
	// ResultHeld: not sent yet and not an attempt; decided again later
	// (a parent is down, a maintenance window is on).
	ResultHeld       = "held"
	ResultGaveUp     = "gave_up"
	ResultSuppressed = "suppressed"
	ResultCancelled  = "cancelled"
)

// Defaults of Options.
const (
	DefaultSendTimeout = 10 * time.Second
	DefaultConcurrency = 16
)

// Sender delivers ev to contact before ctx's deadline. The server's is
// NewSender; tests pass one that records calls. An error wrapping
// *notify.PermanentError is not retried.
type Sender func(ctx context.Context, contact store.Contact, ev notify.Event) error

// Store is what the dispatcher reads and writes; *store.DB has it all.
type Store interface {
	// EnqueueNotifications stores entries in one transaction, setting
	// their IDs and CreatedAt.
	EnqueueNotifications(entries []*store.OutboxEntry) error
	// DueNotifications returns up to limit entries with NotBefore <= now,
	// oldest first.
	DueNotifications(now time.Time, limit int) ([]store.OutboxEntry, error)
	// NextNotificationAt returns the earliest NotBefore in the outbox.
	NextNotificationAt() (time.Time, bool, error)
	// CompleteNotification deletes entry id and logs a, in one transaction.
	CompleteNotification(id string, a store.NotificationAttempt) error
	// RetryNotification counts an attempt, moves NotBefore to next and
	// logs a.
	RetryNotification(id string, next time.Time, a store.NotificationAttempt) error
	// DropNotification deletes entry id without sending it and logs a.
	DropNotification(id string, a store.NotificationAttempt) error
	// CancelNotifications deletes the queued entries of an incident that
	// pred accepts, logging a for each, and returns how many.
	CancelNotifications(incidentID string, pred func(store.OutboxEntry) bool, a store.NotificationAttempt) (int, error)
	// PendingNotifications returns an incident's queued entries.
	PendingNotifications(incidentID string) ([]store.OutboxEntry, error)
	// NotificationLog returns an incident's attempts, oldest first.
	NotificationLog(incidentID string, limit int) ([]store.NotificationAttempt, error)
	// Incident returns an incident as stored now.
	Incident(id string) (store.Incident, error)
	// Contact, Group and EscalationPolicy return one record or ErrNotFound.
	Contact(id string) (store.Contact, error)
	Group(id string) (store.ContactGroup, error)
	EscalationPolicy(id string) (store.EscalationPolicy, error)
	// Routes returns every notification route.
	Routes() ([]store.NotifyRoute, error)
	// MaintenanceWindows returns every maintenance window.
	MaintenanceWindows() ([]store.MaintenanceWindow, error)
	// Agent returns an agent, for the labels routes match and the names
	// messages show.
	Agent(id string) (store.Agent, error)
	// Incidents lists incidents, newest first, for the startup repair.
	Incidents(q store.IncidentQuery) ([]store.Incident, error)
	// AlertingSince returns when alerting first ran on this data
	// directory, recording now on the first call.
	AlertingSince(now time.Time) (time.Time, error)
}

// Options build a Dispatcher.
type Options struct {
	Store Store
	Send  Sender
	// Monitor returns the monitor's current configuration.
	Monitor func(id string) (store.Monitor, bool)
	// State returns a monitor's state in the engine: a parent in problem
	// suppresses its dependants' messages.
	State func(id string) (engine.State, bool)
	// PublicURL is where people reach the server ("https://vigil.example").
	PublicURL string
	// Signer makes one-click acknowledgement links for email; nil: none.
	Signer *Signer
	Log    *slog.Logger
	// SendTimeout bounds one delivery (DefaultSendTimeout when 0).
	SendTimeout time.Duration
	// Concurrency bounds deliveries at once (DefaultConcurrency when 0).
	Concurrency int
}

// Dispatcher turns the engine's incidents into notifications: it decides
// who hears what, queues it in the persistent outbox, and sends it with
// retries. Create it with New, call Run once. See the package doc.
type Dispatcher struct {
	st          Store
	send        Sender
	monitor     func(id string) (store.Monitor, bool)
	state       func(id string) (engine.State, bool)
	publicURL   string
	signer      *Signer
	log         *slog.Logger
	sendTimeout time.Duration
	concurrency int

	// Work handed in by OnEngineEvent and Acknowledged, done in order by
	// the intake goroutine.
	qMu        sync.Mutex
	queue      []job
	overflowed bool          // jobs were dropped: the queue was full
	queued     chan struct{} // 1-buffered: "the queue is not empty"

	wake chan struct{} // 1-buffered: "look at the outbox again"

	// mu guards what is being sent now. Cancellations hold it so that an
	// entry is either cancelled or being sent, never both unnoticed.
	mu         sync.Mutex
	inflight   map[string]store.OutboxEntry // by entry id
	busy       map[string]int               // incident|contact → entries in flight
	perContact map[string]int               // contact → entries in flight
	failing    map[string]bool              // contacts whose last attempt failed
	skipped    int                          // due entries the last pass could not start
	finished   map[string]struct{}          // entries released since the last due read began

	mwMu     sync.Mutex
	mw       []store.MaintenanceWindow
	mwLoaded bool
}

// New returns a dispatcher; nothing runs until Run.
func New(o Options) *Dispatcher {
	d := &Dispatcher{
		st:          o.Store,
		send:        o.Send,
		monitor:     o.Monitor,
		state:       o.State,
		publicURL:   strings.TrimRight(o.PublicURL, "/"),
		signer:      o.Signer,
		log:         o.Log,
		sendTimeout: o.SendTimeout,
		concurrency: o.Concurrency,
		queued:      make(chan struct{}, 1),
		wake:        make(chan struct{}, 1),
		inflight:    map[string]store.OutboxEntry{},
		busy:        map[string]int{},
		perContact:  map[string]int{},
		failing:     map[string]bool{},
		finished:    map[string]struct{}{},
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.sendTimeout <= 0 {
		d.sendTimeout = DefaultSendTimeout
	}
	if d.concurrency <= 0 {
		d.concurrency = DefaultConcurrency
	}
	if d.monitor == nil {
		d.monitor = func(string) (store.Monitor, bool) { return store.Monitor{}, false }
	}
	if d.state == nil {
		d.state = func(string) (engine.State, bool) { return engine.State{}, false }
	}
	return d
}

// Run sends what the outbox holds, as it falls due, until ctx ends; what
// a previous run left queued is sent first. It returns once every send
// under way has finished and every event handed in has been queued in
// the outbox, so stop it after the engine's last Apply.
func (d *Dispatcher) Run(ctx context.Context) {
	intakeDone := make(chan struct{})
	go func() {
		defer close(intakeDone)
		d.intake(ctx)
	}()
	var sends sync.WaitGroup
	d.sendLoop(ctx, &sends)
	sends.Wait()
	<-intakeDone
}

// OnEngineEvent takes an engine event (engine.Subscribe); it never
// blocks. The notifications it makes are in the outbox moments later.
func (d *Dispatcher) OnEngineEvent(ev engine.Event) {
	if ev.Incident == nil || (ev.Kind != engine.IncidentOpened && ev.Kind != engine.IncidentResolved) {
		return
	}
	d.push(job{ev: ev, inc: *ev.Incident})
}

// Acknowledged tells the dispatcher that a person acknowledged inc (as
// stored, with AcknowledgedBy set): pending escalation steps and
// reminders are cancelled and everyone told of the incident so far hears
// who is on it. It never blocks.
func (d *Dispatcher) Acknowledged(inc store.Incident) {
	d.push(job{acked: true, inc: inc})
}

// poke makes the send loop look at the outbox again.
func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}
