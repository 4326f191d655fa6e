package checks

import (
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestMySQLServerMessage(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Access denied for user 'vigil'@'10.0.0.5' (using password: YES)", "access denied for user 'vigil'@'10.0.0.5' (using password: YES)"},
		{"XPATH syntax error: '~x'", "XPATH syntax error: '~x'"},
		{"Table 'app.missing' doesn't exist", "table 'app.missing' doesn't exist"},
		{"É", "é"},
		{"", "server error 1105"},
	}
	for _, tc := range cases {
		if got := mysqlServerMessage(&mysql.MySQLError{Number: 1105, Message: tc.in}); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}
