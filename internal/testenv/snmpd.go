package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// SnmpdReadyTimeout is how long StartSnmpd waits for the agent to answer.
// Generous: a loaded 2-core CI machine running tests with -race is slow.
const SnmpdReadyTimeout = 20 * time.Second

// SnmpdCommunity is the read-only community every Snmpd answers to from
// 127.0.0.1.
const SnmpdCommunity = "public"

// SnmpUser is an SNMPv3 user an Snmpd is given. Level is "noauth",
// "auth" or "priv" (net-snmp's rouser levels); AuthProto is MD5, SHA,
// SHA-224, SHA-256, SHA-384 or SHA-512; PrivProto is DES or AES (also
// AES-192, AES-256 where net-snmp was built with them).
type SnmpUser struct {
	Name      string
	Level     string
	AuthProto string
	AuthPass  string
	PrivProto string
	PrivPass  string
}

// Snmpd is a net-snmp agent running on loopback for one test.
type Snmpd struct {
	Addr string // 127.0.0.1:port, UDP
	Dir  string // its configuration, pid, log and persistent state

	t      testing.TB
	bin    string
	users  []SnmpUser
	cmd    *exec.Cmd
	exited chan struct{}
	logOut string
}

// SnmpdPath returns the path of the snmpd program, or skips the test when
// there is none. The README's test command (make test) installs the Debian
// packages, so CI never skips.
func SnmpdPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/snmpd", "/usr/local/sbin/snmpd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("snmpd"); err == nil {
		return p
	}
	t.Skip("testenv: snmpd not found: install the Debian packages snmpd and snmp " +
		"(apt-get install -y --no-install-recommends snmpd snmp); " +
		"the README's test command (make test) installs them, so CI never skips")
	return ""
}

// StartSnmpd starts snmpd on a free loopback UDP port with the community
// SnmpdCommunity and the given SNMPv3 users, waits until it answers, and
// stops it when the test ends. On a failed test its log is printed.
func StartSnmpd(t testing.TB, users ...SnmpUser) *Snmpd {
	t.Helper()
	bin := SnmpdPath(t)
	dir := t.TempDir()
	var lastErr error
	// Another process may take the free port between our probe and
	// snmpd's bind; a second port nearly always works.
	for range 3 {
		s := &Snmpd{Addr: "127.0.0.1:" + strconv.Itoa(snmpdFreeUDPPort(t)), Dir: dir, t: t, bin: bin, users: users}
		if err := s.start(); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		lastErr = s.waitReady(SnmpdReadyTimeout)
		if lastErr == nil {
			t.Cleanup(func() {
				s.stop()
				if t.Failed() {
					t.Logf("--- snmpd log (%s) ---\n%s", s.Addr, s.Log())
				}
			})
			return s
		}
		s.stop()
		if !strings.Contains(s.Log(), "Error opening specified endpoint") {
			break
		}
	}
	t.Fatalf("testenv: snmpd not ready: %v\n--- snmpd log ---\n%s", lastErr, snmpdReadFile(filepath.Join(dir, "snmpd.log")))
	return nil
}

// Restart stops the agent and starts it again on the same address, as
// after a reboot: its sysUpTime starts from zero.
func (s *Snmpd) Restart() {
	s.t.Helper()
	s.stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("testenv: restart snmpd: %v", err)
	}
	if err := s.waitReady(SnmpdReadyTimeout); err != nil {
		s.t.Fatalf("testenv: snmpd not ready after a restart: %v\n--- snmpd log ---\n%s", err, s.Log())
	}
}

func (s *Snmpd) start() error {
	s.exited = make(chan struct{})
	conf := filepath.Join(s.Dir, "snmpd.conf")
	if err := os.WriteFile(conf, []byte(snmpdConfig(s.Addr, s.users)), 0o600); err != nil {
		return fmt.Errorf("write snmpd.conf: %w", err)
	}
	// A stale user store from a previous attempt would keep old keys.
	_ = os.RemoveAll(filepath.Join(s.Dir, "persist"))
	// -f: foreground; -C: only our configuration; -I -smux: no SMUX
	// listener on TCP 199. MIBS= because Debian ships no MIB files.
	s.cmd = exec.Command(s.bin, "-f", "-C", "-c", conf, "-Lf", filepath.Join(s.Dir, "snmpd.log"),
		"-p", filepath.Join(s.Dir, "snmpd.pid"), "-I", "-smux")
	s.cmd.Dir = s.Dir
	s.cmd.Env = append(os.Environ(), "MIBS=", "SNMP_PERSISTENT_DIR="+filepath.Join(s.Dir, "persist"))
	out := &strings.Builder{}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	cmd, exited := s.cmd, s.exited
	go func() {
		_ = cmd.Wait()
		s.logOut = out.String()
		close(exited)
	}()
	return nil
}

// snmpdConfig writes the agent's configuration: v1/v2c read access for
// 127.0.0.1 and one rouser line per SNMPv3 user.
func snmpdConfig(addr string, users []SnmpUser) string {
	var b strings.Builder
	fmt.Fprintf(&b, "agentAddress udp:%s\n", addr)
	fmt.Fprintf(&b, "rocommunity %s 127.0.0.1\n", SnmpdCommunity)
	for _, u := range users {
		line := "createUser " + u.Name
		if u.AuthProto != "" {
			line += fmt.Sprintf(" %s %q", u.AuthProto, u.AuthPass)
			if u.PrivProto != "" {
				line += fmt.Sprintf(" %s %q", u.PrivProto, u.PrivPass)
			}
		}
		b.WriteString(line + "\n")
		fmt.Fprintf(&b, "rouser %s %s\n", u.Name, u.Level)
	}
	return b.String()
}

// waitReady asks for sysUpTime until the agent answers: snmpd gives no
// other sign that it has bound its port, so polling is the only way.
func (s *Snmpd) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	host, port, _ := net.SplitHostPort(s.Addr)
	p, _ := strconv.Atoi(port)
	var err error
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("snmpd exited early: %s", strings.TrimSpace(s.logOut))
		default:
		}
		g := &gosnmp.GoSNMP{Target: host, Port: uint16(p), Community: SnmpdCommunity,
			Version: gosnmp.Version2c, Timeout: 200 * time.Millisecond, Retries: 0, Context: ctx}
		if err = g.Connect(); err == nil {
			_, err = g.Get([]string{"1.3.6.1.2.1.1.3.0"})
			g.Close()
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer from %s within %s (last error: %v)", s.Addr, timeout, err)
		case <-s.exited:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends snmpd by its pid: SIGTERM, then SIGKILL after 10 s.
func (s *Snmpd) stop() {
	if s.cmd != nil {
		stopProcess(s.cmd.Process, s.exited, 10*time.Second)
	}
}

// Log returns snmpd's log file so far.
func (s *Snmpd) Log() string {
	return snmpdReadFile(filepath.Join(s.Dir, "snmpd.log"))
}

func snmpdReadFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(no log)"
		}
		return err.Error()
	}
	return string(b)
}

// snmpdFreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func snmpdFreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: find a free UDP port: %v", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}
