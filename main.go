// Command vigil is a single-binary monitoring appliance: run it as a server
// (web UI, JSON API, scheduler, store).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // maintenance windows name IANA zones: resolve them on hosts without zoneinfo

	"github.com/vigil-monitor/vigil/agent"
	"github.com/vigil-monitor/vigil/internal/version"
	"github.com/vigil-monitor/vigil/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, server.ErrUsage) || errors.Is(err, agent.ErrUsage) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "vigil:", err)
		os.Exit(1)
	}
}

const usage = `usage: vigil <command> [flags]

commands:
  server    run the server: web UI, JSON API, scheduler, agent gateway, embedded store
  agent     run an agent on a host; joins the server on first start
  version   print the version and exit

Run "vigil <command> -h" for a command's flags.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "vigil %s\n", version.Version)
		return nil
	case "server":
		cfg, err := server.ParseFlags(args[1:], getenv, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		if err != nil {
			return err
		}
		log, err := newLogger(cfg.LogFormat, stderr)
		if err != nil {
			return err
		}
		return server.Run(ctx, cfg, log)
	case "agent":
		return runAgent(ctx, args[1:], getenv, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// runAgent is `vigil agent`: flags to agent.Config, then agent.Run.
func runAgent(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	tuneAgentRuntime(getenv)
	cfg, err := agent.ParseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := newLogger(getenv("VIGIL_LOG_FORMAT"), stderr)
	if err != nil {
		return err
	}
	return agent.Run(ctx, cfg, log)
}

// agentGCPercent is the agent's GOGC. Its live heap is a few hundred KiB,
// and at the runtime's default of 100 the heap still grows to the 4 MiB
// minimum goal before each collection: a third of the agent's resident
// memory for garbage. At 25 the goal is 1 MiB; the collections that adds
// cost about a millisecond of CPU each, one every half minute or so.
const agentGCPercent = 25

// tuneAgentRuntime sets the agent's heap target, unless GOGC in the
// environment already says what the operator wants, and turns off the
// heap profile nobody reads on an agent: its bucket table and records
// grew by about 0.25 MiB in the first minutes.
func tuneAgentRuntime(getenv func(string) string) {
	runtime.MemProfileRate = 0
	if getenv("GOGC") == "" {
		debug.SetGCPercent(agentGCPercent)
	}
}
