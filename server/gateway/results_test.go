package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/wire"
	"github.com/vigil-monitor/vigil/store"
)

// result is an ok result of monitor id at at, claiming another location.
func result(id string, at time.Time) wire.MonitorResult {
	return wire.MonitorResult{MonitorID: id, Result: checks.Result{At: at, Location: "server", Status: checks.StatusOK, LatencyMS: 1}}
}

func TestResultsKeepAssignedAndAckAfterCommit(t *testing.T) {
	e := newEnv(t, nil)
	e.assign("v1", "m1")
	a := e.join("a")
	e.commits = make(chan []store.MonitorResult, 1)
	e.gate = make(chan struct{})
	e.entered = make(chan struct{}, 1)
	now := time.Now()
	batch := wire.ResultBatch{Seq: 7, Results: []wire.MonitorResult{result("m1", now), result("m2", now), result("m1", now.Add(time.Second))}}

	acked := make(chan wire.ResultAck, 1)
	go func() {
		var ack wire.ResultAck
		if status := e.post(a.http, wire.PathResults, batch, &ack); status != http.StatusOK {
			t.Errorf("status %d", status)
		}
		acked <- ack
	}()
	<-e.entered
	select {
	case <-acked:
		t.Fatal("acknowledged before Commit returned")
	case <-time.After(100 * time.Millisecond): // room for a wrong early ack to show; a correct gateway cannot answer while Commit blocks
	}
	close(e.gate)
	ack := <-acked
	committed := <-e.commits
	if ack.Seq != 7 || ack.Accepted != 2 || ack.Dropped != 1 {
		t.Errorf("ack = %+v, want seq 7, 2 accepted, 1 dropped", ack)
	}
	if len(committed) != 2 {
		t.Fatalf("committed %d results, want 2", len(committed))
	}
	for _, r := range committed {
		if r.MonitorID != "m1" || r.Result.Location != a.id {
			t.Errorf("committed %s at %q, want m1 at the agent's id %q", r.MonitorID, r.Result.Location, a.id)
		}
	}
}

func TestResultsCommitFailureIsRetryable(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Commit = func(context.Context, []store.MonitorResult) error { return errors.New("disk full") }
	})
	e.assign("v1", "m1")
	a := e.join("a")
	var werr wire.Error
	batch := wire.ResultBatch{Seq: 1, Results: []wire.MonitorResult{result("m1", time.Now())}}
	if status := e.post(a.http, wire.PathResults, batch, &werr); status != http.StatusServiceUnavailable || werr.Code != wire.CodeUnavailable {
		t.Errorf("status %d code %q, want 503 %q", status, werr.Code, wire.CodeUnavailable)
	}
}

func TestResultsAllUnassignedSkipsCommit(t *testing.T) {
	e := newEnv(t, nil)
	a := e.join("a")
	e.commits = make(chan []store.MonitorResult, 1)
	var ack wire.ResultAck
	batch := wire.ResultBatch{Seq: 2, Results: []wire.MonitorResult{result("nope", time.Now())}}
	if status := e.post(a.http, wire.PathResults, batch, &ack); status != http.StatusOK || ack.Dropped != 1 || ack.Accepted != 0 {
		t.Errorf("status %d ack %+v", status, ack)
	}
	if len(e.commits) != 0 {
		t.Error("Commit called for an empty batch")
	}
}

func TestResultsFromTheFutureRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.assign("v1", "m1")
	a := e.join("a")
	var werr wire.Error
	batch := wire.ResultBatch{Seq: 1, Results: []wire.MonitorResult{result("m1", time.Now().Add(time.Hour))}}
	if status := e.post(a.http, wire.PathResults, batch, &werr); status != http.StatusBadRequest || werr.Field != "results[0].result.at" {
		t.Errorf("status %d error %+v, want 400 naming results[0].result.at", status, werr)
	}
}

// TestResultsLargeBatch sends a batch at the result cap, long messages
// and all, from a client that offers HTTP/2 as the agent does; the gateway
// answers in HTTP/1.1 (see gatewayProtocols).
func TestResultsLargeBatch(t *testing.T) {
	e := newEnv(t, nil)
	e.assign("v1", "m1")
	a := e.join("a")
	start := time.Now().Add(-time.Hour)
	batch := wire.ResultBatch{Seq: 1}
	for i := range wire.MaxResultsPerBatch {
		r := result("m1", start.Add(time.Duration(i)*time.Second))
		r.Result.Message = strings.Repeat("x", 1000)
		batch.Results = append(batch.Results, r)
	}
	body, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.http.Post(e.url+wire.PathResults, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ack wire.ResultAck
	if err := json.NewDecoder(resp.Body).Decode(&ack); err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 1 || resp.StatusCode != http.StatusOK || ack.Accepted != wire.MaxResultsPerBatch {
		t.Errorf("%s status %d ack %+v, want HTTP/1.1 200 with all %d accepted (body %d bytes)",
			resp.Proto, resp.StatusCode, ack, wire.MaxResultsPerBatch, len(body))
	}
}
