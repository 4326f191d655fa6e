package checks

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// mysqlStatusQuery and mysqlVariablesQuery ask for only the rows the rates
// need: a few dozen instead of about a thousand.
var (
	mysqlStatusQuery    = "SHOW GLOBAL STATUS WHERE Variable_name IN (" + mysqlQuoteList(mysqlStatusNames) + ")"
	mysqlVariablesQuery = "SHOW GLOBAL VARIABLES WHERE Variable_name IN (" + mysqlQuoteList(mysqlVariableNames) + ")"
)

func mysqlQuoteList(names []string) string {
	return "'" + strings.Join(names, "','") + "'"
}

// mysqlConn is the part of the driver's connection a run uses.
type mysqlConn interface {
	driver.Conn
	driver.QueryerContext
	driver.ConnBeginTx
}

// Check opens a fresh connection (so connect_ms is honest every run),
// times the health query, reads the status counters and judges the rates
// since the previous run. A panic in the driver on a malformed answer is
// turned into a problem: a hostile server must not take the process down.
func (c *mysqlChecker) Check(ctx context.Context, target string) (res Result) {
	start := time.Now()
	host, port, err := splitHostPortDefault(target, "3306")
	if err != nil {
		return problem(0, "bad target: "+err.Error(), nil)
	}
	addr := net.JoinHostPort(host, port)
	if msg := c.held(target); msg != "" {
		return problem(0, msg, nil)
	}
	run := newMySQLRun()
	step, connected := "connect "+addr, false
	defer func() {
		if p := recover(); p != nil {
			run.closeRaw()
			msg := step + ": the server's answer broke the MySQL driver: " + mysqlText(fmt.Sprint(p))
			if !connected {
				msg = c.broke(target, msg)
			}
			res = problem(time.Since(start), msg, nil)
		}
	}()
	conn, err := c.connect(ctx, addr, run)
	connect := time.Since(start)
	if err != nil {
		return problem(connect, step+": "+run.errorMessage(ctx, err, connect), nil)
	}
	defer conn.Close()
	connected, step = true, "query"
	c.loggedIn()
	values := map[string]float64{"connect_ms": roundMS(Millis(connect))}
	if run.peer != nil {
		values["cert_days_left"] = roundDays(run.peer.NotAfter.Sub(c.now()).Hours() / 24)
	}
	took, err := c.healthQuery(ctx, conn)
	if err != nil {
		el := time.Since(start)
		return problem(el, step+": "+run.errorMessage(ctx, err, el), values)
	}
	values["query_ms"] = roundMS(Millis(took))
	step = "read status"
	cur, stmt, err := mysqlReadSnapshot(ctx, conn)
	if err != nil {
		el := time.Since(start)
		return problem(el, stmt+": "+run.errorMessage(ctx, err, el), values)
	}
	cur.at = c.now()
	rates, notes := mysqlComputeRates(c.swap(target, cur), cur)
	for k, v := range rates {
		values[k] = v
	}
	return c.judge(time.Since(start), connect, took, run, values, rates, notes)
}

// swap stores cur as the reading the next run compares with and returns
// the previous one, nil when there is none for target.
func (c *mysqlChecker) swap(target string, cur *mysqlSnapshot) *mysqlSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.prev
	if c.prevTarget != target {
		prev = nil
	}
	c.prev, c.prevTarget = cur, target
	return prev
}

func (c *mysqlChecker) connect(ctx context.Context, addr string, run *mysqlRun) (mysqlConn, error) {
	connector, err := c.connector(addr, run)
	if err != nil {
		return nil, err
	}
	dc, err := connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	conn, ok := dc.(mysqlConn)
	if !ok {
		dc.Close()
		return nil, errors.New("the MySQL driver's connection cannot run queries")
	}
	return conn, nil
}

// healthQuery runs the query in a READ ONLY transaction, reads its whole
// answer and returns how long the query and the reading took.
func (c *mysqlChecker) healthQuery(ctx context.Context, conn mysqlConn) (time.Duration, error) {
	tx, err := conn.BeginTx(ctx, driver.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	err = mysqlEachRow(ctx, conn, c.s.Query, func([]driver.Value) {})
	took := time.Since(start)
	if rbErr := tx.Rollback(); err == nil {
		err = rbErr
	}
	return took, err
}

// mysqlReadSnapshot reads the counters and variables the rates need; on
// failure step names the statement that failed.
func mysqlReadSnapshot(ctx context.Context, conn mysqlConn) (s *mysqlSnapshot, step string, err error) {
	s = newMySQLSnapshot()
	add := func(row []driver.Value) {
		if len(row) >= 2 {
			s.add(mysqlString(row[0]), mysqlString(row[1]))
		}
	}
	if err := mysqlEachRow(ctx, conn, mysqlStatusQuery, add); err != nil {
		return nil, "SHOW GLOBAL STATUS", err
	}
	if err := mysqlEachRow(ctx, conn, mysqlVariablesQuery, add); err != nil {
		return nil, "SHOW GLOBAL VARIABLES", err
	}
	return s, "", nil
}

// mysqlEachRow runs q and hands each row to fn; the row's values are
// valid only during the call.
func mysqlEachRow(ctx context.Context, conn mysqlConn, q string, fn func([]driver.Value)) error {
	rows, err := conn.QueryContext(ctx, q, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(dest)
	}
}

// mysqlString reads a text column as the driver hands it over.
func mysqlString(v driver.Value) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
