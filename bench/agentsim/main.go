// Command agentsim measures what many agents cost a real vigil server. It
// starts the `vigil server` binary on loopback with a fresh data
// directory, joins N simulated agents over the real agent protocol (a key
// and CSR each, a real client certificate, mutual TLS 1.3, an HTTP client
// set up like the real agent's), creates M host monitors on each through
// the API, and then lets every agent long-poll and deliver its results the
// way the real agent does. It prints a Markdown block for
// docs/performance.md.
//
//	go build -o /tmp/vigil-agentsim/vigil . && go run ./bench/agentsim -vigil /tmp/vigil-agentsim/vigil -agents 1000 -monitors-per-agent 10 -interval 10s -duration 5m
//
// Measured over the window after the warm-up: the server's CPU (utime +
// stime from /proc) as a share of one core, its memory (VmRSS samples,
// anonymous and file-backed, how much of that the bbolt file, VmHWM), the
// ingest latency (from sending a batch to its
// acknowledgement), how late held polls come back, errors, and the
// simulator's own CPU. Afterwards it stops the checks, waits until every
// result made was acknowledged, and reads a sample of monitors' results
// back through the API to check that every acknowledged one is stored.
//
// The simulated agents are goroutines (three each, plus their
// connections'), not processes, so the simulator stays light beside the
// server on a small machine; its CPU is reported so the reader can judge.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	vigil    string
	agents   int
	perAgent int
	interval time.Duration
	duration time.Duration
	warmup   time.Duration
	sample   time.Duration
	spot     int
	parallel int
	keep     bool
	env      envList  // added to the server's environment
	args     []string // the command line, for the report
}

// envList is a repeatable -server-env flag of KEY=VALUE pairs.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "agentsim:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("agentsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.vigil, "vigil", "./vigil", "the vigil binary to run")
	fs.IntVar(&c.agents, "agents", 1000, "number of simulated agents")
	fs.IntVar(&c.perAgent, "monitors-per-agent", 10, "host monitors on each agent")
	fs.DurationVar(&c.interval, "interval", 10*time.Second, "check interval of every monitor")
	fs.DurationVar(&c.duration, "duration", 5*time.Minute, "how long to measure after the warm-up")
	fs.DurationVar(&c.warmup, "warmup", 0, "wait before measuring (default: one interval, at least 30s)")
	fs.DurationVar(&c.sample, "sample", 5*time.Second, "how often to sample the server's memory while measuring")
	fs.IntVar(&c.spot, "spot", 50, "monitors whose results are read back through the API at the end")
	fs.IntVar(&c.parallel, "join-parallel", 16, "joins in flight while the agents join")
	fs.BoolVar(&c.keep, "keep", false, "keep the data directory and print its path")
	fs.Var(&c.env, "server-env", "KEY=VALUE added to the server's environment, e.g. GOMEMLIMIT=250MiB (repeatable)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case c.agents < 1 || c.perAgent < 1:
		return c, fmt.Errorf("-agents and -monitors-per-agent must be at least 1")
	case c.interval < time.Second:
		return c, fmt.Errorf("-interval must be at least 1s, is %s", c.interval)
	case c.duration <= 0:
		return c, fmt.Errorf("-duration must be positive")
	case c.parallel < 1:
		return c, fmt.Errorf("-join-parallel must be at least 1")
	}
	if c.warmup == 0 {
		c.warmup = max(c.interval, 30*time.Second)
	}
	c.args = args
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	// Bounded: whatever happens, the run ends some minutes after its plan.
	setup := 10*time.Minute + time.Duration(cfg.agents*cfg.perAgent)*10*time.Millisecond
	ctx, cancel := context.WithTimeout(ctx, cfg.warmup+cfg.duration+setup)
	defer cancel()

	srv, err := startServer(ctx, cfg.vigil, cfg.keep, cfg.env, log)
	if err != nil {
		return err
	}
	defer srv.stop(log)
	api, err := login(ctx, srv.url)
	if err != nil {
		return err
	}
	st := newStats()
	began := time.Now()
	agents, err := joinAll(ctx, cfg, api, srv.gateway, st)
	if err != nil {
		return err
	}
	log.Info("agents joined", "n", len(agents), "took", time.Since(began).Round(time.Millisecond))
	began = time.Now()
	if err := api.createMonitors(ctx, agents, cfg.perAgent, cfg.interval); err != nil {
		return err
	}
	log.Info("monitors created", "n", cfg.agents*cfg.perAgent, "took", time.Since(began).Round(time.Millisecond))
	pickSpot(agents, cfg.spot)

	runStart := time.Now()
	agentsCtx, stopAgents := context.WithCancel(ctx)
	checksCtx, stopChecks := context.WithCancel(agentsCtx)
	var wg sync.WaitGroup
	defer func() { stopChecks(); stopAgents(); wg.Wait() }()
	for _, a := range agents {
		a.run(agentsCtx, checksCtx, &wg)
	}
	if err := waitReady(ctx, agents, 2*time.Minute); err != nil {
		return err
	}
	log.Info("every agent runs its monitors", "took", time.Since(runStart).Round(time.Millisecond))
	log.Info("warming up", "for", cfg.warmup)
	sleep(ctx, cfg.warmup)
	m, err := measure(ctx, cfg, srv, api, st, log)
	if err != nil {
		return err
	}
	stopChecks()
	v := verify(ctx, api, agents, st, runStart, log)
	stopAgents()
	wg.Wait()
	report(stdout, cfg, m, v, st)
	return nil
}

// joinAll joins cfg.agents agents, cfg.parallel at a time.
func joinAll(ctx context.Context, cfg config, api *apiClient, gateway string, st *stats) ([]*simAgent, error) {
	tokens, err := api.joinTokens(ctx, cfg.agents)
	if err != nil {
		return nil, err
	}
	agents := make([]*simAgent, cfg.agents)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range cfg.parallel {
		wg.Go(func() {
			for i := range next {
				a, err := joinAgent(ctx, gateway, tokens[i/maxTokenUses], fmt.Sprintf("sim-%04d", i), st, cfg.interval, uint64(i+1))
				if err != nil {
					cancel(err)
					continue
				}
				agents[i] = a
			}
		})
	}
feed:
	for i := range cfg.agents {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return agents, nil
}

// pickSpot marks n monitors, spread over the agents, for the read-back.
func pickSpot(agents []*simAgent, n int) {
	step := max(1, len(agents)/max(n, 1))
	for i, picked := 0, 0; i < len(agents) && picked < n; i += step {
		a := agents[i]
		for id := range a.expected { // any one of the agent's monitors
			a.spotCheck(id)
			break
		}
		picked++
	}
}

// waitReady waits until every agent received all its monitors.
func waitReady(ctx context.Context, agents []*simAgent, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for _, a := range agents {
		select {
		case <-a.ready:
		case <-ctx.Done():
			return fmt.Errorf("agent %s did not get its %d monitors within %s", a.name, len(a.expected), limit)
		}
	}
	return nil
}

func commandLine(cfg config) string {
	return "go run ./bench/agentsim " + strings.Join(cfg.args, " ")
}
