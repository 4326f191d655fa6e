package testenv

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// TestMariaDB starts a server, logs in over TCP as a user it created, and
// checks that the server is gone once the test that started it ends.
func TestMariaDB(t *testing.T) {
	var m *MariaDB
	t.Run("start", func(t *testing.T) {
		m = StartMariaDB(t)
		m.CreateUser("probe", "pw", "GRANT PROCESS ON *.* TO %s")
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "probe", "pw", "tcp", m.Addr
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(conn)
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var user string
		if err := db.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&user); err != nil {
			t.Fatalf("log in as probe over %s: %v", m.Addr, err)
		}
		if user != "probe@127.0.0.1" {
			t.Fatalf("logged in as %q", user)
		}
	})
	if m == nil {
		return
	}
	select {
	case <-m.exited:
	default:
		t.Fatal("mariadbd still running after the test that started it ended")
	}
}
