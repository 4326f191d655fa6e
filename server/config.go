package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
)

// ErrUsage reports bad command-line flags whose explanation has been
// printed already.
var ErrUsage = errors.New("bad flags")

// Config is everything `vigil server` is told on its command line or in
// its environment.
type Config struct {
	DataDir           string
	Listen            string
	AgentListen       string
	PublicURL         string
	AdminUser         string
	AdminPasswordFile string
	LogFormat         string
}

// ParseFlags reads the server's flags; each flag's environment variable
// gives its default, and an explicit flag wins over the environment.
func ParseFlags(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet("vigil server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DataDir, "data", env("VIGIL_DATA", "./vigil-data"), "directory for everything the server keeps (env VIGIL_DATA)")
	fs.StringVar(&c.Listen, "listen", env("VIGIL_LISTEN", ":8080"), "address of the web UI and JSON API (env VIGIL_LISTEN)")
	fs.StringVar(&c.AgentListen, "agent-listen", env("VIGIL_AGENT_LISTEN", ":8443"), "address of the agent gateway (env VIGIL_AGENT_LISTEN)")
	fs.StringVar(&c.PublicURL, "public-url", env("VIGIL_PUBLIC_URL", ""), "how people reach this server, e.g. https://monitor.example (env VIGIL_PUBLIC_URL; default derived from --listen)")
	fs.StringVar(&c.AdminUser, "admin-user", env("VIGIL_ADMIN_USER", ""), "create this administrator on first start (env VIGIL_ADMIN_USER)")
	fs.StringVar(&c.AdminPasswordFile, "admin-password-file", env("VIGIL_ADMIN_PASSWORD_FILE", ""), "file holding the first administrator's password (env VIGIL_ADMIN_PASSWORD_FILE)")
	fs.StringVar(&c.LogFormat, "log-format", env("VIGIL_LOG_FORMAT", "text"), "log format: text or json (env VIGIL_LOG_FORMAT)")
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
	return c, c.validate()
}

func (c *Config) validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("--data must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("--listen %q: %w", c.Listen, err)
	}
	if (c.AdminUser == "") != (c.AdminPasswordFile == "") {
		return fmt.Errorf("--admin-user and --admin-password-file go together")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--public-url must be an absolute http(s) URL, not %q", c.PublicURL)
		}
		c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	return nil
}

// publicURL is the base URL for links: --public-url, or one derived from
// the listen address.
func (c Config) publicURL(listenAddr net.Addr) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	host, port, _ := net.SplitHostPort(listenAddr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// onlyLocal reports whether base names this machine only: localhost or a
// loopback address.
func onlyLocal(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
