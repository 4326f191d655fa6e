package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MariaDBReadyTimeout is how long StartMariaDB waits for "ready for
// connections". Generous: the server starts in well under a second here,
// but a loaded 2-core CI machine running tests with -race is slow.
const MariaDBReadyTimeout = 60 * time.Second

// mariadbInstall is the Debian package that holds mariadbd and
// mariadb-install-db, named in skip messages.
const mariadbInstall = "install the Debian package mariadb-server " +
	"(apt-get install -y --no-install-recommends mariadb-server); " +
	"the README's test command (make test) installs it, so CI never skips"

// MariaDB is a mariadbd server running on loopback for one test, with a
// fresh data directory. Its root user has no password and connects only
// through Socket; tests create the users a check logs in as.
type MariaDB struct {
	Addr   string // 127.0.0.1:port, TCP
	Socket string // the unix socket root connects through
	Dir    string // data directory, socket, pid file and temporary files

	t      testing.TB
	cmd    *exec.Cmd
	log    *logBuffer
	exited chan struct{}
	root   *sql.DB
}

// mariadbPrograms returns the paths of mariadbd and mariadb-install-db,
// or skips the test when the machine has none.
func mariadbPrograms(t testing.TB) (server, install string) {
	t.Helper()
	server = mariadbFind("mariadbd", "mysqld")
	install = mariadbFind("mariadb-install-db", "mysql_install_db")
	if server == "" || install == "" {
		t.Skip("testenv: mariadbd or mariadb-install-db not found: " + mariadbInstall)
	}
	return server, install
}

// mariadbFind returns the first of names found in PATH or in the sbin
// directories, which a non-root PATH often lacks.
func mariadbFind(names ...string) string {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/bin"} {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// StartMariaDB creates a data directory with mariadb-install-db, starts
// mariadbd on a free loopback port with args added to its options (such
// as "--query-cache-type=1"), waits until it is ready, and stops it when
// the test ends. On a failed test its log is printed.
func StartMariaDB(t testing.TB, args ...string) *MariaDB {
	t.Helper()
	server, install := mariadbPrograms(t)
	dir := t.TempDir()
	if err := mariadbInstallDB(install, dir); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	var lastErr error
	// Another process may take the free port between our probe and
	// mariadbd's bind; a second port nearly always works.
	for range 3 {
		m, err := startMariaDB(t, server, dir, args)
		if err == nil {
			return m
		}
		lastErr = err
		if !errors.Is(err, errMariaDBPortTaken) {
			break
		}
	}
	t.Fatalf("testenv: %v", lastErr)
	return nil
}

// errMariaDBPortTaken is wrapped by startMariaDB when the port was taken.
var errMariaDBPortTaken = errors.New("port already in use")

// mariadbUserArgs returns the --user option mariadbd needs when run as root (it
// refuses to run as root otherwise); other users run as themselves.
func mariadbUserArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--user=root"}
	}
	return nil
}

// mariadbInstallDB creates the system tables in dir/data. The small
// InnoDB log keeps the directory at about 40 MB instead of 130 MB.
func mariadbInstallDB(install, dir string) error {
	args := append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "data"),
		"--auth-root-authentication-method=normal", "--skip-test-db", "--innodb-log-file-size=8M"}, mariadbUserArgs()...)
	ctx, cancel := context.WithTimeout(context.Background(), MariaDBReadyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, install, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n--- output ---\n%s", filepath.Base(install), err, out)
	}
	return nil
}

func startMariaDB(t testing.TB, server, dir string, extra []string) (*MariaDB, error) {
	port := FreePort(t)
	m := &MariaDB{
		Addr:   "127.0.0.1:" + strconv.Itoa(port),
		Socket: filepath.Join(dir, "sock"),
		Dir:    dir,
		t:      t,
		log:    newLogBuffer(),
		exited: make(chan struct{}),
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	// No --log-error: the log goes to stderr, where the readiness line is
	// waited for without polling.
	args := append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "data"),
		"--socket=" + m.Socket, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--skip-name-resolve", "--pid-file=" + filepath.Join(dir, "pid"), "--tmpdir=" + tmp,
		"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=8M", "--skip-log-bin"}, mariadbUserArgs()...)
	m.cmd = exec.Command(server, append(args, extra...)...)
	m.cmd.Dir = dir
	m.cmd.Stdout = m.log
	m.cmd.Stderr = m.log
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", server, err)
	}
	go func() {
		_ = m.cmd.Wait()
		close(m.exited)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), MariaDBReadyTimeout)
	defer cancel()
	if _, ok := m.log.waitFor(ctx, m.exited, containsMatcher("ready for connections")); !ok {
		m.stop()
		logs := m.log.String()
		if strings.Contains(logs, "Address already in use") {
			return nil, fmt.Errorf("mariadbd on %s: %w", m.Addr, errMariaDBPortTaken)
		}
		return nil, fmt.Errorf("mariadbd not ready on %s within %s\n--- mariadbd log ---\n%s", m.Addr, MariaDBReadyTimeout, logs)
	}
	t.Cleanup(m.cleanup)
	return m, nil
}

// Logs returns what mariadbd wrote so far.
func (m *MariaDB) Logs() string { return m.log.String() }

// Root returns a connection pool logged in as root through the socket,
// closed when the test ends.
func (m *MariaDB) Root() *sql.DB {
	m.t.Helper()
	if m.root != nil {
		return m.root
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "unix", m.Socket
	cfg.Timeout = 10 * time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		m.t.Fatalf("testenv: root connector: %v", err)
	}
	m.root = sql.OpenDB(conn)
	return m.root
}

// Exec runs statements as root, failing the test on the first error.
func (m *MariaDB) Exec(statements ...string) {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range statements {
		if _, err := m.Root().ExecContext(ctx, s); err != nil {
			m.t.Fatalf("testenv: mariadb %q: %v", s, err)
		}
	}
}

// CreateUser creates user@127.0.0.1 with password and no privileges but
// USAGE (logging in), then runs each of grants ("GRANT … TO %s", where %s
// becomes the account).
func (m *MariaDB) CreateUser(user, password string, grants ...string) {
	m.t.Helper()
	account := "'" + user + "'@'127.0.0.1'"
	m.Exec(fmt.Sprintf("CREATE USER %s IDENTIFIED BY '%s'", account, password))
	for _, g := range grants {
		m.Exec(fmt.Sprintf(g, account))
	}
}

// stop asks mariadbd to shut down and waits; a server still running after
// 30 s is killed.
func (m *MariaDB) stop() { stopProcess(m.cmd.Process, m.exited, 30*time.Second) }

func (m *MariaDB) cleanup() {
	if m.root != nil {
		m.root.Close()
	}
	m.stop()
	if m.t.Failed() {
		m.t.Logf("--- mariadbd log (%s) ---\n%s", m.Addr, m.Logs())
	}
}
