package checks

import "strings"

// The mysql type's table for TestValidation (validation_test.go), added
// here so the type's tests stay in its own files.
func init() {
	validationCases["mysql"] = []validationCase{
		{"minimal", "db.example.com:3306", `{"username":"vigil"}`, ""},
		{"default port", "db.example.com", `{"username":"vigil"}`, ""},
		{"ipv6", "[2001:db8::1]:3307", `{"username":"vigil","password":"x"}`, ""},
		{"everything", "db:3306", `{"username":"vigil","password":"pw","database":"app","tls":"verify_identity","ca_pem":"` + mysqlTestCAPEM + `","query":"SELECT 1;","response_time_warning_ms":100,"response_time_error_ms":500,"cert_expiry_warning_days":30,"cert_expiry_error_days":7,"slow_queries_warning_percent":0.5,"slow_queries_error_percent":2,"open_files_usage_error_percent":0}`, ""},
		{"threshold error off", "db:3306", `{"username":"vigil","heavy_joins_warning_percent":50,"heavy_joins_error_percent":0}`, ""},
		{"bad port", "db:0", `{"username":"vigil"}`, "target"},
		{"no host", ":3306", `{"username":"vigil"}`, "target"},
		{"no username", "db:3306", `{}`, "settings.username"},
		{"username with newline", "db:3306", `{"username":"a\nb"}`, "settings.username"},
		{"password with NUL", "db:3306", `{"username":"u","password":"a\u0000b"}`, "settings.password"},
		{"password wrong type", "db:3306", `{"username":"u","password":5}`, "settings.password"},
		{"long database", "db:3306", `{"username":"u","database":"` + strings65() + `"}`, "settings.database"},
		{"bad tls", "db:3306", `{"username":"u","tls":"true"}`, "settings.tls"},
		{"ca_pem without verification", "db:3306", `{"username":"u","tls":"required","ca_pem":"` + mysqlTestCAPEM + `"}`, "settings.ca_pem"},
		{"ca_pem not PEM", "db:3306", `{"username":"u","tls":"verify_ca","ca_pem":"hello"}`, "settings.ca_pem"},
		{"writing query", "db:3306", `{"username":"u","query":"DELETE FROM users"}`, "settings.query"},
		{"query into outfile", "db:3306", `{"username":"u","query":"SELECT 'x' INTO OUTFILE '/tmp/x'"}`, "settings.query"},
		{"query into dumpfile", "db:3306", `{"username":"u","query":"SELECT 'x' INTO DUMPFILE '/tmp/x'"}`, "settings.query"},
		{"query into a variable", "db:3306", `{"username":"u","query":"SELECT 1 INTO @v"}`, "settings.query"},
		{"query takes a lock", "db:3306", `{"username":"u","query":"SELECT GET_LOCK('l', 0)"}`, "settings.query"},
		{"query releases locks", "db:3306", `{"username":"u","query":"DO RELEASE_ALL_LOCKS()"}`, "settings.query"},
		{"query reads a server file", "db:3306", `{"username":"u","query":"SELECT LOAD_FILE('/etc/passwd')"}`, "settings.query"},
		{"query burns CPU", "db:3306", `{"username":"u","query":"SELECT BENCHMARK(1000000000, MD5('x'))"}`, "settings.query"},
		{"query locks rows", "db:3306", `{"username":"u","query":"SELECT * FROM t LOCK IN SHARE MODE"}`, "settings.query"},
		{"query hides a word in a comment", "db:3306", `{"username":"u","query":"SELECT 1 /*!INTO @v */"}`, "settings.query"},
		{"two statements", "db:3306", `{"username":"u","query":"SELECT 1; DO GET_LOCK('l', 0)"}`, "settings.query"},
		{"query with into in a string", "db:3306", `{"username":"u","query":"SELECT 'into' AS x"}`, ""},
		{"threshold not a number", "db:3306", `{"username":"u","slow_queries_warning_percent":"5%"}`, "settings.slow_queries_warning_percent"},
		{"negative threshold", "db:3306", `{"username":"u","aborted_connects_error_percent":-1}`, "settings.aborted_connects_error_percent"},
		{"warning above error", "db:3306", `{"username":"u","tmp_disk_tables_warning_percent":60,"tmp_disk_tables_error_percent":50}`, "settings.tmp_disk_tables_warning_percent"},
		{"warning above default error", "db:3306", `{"username":"u","slow_queries_warning_percent":30}`, "settings.slow_queries_warning_percent"},
		{"unknown rate threshold", "db:3306", `{"username":"u","fast_queries_warning_percent":5}`, "settings.fast_queries_warning_percent"},
		{"response times backwards", "db:3306", `{"username":"u","response_time_warning_ms":500,"response_time_error_ms":100}`, "settings.response_time_warning_ms"},
		{"cert days backwards", "db:3306", `{"username":"u","cert_expiry_warning_days":1,"cert_expiry_error_days":5}`, "settings.cert_expiry_warning_days"},
		{"unknown setting", "db:3306", `{"username":"u","dsn":"root@tcp(db)/"}`, "settings.dsn"},
		{"not an object", "db:3306", `[1]`, "settings"},
	}
}

func strings65() string { return strings.Repeat("d", 65) }

// mysqlTestCAPEM is a self-signed CA certificate, JSON-escaped.
const mysqlTestCAPEM = `-----BEGIN CERTIFICATE-----\nMIIBhjCCASugAwIBAgIUZCVdQ8rNRhEmyt9FOIaZtCFQlcwwCgYIKoZIzj0EAwIw\nGDEWMBQGA1UEAwwNVmlnaWwgVGVzdCBDQTAeFw0yNjExMjMxNjMzNTVaFw0zNjEx\nMjAxNjMzNTVaMBgxFjAUBgNVBAMMDVZpZ2lsIFRlc3QgQ0EwWTATBgcqhkjOPQIB\nBggqhkjOPQMBBwNCAAT5dtFnQsp5ojO1pamub7Ow916Ejthw56XHqiYCfS9Nmtqm\nQm30J2+K0nST73uG0qU73iHrfUVxaxWHaMTnCWuFo1MwUTAdBgNVHQ4EFgQUzF3G\nfg4ck6eWLVDzAp/MRMVJx0swHwYDVR0jBBgwFoAUzF3Gfg4ck6eWLVDzAp/MRMVJ\nx0swDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA1w6CSkiYXG7L\nEe0gIVUmMO0e7ivp/5ABO7pMGfUoWRYCIQDcmpeA1CSoDOaIUiNlIlBlosmHmT1A\nixCcxREReIU+Kw==\n-----END CERTIFICATE-----\n`
