package agent

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrUsage reports bad command-line flags whose explanation has been
// printed already.
var ErrUsage = errors.New("bad flags")

// Config is everything `vigil agent` is told on its command line or in its
// environment.
type Config struct {
	Server        string        // the server's agent gateway, https://host:8443
	Token         string        // a join token; needed only on the first start
	StateDir      string        // key, certificate, identity and spool
	Name          string        // how the agent appears in the server
	AllowDir      string        // allow-list of shell commands; "" means StateDir/allow.d
	LogDirs       []string      // the only directories whose log files the logfile check reads (see logroots.go)
	SpoolMaxBytes int64         // bound of the on-disk spool; 0 means the spool's default
	SpoolMaxAge   time.Duration // age after which spooled results are dropped; 0 means the default

	// retry bounds the backoff of every loop; zero means defaultRetry.
	retry backoffRange
	// fimFirstJitter spreads the first scan of a newly assigned policy
	// over this long; zero means defaultFIMFirstJitter.
	fimFirstJitter time.Duration
}

// defaultFIMFirstJitter: a new policy is scanned within seconds, yet the
// agents it was assigned to together do not all start at once.
const defaultFIMFirstJitter = 10 * time.Second

// ParseFlags reads the agent's flags; each flag's environment variable
// gives its default, and an explicit flag wins over the environment.
func ParseFlags(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c Config
	var logDirs string
	fs := flag.NewFlagSet("vigil agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Server, "server", env("VIGIL_SERVER", ""), "the server's agent gateway, e.g. https://monitor.example:8443 (env VIGIL_SERVER)")
	fs.StringVar(&c.Token, "token", env("VIGIL_TOKEN", ""), "a join token; needed only on the first start (env VIGIL_TOKEN)")
	fs.StringVar(&c.StateDir, "state", env("VIGIL_STATE", "./vigil-agent"), "the agent's key, certificate and spool; created if missing (env VIGIL_STATE)")
	fs.StringVar(&c.Name, "name", env("VIGIL_AGENT_NAME", ""), "how the agent appears in the server (env VIGIL_AGENT_NAME; default the hostname)")
	fs.StringVar(&c.AllowDir, "allow-dir", env("VIGIL_ALLOW_DIR", ""), "directory of *.conf files naming the shell commands this agent may run (env VIGIL_ALLOW_DIR; default <state>/allow.d)")
	fs.StringVar(&logDirs, "log-dirs", env("VIGIL_LOG_DIRS", strings.Join(defaultLogDirs(runtime.GOOS), ",")),
		`comma-separated absolute directories whose files the logfile check may read; "" reads none (env VIGIL_LOG_DIRS)`)
	fs.Int64Var(&c.SpoolMaxBytes, "spool-max-bytes", envInt(getenv, "VIGIL_SPOOL_MAX_BYTES"), "bound in bytes of the on-disk result spool (env VIGIL_SPOOL_MAX_BYTES; default 64 MiB)")
	fs.DurationVar(&c.SpoolMaxAge, "spool-max-age", envDuration(getenv, "VIGIL_SPOOL_MAX_AGE"), "age after which undelivered results are dropped (env VIGIL_SPOOL_MAX_AGE; default 168h)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		// The flag package has printed the problem and the usage already.
		return c, ErrUsage
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.Name == "" {
		c.Name = hostname()
	}
	dirs, err := parseLogDirs(logDirs)
	if err != nil {
		return c, err
	}
	c.LogDirs = dirs
	return c, c.validate()
}

// envInt reads an integer environment variable, 0 (the default) when it
// is unset or not a number.
func envInt(getenv func(string) string, key string) int64 {
	v, err := strconv.ParseInt(getenv(key), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// envDuration reads a duration environment variable, 0 when unset or bad.
func envDuration(getenv func(string) string, key string) time.Duration {
	v, err := time.ParseDuration(getenv(key))
	if err != nil {
		return 0
	}
	return v
}

// validate checks what can be checked without the state directory: the
// server URL, if given, and the spool bounds.
func (c *Config) validate() error {
	if c.Server != "" {
		if err := checkServerURL(c.Server); err != nil {
			return err
		}
	}
	if c.StateDir == "" {
		return errors.New("--state must not be empty")
	}
	if c.SpoolMaxBytes < 0 {
		return fmt.Errorf("--spool-max-bytes must not be negative, is %d", c.SpoolMaxBytes)
	}
	if c.SpoolMaxAge < 0 {
		return fmt.Errorf("--spool-max-age must not be negative, is %s", c.SpoolMaxAge)
	}
	return nil
}

// checkServerURL accepts an https URL with a host and no path beyond "/".
func checkServerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("--server: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("--server must be an https URL such as https://monitor.example:8443, not %q", s)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return fmt.Errorf("--server must name only the scheme, host and port, not %q", s)
	}
	return nil
}

// hostname returns os.Hostname in the form the protocol accepts: letters,
// digits, '.', '_' and '-', other bytes replaced by '-'; "unknown" when
// there is none.
func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	b := []byte(h)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) > 253 {
		b = b[:253]
	}
	return string(b)
}
