package testenv

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// dovecotConf is a complete configuration: nothing of /etc/dovecot is
// read. Listeners are filled in by writeConfig.
const dovecotConf = `# Written by internal/testenv for one test; removed when it ends.
base_dir = {{dir}}/run
state_dir = {{dir}}/state
log_path = {{dir}}/dovecot.log
protocols = pop3 imap
listen = 127.0.0.1
default_internal_user = {{internal}}
default_internal_group = {{group}}
default_login_user = {{login}}
first_valid_uid = {{uid}}
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, not after the usual 2 s, and does
# not slow down the next logins from 127.0.0.1 (anvil's auth penalty).
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
  # No chroot (here and for the login services): only root may chroot, and
  # a test's private directory needs no such fence.
  chroot =
}
mail_location = maildir:{{dir}}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN {{dir}}/passwd
}
userdb {
  driver = static
  args = uid={{uid}} gid={{gid}} home={{dir}}/mail/%u
}
`

// dovecotIdentity are the system users dovecot runs as: as root its own
// unprivileged users and nobody for mail, as anyone else that user.
type dovecotIdentity struct {
	internal, group, login string
	uid, gid               string
}

func currentDovecotIdentity() (dovecotIdentity, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return dovecotIdentity{}, err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return dovecotIdentity{}, err
		}
		return dovecotIdentity{internal: u.Username, group: g.Name, login: u.Username, uid: u.Uid, gid: u.Gid}, nil
	}
	for _, name := range []string{"dovecot", "dovenull"} {
		if _, err := user.Lookup(name); err != nil {
			return dovecotIdentity{}, fmt.Errorf("system user %s is missing (the Debian package dovecot-core creates it): %w", name, err)
		}
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return dovecotIdentity{}, err
	}
	// Mail processes refuse to run as root, so mail belongs to nobody.
	return dovecotIdentity{internal: "dovecot", group: "dovecot", login: "dovenull", uid: nobody.Uid, gid: nobody.Gid}, nil
}

// writeConfig writes dovecot.conf, the passwd file, the certificate and
// the mail directory into d.Dir, choosing the listeners' ports, and
// returns the configuration's path.
func (d *Dovecot) writeConfig(t testing.TB, o DovecotOptions) (string, error) {
	id, err := currentDovecotIdentity()
	if err != nil {
		return "", err
	}
	var passwd strings.Builder
	for name, pass := range o.Users {
		if strings.ContainsAny(name, ":\n") || strings.ContainsAny(pass, ":\n") {
			return "", fmt.Errorf("user %q: a passwd-file entry cannot hold ':' or a line break", name)
		}
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s\n", name, pass)
	}
	conf := strings.NewReplacer("{{dir}}", d.Dir, "{{internal}}", id.internal, "{{group}}", id.group, "{{login}}", id.login,
		"{{uid}}", id.uid, "{{gid}}", id.gid).Replace(dovecotConf)
	d.IMAP, d.POP3 = freeAddr(t), freeAddr(t)
	if o.CertPEM != nil {
		d.IMAPS, d.POP3S = freeAddr(t), freeAddr(t)
		conf += fmt.Sprintf("ssl = yes\nssl_cert = <%s/cert.pem\nssl_key = <%s/key.pem\n", d.Dir, d.Dir)
	} else {
		conf += "ssl = no\n"
	}
	conf += dovecotService("imap", d.IMAP, d.IMAPS) + dovecotService("pop3", d.POP3, d.POP3S)
	mail := filepath.Join(d.Dir, "mail")
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"dovecot.conf", []byte(conf), 0o644},
		{"passwd", []byte(passwd.String()), 0o644},
		{"cert.pem", o.CertPEM, 0o644},
		{"key.pem", o.KeyPEM, 0o600},
	}
	for _, f := range files {
		if f.data == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(d.Dir, f.name), f.data, f.mode); err != nil {
			return "", err
		}
	}
	if err := os.Mkdir(mail, 0o755); err != nil {
		return "", err
	}
	if os.Geteuid() == 0 {
		if err := chownToIDs(mail, id.uid, id.gid); err != nil {
			return "", err
		}
	}
	return filepath.Join(d.Dir, "dovecot.conf"), nil
}

// dovecotService declares a protocol's login service with its plain
// listener and, when tlsAddr is set, its implicit-TLS one.
func dovecotService(proto, plainAddr, tlsAddr string) string {
	_, plainPort, _ := net.SplitHostPort(plainAddr)
	s := fmt.Sprintf("service %s-login {\n  chroot =\n  inet_listener %s {\n    port = %s\n  }\n", proto, proto, plainPort)
	if tlsAddr != "" {
		_, tlsPort, _ := net.SplitHostPort(tlsAddr)
		s += fmt.Sprintf("  inet_listener %ss {\n    port = %s\n    ssl = yes\n  }\n", proto, tlsPort)
	}
	return s + "}\n"
}

func chownToIDs(path, uid, gid string) error {
	var u, g int
	if _, err := fmt.Sscan(uid+" "+gid, &u, &g); err != nil {
		return fmt.Errorf("uid %q gid %q: %w", uid, gid, err)
	}
	return os.Chown(path, u, g)
}
