package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/vigil-monitor/vigil/store"
)

// fimStockPolicy is a policy to start from: POST it to
// /api/v1/fim/policies with "agents" added (the key and description are
// read-only there and must be left out).
type fimStockPolicy struct {
	Key         string            `json:"key"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Paths       []string          `json:"paths"`
	Exclude     []string          `json:"exclude"`
	Interval    string            `json:"interval"`
	Severity    []fimSeverityRule `json:"severity"`
}

// fimStockPolicies are the stock policies. Severity rules: what an
// attacker replaces to persist or to hide (binaries, PAM, sudoers, the
// kernel and boot loader, credentials) is critical; configuration that
// changes on a planned update is medium; what changes in normal
// operation is excluded or low.
var fimStockPolicies = []fimStockPolicy{
	{
		Key: "linux-binaries", Name: "Linux system binaries",
		Description: "Programs and libraries of the operating system: a change outside a package update is how a rootkit persists.",
		Paths:       []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/local/bin", "/usr/local/sbin", "/lib", "/lib64"},
		// Caches rebuilt by the system and byte code compiled on first use.
		Exclude: []string{"/usr/lib/locale/**", "/usr/lib/debug/**", "/usr/lib/sysimage/**", "/usr/lib/udev/hwdb.bin",
			"/usr/lib/modules/*/modules.*", "/usr/lib/python3*/__pycache__/**", "/usr/lib/python3/dist-packages/*/__pycache__/**",
			"/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/*/loaders.cache", "/usr/lib/x86_64-linux-gnu/gio/modules/giomodule.cache"},
		Interval: "6h",
		Severity: []fimSeverityRule{
			{Pattern: "/usr/lib/**", Severity: "high"},
			{Pattern: "/usr/lib64/**", Severity: "high"},
			{Pattern: "/usr/libexec/**", Severity: "high"},
			{Pattern: "/lib/**", Severity: "high"},
			{Pattern: "/lib64/**", Severity: "high"},
			{Pattern: "/**", Severity: "critical"},
		},
	},
	{
		Key: "etc", Name: "/etc configuration",
		Description: "System configuration: accounts, authentication, services, scheduled jobs.",
		Paths:       []string{"/etc"},
		// Files the system rewrites in normal operation, and backups of
		// the account files (shadow-, passwd-) that every change leaves.
		Exclude: []string{"/etc/mtab", "/etc/adjtime", "/etc/resolv.conf", "/etc/ld.so.cache", "/etc/machine-id",
			"/etc/*-", "/etc/*.lock", "/etc/.pwd.lock", "/etc/*~", "/etc/lvm/archive/**", "/etc/lvm/backup/**", "/etc/lvm/cache/**",
			"/etc/cups/subscriptions.conf*", "/etc/cups/printers.conf*"},
		Interval: "1h",
		Severity: []fimSeverityRule{
			{Pattern: "/etc/shadow", Severity: "critical"},
			{Pattern: "/etc/gshadow", Severity: "critical"},
			{Pattern: "/etc/passwd", Severity: "critical"},
			{Pattern: "/etc/group", Severity: "critical"},
			{Pattern: "/etc/sudoers", Severity: "critical"},
			{Pattern: "/etc/sudoers.d/**", Severity: "critical"},
			{Pattern: "/etc/pam.d/**", Severity: "critical"},
			{Pattern: "/etc/security/**", Severity: "critical"},
			{Pattern: "/etc/ssh/**", Severity: "critical"},
			{Pattern: "/etc/ld.so.preload", Severity: "critical"},
			{Pattern: "/etc/ld.so.conf.d/**", Severity: "high"},
			{Pattern: "/etc/crontab", Severity: "high"},
			{Pattern: "/etc/cron*/**", Severity: "high"},
			{Pattern: "/etc/systemd/**", Severity: "high"},
			{Pattern: "/etc/init.d/**", Severity: "high"},
			{Pattern: "/etc/profile.d/**", Severity: "high"},
			{Pattern: "/etc/hosts", Severity: "high"},
		},
	},
	{
		Key: "boot", Name: "Boot files",
		Description: "Kernel, initramfs and boot loader: changed by a kernel update and by nothing else.",
		Paths:       []string{"/boot"},
		Exclude:     []string{"/boot/grub/grubenv", "/boot/grub2/grubenv", "/boot/efi/EFI/*/grubenv"},
		Interval:    "6h",
		Severity: []fimSeverityRule{
			{Pattern: "/boot/vmlinuz*", Severity: "critical"},
			{Pattern: "/boot/efi/**", Severity: "critical"},
			{Pattern: "/boot/grub*/**", Severity: "critical"},
			{Pattern: "/**", Severity: "high"},
		},
	},
	{
		Key: "web-roots", Name: "Web roots",
		Description: "Published web content and the web server's configuration: a web shell or a defacement shows here first.",
		Paths:       []string{"/var/www", "/srv/www", "/usr/share/nginx/html", "/etc/nginx", "/etc/apache2", "/etc/httpd"},
		// What applications write while they run; a site that writes
		// elsewhere needs its own excludes.
		Exclude: []string{"/var/www/*/cache/**", "/var/www/*/tmp/**", "/var/www/*/var/**", "/var/www/*/storage/**",
			"/var/www/*/wp-content/uploads/**", "/var/www/*/wp-content/cache/**", "/var/www/html/wp-content/uploads/**",
			"/var/www/html/wp-content/cache/**", "/srv/www/*/cache/**", "/srv/www/*/tmp/**"},
		Interval: "15m",
		Severity: []fimSeverityRule{
			{Pattern: "/etc/nginx/**", Severity: "high"},
			{Pattern: "/etc/apache2/**", Severity: "high"},
			{Pattern: "/etc/httpd/**", Severity: "high"},
			{Pattern: "/var/www/*/.htaccess", Severity: "high"},
			{Pattern: "/var/www/html/*.php", Severity: "high"},
		},
	},
}

func (s *Server) handleAPIFIMStockPolicies(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	writeJSON(w, http.StatusOK, fimStockPoliciesCopy())
	return nil
}

// fimStockPoliciesCopy returns the stock policies, safe to change.
func fimStockPoliciesCopy() []fimStockPolicy {
	out := make([]fimStockPolicy, len(fimStockPolicies))
	for i, p := range fimStockPolicies {
		p.Paths, p.Exclude, p.Severity = slices.Clone(p.Paths), slices.Clone(p.Exclude), slices.Clone(p.Severity)
		out[i] = p
	}
	return out
}

// fimStockAsPolicies are the stock policies as store records, for the
// pages: ID is the stock key, Agents empty, the defaults filled in.
func fimStockAsPolicies() []store.FIMPolicy {
	var out []store.FIMPolicy
	for _, sp := range fimStockPoliciesCopy() {
		interval, err := time.ParseDuration(sp.Interval)
		if err != nil {
			interval = defaultFIMInterval
		}
		p := store.FIMPolicy{ID: sp.Key, Name: sp.Name, Agents: []string{}, Paths: sp.Paths, Exclude: sp.Exclude,
			Attributes: []string{}, Interval: interval, IOLimitMBps: defaultFIMIOLimitMBps}
		for _, r := range sp.Severity {
			p.Severity = append(p.Severity, store.FIMSeverityRule(r))
		}
		out = append(out, p)
	}
	return out
}
