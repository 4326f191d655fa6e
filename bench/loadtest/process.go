package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	adminUser     = "bench"
	adminPassword = "bench-password-not-secret-42"
)

// server is the vigil process under test.
type server struct {
	url    string
	dir    string
	keep   bool
	cmd    *exec.Cmd
	exited chan struct{}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func startServer(ctx context.Context, bin string, keep bool, log *slog.Logger) (*server, error) {
	dir, err := os.MkdirTemp("", "vigil-loadtest-")
	if err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	s := &server{dir: dir, keep: keep, exited: make(chan struct{})}
	if err := s.start(ctx, bin, log); err != nil {
		s.cleanup(log)
		return nil, err
	}
	return s, nil
}

func (s *server) start(ctx context.Context, bin string, log *slog.Logger) error {
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
	s.url = "http://" + listen
	s.cmd = exec.Command(bin, "server", "--data", filepath.Join(s.dir, "data"), "--listen", listen,
		"--agent-listen", agent, "--admin-user", adminUser, "--admin-password-file", pw)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	log.Info("server started", "pid", s.cmd.Process.Pid, "url", s.url, "log", logFile.Name())
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
			return fmt.Errorf("server exited before it was ready; see %s", filepath.Join(s.dir, "server.log"))
		case <-ctx.Done():
			return fmt.Errorf("server not ready: %w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

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
	s.cleanup(log)
}

func (s *server) cleanup(log *slog.Logger) {
	if s.keep {
		log.Info("kept the data directory", "dir", s.dir)
		return
	}
	os.RemoveAll(s.dir)
}

func (s *server) dbPath() string { return filepath.Join(s.dir, "data", "vigil.db") }

// clockTicks is USER_HZ. Go cannot ask sysconf without cgo; Linux has used
// 100 on every mainstream architecture for decades.
const clockTicks = 100

// cpuSeconds returns the process's user+system CPU time from /proc.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	// The command name is in parentheses and may hold spaces: split after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("read stat: no command field")
	}
	f := strings.Fields(string(b[i+1:]))
	// Fields after the name start at field 3 (state); utime and stime are
	// fields 14 and 15.
	if len(f) < 13 {
		return 0, errors.New("read stat: too few fields")
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	return (ut + st) / clockTicks, nil
}

// memoryKB returns VmHWM (peak RSS) and VmRSS from /proc/PID/status.
func memoryKB(pid int) (hwm, rss int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read status: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	return hwm, rss, nil
}
