package checks

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeMariaDBCerts writes a CA and a server certificate for 127.0.0.1
// valid for 10 more days, and returns the mariadbd options that use them
// and the CA as PEM.
func writeMariaDBCerts(t *testing.T) (args []string, caPEM string) {
	t.Helper()
	ca := makeCert(t, certSpec{cn: "Vigil MySQL Test Root", isCA: true}, nil)
	leaf := makeCert(t, certSpec{cn: "mariadb", dns: []string{"127.0.0.1"}, notAfter: time.Now().Add(10*24*time.Hour + time.Hour)}, ca)
	key, err := x509.MarshalPKCS8PrivateKey(leaf.key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"ca.pem":   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.cert.Raw}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"--ssl-ca=" + filepath.Join(dir, "ca.pem"), "--ssl-cert=" + filepath.Join(dir, "cert.pem"),
		"--ssl-key=" + filepath.Join(dir, "key.pem")}, string(files["ca.pem"])
}

func TestMySQLTLS(t *testing.T) {
	args, caPEM := writeMariaDBCerts(t)
	db := startTestMariaDB(t, args...)
	_, port, _ := net.SplitHostPort(db.Addr)
	byName := "localhost:" + port // the certificate names only 127.0.0.1
	ca, _ := json.Marshal(caPEM)
	withCA := `"ca_pem":` + string(ca)
	noExpiry := `"cert_expiry_warning_days":0,"cert_expiry_error_days":0`

	cases := []struct {
		name, target, settings string
		want                   Status
		inMsg                  string
		certValue              bool
	}{
		{"disabled", db.Addr, `"tls":"disabled"`, StatusOK, "connected in", false},
		{"preferred", db.Addr, ``, StatusOK, "connected with TLS 1.", true},
		{"required", db.Addr, `"tls":"required"`, StatusOK, "connected with TLS 1.", true},
		{"verify_identity", db.Addr, `"tls":"verify_identity",` + withCA + `,` + noExpiry, StatusOK, "connected with TLS 1.", true},
		{"expiry warning", db.Addr, `"tls":"verify_identity",` + withCA, StatusWarning, "certificate expires in 10 days", true},
		{"expiry not judged unverified", db.Addr, `"tls":"required"`, StatusOK, "connected with TLS", true},
		{"verify_ca ignores the name", byName, `"tls":"verify_ca",` + withCA + `,` + noExpiry, StatusOK, "connected with TLS 1.", true},
		{"verify_identity checks the name", byName, `"tls":"verify_identity",` + withCA, StatusProblem, "connect " + byName + ": hostname mismatch: certificate is for 127.0.0.1", false},
		{"system roots do not know the CA", db.Addr, `"tls":"verify_identity"`, StatusProblem, "unknown authority: root CN=Vigil MySQL Test Root is not trusted", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, "mysql", tc.target, mysqlTestSettings(tc.settings))
			r := runMySQL(t, c, tc.target)
			if r.Status != tc.want || !strings.Contains(r.Message, tc.inMsg) {
				t.Fatalf("got %s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.inMsg)
			}
			days, ok := r.Values["cert_days_left"]
			if ok != tc.certValue || (ok && (days < 9.9 || days > 10.1)) {
				t.Fatalf("cert_days_left %v (present %v), want about 10 present=%v", days, ok, tc.certValue)
			}
		})
	}
}
