package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dovecotPackages are the Debian packages StartDovecot needs.
const dovecotPackages = "dovecot-pop3d dovecot-imapd"

// dovecotReadyTimeout is generous: a loaded 2-core CI machine running
// tests with -race may take seconds to fork dovecot's processes.
const dovecotReadyTimeout = 30 * time.Second

// DovecotOptions says how StartDovecot's server is set up.
type DovecotOptions struct {
	// CertPEM and KeyPEM are the server's certificate (chain) and key.
	// With them the server offers STARTTLS and listens for implicit TLS
	// too; without them it speaks plain text only.
	CertPEM, KeyPEM []byte
	// Users are the accounts, name to password; alice/secret when nil.
	Users map[string]string
}

// Dovecot is Debian's dovecot (POP3 and IMAP) running on free loopback
// ports in a private directory, started by StartDovecot.
type Dovecot struct {
	POP3, IMAP   string // plain text (and STARTTLS) listeners, host:port
	POP3S, IMAPS string // implicit TLS listeners; "" without a certificate
	Dir          string // configuration, state, mail and log

	cmd    *exec.Cmd
	exited chan struct{}
	stderr *logBuffer
}

// DovecotPath returns the path of the dovecot binary, or skips the test
// when dovecot or its POP3 and IMAP parts are not installed.
func DovecotPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("dovecot")
	if err != nil {
		p = "/usr/sbin/dovecot" // not on a non-root PATH
	}
	for _, f := range []string{p, "/usr/lib/dovecot/pop3", "/usr/lib/dovecot/imap"} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("testenv: %s not found: install the Debian packages %s "+
				"(apt-get install -y --no-install-recommends %s); "+
				"the README's test command (make test) installs them, so CI never skips", f, dovecotPackages, dovecotPackages)
		}
	}
	return p
}

// StartDovecot starts dovecot in the foreground and waits until it
// greets on its ports. It is stopped, and its directory removed, when the
// test ends; if the test failed, its log is printed first.
func StartDovecot(t testing.TB, o DovecotOptions) *Dovecot {
	t.Helper()
	bin := DovecotPath(t)
	if o.Users == nil {
		o.Users = map[string]string{"alice": "secret"}
	}
	// Ports are picked free and then bound by dovecot: another process may
	// take one in between, so a bind failure is retried on new ports.
	var lastErr error
	for range 3 {
		d, err := startDovecot(t, bin, o)
		if err == nil {
			return d
		}
		lastErr = err
		if !strings.Contains(err.Error(), "Address already in use") {
			break
		}
	}
	t.Fatalf("testenv: dovecot: %v", lastErr)
	return nil
}

func startDovecot(t testing.TB, bin string, o DovecotOptions) (*Dovecot, error) {
	// Not t.TempDir: mail processes run as nobody and must reach the
	// mail directory, which t.TempDir's private parent forbids.
	dir, err := os.MkdirTemp("", "vigil-dovecot-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d := &Dovecot{Dir: dir, exited: make(chan struct{}), stderr: newLogBuffer()}
	conf, err := d.writeConfig(t, o)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d.cmd = exec.Command(bin, "-F", "-c", conf)
	d.cmd.Dir = dir
	d.cmd.Stdout, d.cmd.Stderr = d.stderr, d.stderr
	// Its own process group, so that a master that will not stop can be
	// killed together with its children.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.exited)
	}()
	if err := d.waitReady(); err != nil {
		d.stop()
		err = fmt.Errorf("%w\nstderr:\n%s\nlog:\n%s", err, d.stderr.String(), d.Log())
		os.RemoveAll(dir)
		return nil, err
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dovecot log (%s):\n%s%s", dir, d.stderr.String(), d.Log())
		}
		d.stop()
		os.RemoveAll(dir)
	})
	return d, nil
}

// Log returns dovecot's log so far.
func (d *Dovecot) Log() string {
	b, err := os.ReadFile(filepath.Join(d.Dir, "dovecot.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")\n"
	}
	return string(b)
}

// waitReady waits until the POP3 and IMAP listeners greet, or dovecot
// exits, or dovecotReadyTimeout passes.
func (d *Dovecot) waitReady() error {
	deadline := time.Now().Add(dovecotReadyTimeout)
	for _, l := range []struct{ addr, greeting string }{{d.IMAP, "* OK"}, {d.POP3, "+OK"}} {
		for {
			err := greets(l.addr, l.greeting, time.Until(deadline))
			if err == nil {
				break
			}
			select {
			case <-d.exited:
				return errors.New("dovecot exited before it was ready")
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no greeting on %s within %s: %v", l.addr, dovecotReadyTimeout, err)
			}
		}
	}
	return nil
}

// greets connects to addr and reads a first line starting with want.
func greets(addr, want string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, min(timeout, 5*time.Second))
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(min(timeout, 5*time.Second)))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, want) {
		return fmt.Errorf("greeting %q", line)
	}
	return nil
}

// stop asks dovecot's master to stop (SIGTERM, which stops its children
// too) and waits; after 15 s it kills the whole process group.
func (d *Dovecot) stop() {
	pid := d.cmd.Process.Pid
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-d.exited
	}
}

// freeAddr returns 127.0.0.1 with a port that FreePort found free.
func freeAddr(t testing.TB) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t)))
}
