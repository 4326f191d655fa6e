package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

const (
	adminUser     = "bench"
	adminPassword = "bench-password-not-secret-42"
)

// server is the vigil process under test.
type server struct {
	url     string // the JSON API
	gateway string // the agent gateway, https://
	dir     string
	keep    bool
	cmd     *exec.Cmd
	exited  chan struct{}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer runs `vigil server` on a fresh data directory with both
// listeners on loopback and waits until it answers /healthz.
func startServer(ctx context.Context, bin string, keep bool, env []string, log *slog.Logger) (*server, error) {
	dir, err := os.MkdirTemp("", "vigil-agentsim-")
	if err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	s := &server{dir: dir, keep: keep, exited: make(chan struct{})}
	if err := s.start(ctx, bin, env, log); err != nil {
		s.stop(log)
		return nil, err
	}
	return s, nil
}

func (s *server) start(ctx context.Context, bin string, env []string, log *slog.Logger) error {
	pw := filepath.Join(s.dir, "admin-password")
	if err := os.WriteFile(pw, []byte(adminPassword+"\n"), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	listen, err := freeAddr()
	if err != nil {
		return err
	}
	agent, err := freeAddr()
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(s.dir, "server.log"))
	if err != nil {
		return fmt.Errorf("create server log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	s.url, s.gateway = "http://"+listen, "https://"+agent
	s.cmd = exec.Command(bin, "server", "--data", filepath.Join(s.dir, "data"), "--listen", listen,
		"--agent-listen", agent, "--admin-user", adminUser, "--admin-password-file", pw)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.Env = append(os.Environ(), env...)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	log.Info("server started", "pid", s.cmd.Process.Pid, "api", s.url, "gateway", s.gateway, "log", logFile.Name(), "env", env)
	return s.waitReady(ctx)
}

// waitReady polls /healthz: the process gives no other sign of readiness.
func (s *server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("server exited before it was ready; see %s", s.logPath())
		case <-ctx.Done():
			return fmt.Errorf("server not ready: %w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) logPath() string { return filepath.Join(s.dir, "server.log") }

// dbPath is the server's bbolt file (store.FileName under --data).
func (s *server) dbPath() string { return filepath.Join(s.dir, "data", "vigil.db") }

// stop ends the server with SIGTERM (SIGKILL after 15 s) and removes the
// data directory unless -keep.
func (s *server) stop(log *slog.Logger) {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			log.Warn("server ignored SIGTERM for 15 s; killing it")
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	if s.keep {
		log.Info("kept the data directory", "dir", s.dir)
		return
	}
	os.RemoveAll(s.dir)
}
