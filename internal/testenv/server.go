package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// ReadyTimeout is how long StartServer waits for /healthz.
const ReadyTimeout = 20 * time.Second

// Options say how StartServer runs the server. The zero value runs a fresh
// server that prints a setup code.
type Options struct {
	// DataDir is the --data directory; "" means a new t.TempDir().
	DataDir string
	// AdminUser and AdminPassword create the first administrator through
	// --admin-user and --admin-password-file when AdminUser is set.
	AdminUser     string
	AdminPassword string
	// LogFormat is passed as --log-format when set ("text" or "json").
	LogFormat string
	// Addr and AgentAddr reuse given addresses (to restart a server where
	// its agents expect it); empty means free loopback ports.
	Addr, AgentAddr string
	// Args are added after the flags StartServer sets.
	Args []string
	// Env is added to the test's environment.
	Env []string
}

// Server is a running vigil server process.
type Server struct {
	URL       string // http://127.0.0.1:P, the --listen address
	Addr      string // 127.0.0.1:P
	AgentAddr string // 127.0.0.1:Q, the --agent-listen address
	DataDir   string
	Cmd       *exec.Cmd

	t       testing.TB
	log     *logBuffer
	exited  chan struct{} // closed when the process has exited
	state   *os.ProcessState
	waitErr error
}

// StartServer runs `vigil server` on free loopback ports, waits until
// /healthz answers 200 and stops the process when the test ends. On a
// failed test the server's stderr is written to the test log.
func StartServer(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := BuildVigil(t)
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.Addr == "" {
		opts.Addr = fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	}
	if opts.AgentAddr == "" {
		opts.AgentAddr = fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	}
	s := &Server{
		Addr:      opts.Addr,
		AgentAddr: opts.AgentAddr,
		DataDir:   opts.DataDir,
		t:         t,
		log:       newLogBuffer(),
		exited:    make(chan struct{}),
	}
	s.URL = "http://" + s.Addr
	args, err := s.args(opts)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	s.Cmd = exec.Command(bin, args...)
	s.Cmd.Env = append(os.Environ(), opts.Env...)
	s.Cmd.Stdout = s.log
	s.Cmd.Stderr = s.log
	if err := s.Cmd.Start(); err != nil {
		t.Fatalf("testenv: start %s: %v", bin, err)
	}
	go func() {
		s.waitErr = s.Cmd.Wait()
		s.state = s.Cmd.ProcessState
		close(s.exited)
	}()
	t.Cleanup(s.cleanup)
	if err := s.waitReady(ReadyTimeout); err != nil {
		t.Fatalf("testenv: server not ready: %v\n--- server log ---\n%s", err, s.Logs())
	}
	return s
}

func (s *Server) args(opts Options) ([]string, error) {
	args := []string{"server", "--data", s.DataDir, "--listen", s.Addr, "--agent-listen", s.AgentAddr}
	if opts.AdminUser != "" {
		pw := filepath.Join(s.t.TempDir(), "admin-password")
		if err := os.WriteFile(pw, []byte(opts.AdminPassword+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write password file: %w", err)
		}
		args = append(args, "--admin-user", opts.AdminUser, "--admin-password-file", pw)
	}
	if opts.LogFormat != "" {
		args = append(args, "--log-format", opts.LogFormat)
	}
	return append(args, opts.Args...), nil
}

// waitReady polls /healthz: the process gives no other sign that it is
// listening, so polling is the only way to know.
func (s *Server) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/healthz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("the process exited early (%v)", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("no 200 from %s/healthz within %s (last error: %v)", s.URL, timeout, err)
		case <-tick.C:
		}
	}
}

// Logs returns everything the server wrote to stderr and stdout so far.
func (s *Server) Logs() string { return s.log.String() }

// WaitLog waits until the log contains sub, failing the test after timeout.
func (s *Server) WaitLog(sub string, timeout time.Duration) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, ok := s.log.waitFor(ctx, s.exited, containsMatcher(sub)); !ok {
		s.t.Fatalf("testenv: no %q in the server log within %s\n--- server log ---\n%s", sub, timeout, s.Logs())
	}
}

// setupCodeRE matches the code in slog text (setup_code=X or
// setup_code="X") and in slog JSON ("setup_code":"X").
var setupCodeRE = regexp.MustCompile(`setup_code"?[=:]"?([A-Za-z0-9-]+)`)

// setupURLRE does the same for the setup link.
var setupURLRE = regexp.MustCompile(`setup_url"?[=:]"?([^"\s]+)`)

// SetupCode returns the one-time setup code from the server log, waiting up
// to five seconds for the line; it fails the test when there is none.
func (s *Server) SetupCode() string {
	s.t.Helper()
	return s.logValue(setupCodeRE, "setup_code")
}

// SetupURL returns the setup link from the server log, as SetupCode does.
func (s *Server) SetupURL() string {
	s.t.Helper()
	return s.logValue(setupURLRE, "setup_url")
}

func (s *Server) logValue(re *regexp.Regexp, key string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, ok := s.log.waitFor(ctx, s.exited, func(text string) string {
		if m := re.FindStringSubmatch(text); m != nil {
			return m[1]
		}
		return ""
	})
	if !ok {
		s.t.Fatalf("testenv: no %s in the server log\n--- server log ---\n%s", key, s.Logs())
	}
	return v
}

// Stop sends SIGTERM and waits up to 15 s for the process to exit. It
// returns the exit code (-1 for death by signal) and how long the exit took;
// a process still running after 15 s is killed and fails the test.
func (s *Server) Stop() (code int, took time.Duration) {
	s.t.Helper()
	return s.signalAndWait(syscall.SIGTERM, 15*time.Second)
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill() {
	s.t.Helper()
	s.signalAndWait(syscall.SIGKILL, 15*time.Second)
}

// Exited is closed when the process has exited.
func (s *Server) Exited() <-chan struct{} { return s.exited }

func (s *Server) signalAndWait(sig syscall.Signal, timeout time.Duration) (int, time.Duration) {
	s.t.Helper()
	start := time.Now()
	select {
	case <-s.exited:
		return s.exitCode(), 0
	default:
	}
	if err := s.Cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Fatalf("testenv: signal %v: %v", sig, err)
	}
	select {
	case <-s.exited:
		return s.exitCode(), time.Since(start)
	case <-time.After(timeout):
		s.Cmd.Process.Kill()
		<-s.exited
		s.t.Errorf("testenv: server still running %s after %v; killed it\n--- server log ---\n%s", timeout, sig, s.Logs())
		return s.exitCode(), time.Since(start)
	}
}

func (s *Server) exitCode() int {
	if s.state == nil {
		return -1
	}
	return s.state.ExitCode()
}

func (s *Server) cleanup() {
	select {
	case <-s.exited:
	default:
		s.Cmd.Process.Kill()
		<-s.exited
	}
	if s.t.Failed() {
		s.t.Logf("--- server log (%s, exit %s) ---\n%s", s.Addr, strconv.Itoa(s.exitCode()), s.Logs())
	}
}
