// Command loadtest measures a real vigil server under many HTTP monitors and
// prints a Markdown block for docs/performance.md.
//
//	go build -o vigil . && go run ./bench/loadtest -vigil ./vigil -n 1000 -interval 30s -duration 5m
//
// It starts a local HTTP target (keep-alive off, so every check opens a
// connection), a server with a fresh data directory, creates the monitors
// through the API, waits one interval for the first runs to spread out, then
// samples the server for the duration. It stops by itself and removes what
// it created.
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
	"syscall"
	"time"
)

type config struct {
	vigil    string
	n        int
	interval time.Duration
	duration time.Duration
	warmup   time.Duration
	sample   time.Duration
	keep     bool
	args     []string // the command line, for the report
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.vigil, "vigil", "./vigil", "the vigil binary to run")
	fs.IntVar(&c.n, "n", 1000, "number of HTTP monitors")
	fs.DurationVar(&c.interval, "interval", 30*time.Second, "check interval of every monitor")
	fs.DurationVar(&c.duration, "duration", 5*time.Minute, "how long to measure after the warm-up")
	fs.DurationVar(&c.warmup, "warmup", 0, "wait before measuring (default: one interval)")
	fs.DurationVar(&c.sample, "sample", 5*time.Second, "how often to sample memory while measuring")
	fs.BoolVar(&c.keep, "keep", false, "keep the data directory and print its path")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.n < 1 || c.interval < time.Second || c.duration <= 0 {
		return c, fmt.Errorf("-n must be at least 1, -interval at least 1s and -duration positive")
	}
	if c.warmup == 0 {
		c.warmup = c.interval
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
	// Bounded: whatever happens, the run ends a few minutes after its plan.
	ctx, cancel := context.WithTimeout(ctx, cfg.warmup+cfg.duration+5*time.Minute)
	defer cancel()

	tg, err := startTarget()
	if err != nil {
		return err
	}
	defer tg.close()

	srv, err := startServer(ctx, cfg.vigil, cfg.keep, log)
	if err != nil {
		return err
	}
	defer srv.stop(log)

	api, err := login(ctx, srv.url)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := createMonitors(ctx, api, tg.url, cfg.n, cfg.interval); err != nil {
		return err
	}
	log.Info("monitors created", "n", cfg.n, "took", time.Since(began).Round(time.Millisecond))

	log.Info("warming up", "for", cfg.warmup)
	if err := sleep(ctx, cfg.warmup); err != nil {
		return err
	}
	m, err := measure(ctx, cfg, srv, api, log)
	if err != nil {
		return err
	}
	m.target = tg.hits.Load()
	report(stdout, cfg, m)
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func commandLine(cfg config) string {
	return "go run ./bench/loadtest " + strings.Join(cfg.args, " ")
}
