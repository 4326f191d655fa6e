package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/vigil-monitor/vigil/compliance/fim"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// fimSender is a scan's ScanOptions.Send: it turns each batch into one or
// more reports (more when one would not fit wire.MaxFIMReportBody) and
// delivers each until the server acknowledged it, retrying with backoff
// meanwhile, so the scan waits rather than runs ahead of the server.
type fimSender struct {
	post     postReport
	retry    backoffRange
	log      *slog.Logger
	policyID string
	revision string
	epoch    string // the state file's (fim.State.Epoch), in every report

	scan     uint64 // the scan being reported
	batchSeq uint32 // the last batch seen
	firstSeq uint32 // the seq of the last batch's first report
	nextSeq  uint32 // the seq of the next report
	sent     int    // reports acknowledged
}

// send delivers b; nil only once the server committed all of it.
func (s *fimSender) send(ctx context.Context, b fim.Batch) error {
	switch {
	case b.Scan != s.scan:
		s.scan, s.batchSeq, s.nextSeq = b.Scan, 0, 1
	case b.Seq == s.batchSeq:
		// The same batch again: it splits the same way, so its reports
		// keep their numbers and the server acknowledges those it holds.
		s.nextSeq = s.firstSeq
	}
	s.batchSeq, s.firstSeq = b.Seq, s.nextSeq
	for _, r := range splitBatch(b, s.policyID, s.revision, s.epoch, s.log) {
		r.Seq = s.nextSeq
		if err := s.deliver(ctx, &r); err != nil {
			return err
		}
		s.nextSeq++
		s.sent++
	}
	return nil
}

// deliver posts r until it is acknowledged, ctx is done, or the server
// refuses it for good.
func (s *fimSender) deliver(ctx context.Context, r *wire.FIMReport) error {
	b := backoff{r: s.retry}
	for {
		ack, err := s.post(ctx, r)
		if err == nil && (ack.PolicyID != r.PolicyID || ack.Scan != r.Scan || ack.Seq != r.Seq) {
			err = fmt.Errorf("agent: the server acknowledged report %s/%d/%d, not %s/%d/%d", ack.PolicyID, ack.Scan, ack.Seq, r.PolicyID, r.Scan, r.Seq)
		}
		if err == nil {
			if b.failures > 0 {
				s.log.Info("file integrity report delivered again", "scan", r.Scan, "seq", r.Seq, "failed_attempts", b.failures)
			}
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if err := permanentReportError(err); err != nil {
			return err
		}
		d := b.next()
		s.log.Warn("file integrity report not delivered; the scan waits and retries", "scan", r.Scan, "seq", r.Seq, "err", err, "retry_in", d.Round(time.Millisecond))
		if !sleep(ctx, d) {
			return context.Cause(ctx)
		}
	}
}

// permanentReportError returns the error a scan stops with when err must
// not be retried, or nil: the policy is gone, the agent is refused, or
// the report itself is refused.
func permanentReportError(err error) error {
	if stop := stopError(err); stop != nil {
		return stop
	}
	switch code := wireCode(err); {
	case code == wire.CodePolicyGone:
		return fmt.Errorf("%w: %w", fim.ErrPolicyGone, err)
	case code == wire.CodeBadRequest, code == wire.CodeTooLarge, wire.Permanent(code):
		return refused(err)
	}
	var fe *wire.FieldError
	if errors.As(err, &fe) {
		return refused(err) // Encode refused it: resending cannot help
	}
	return nil
}

// Upper bounds of the encoded size of report parts. JSON writes a byte
// of a string in at most six ('<' is \u003c, a control byte \u0001).
const (
	reportOverhead = 8 << 10 // the report's own fields and progress
	changeOverhead = 1 << 10 // a change's keys, attributes and two objects without path or target
	errorOverhead  = 64
	reportBudget   = wire.MaxFIMReportBody - reportOverhead
)

// changeSize bounds the encoded size of c.
func changeSize(c *fim.Change) int {
	n := len(c.Path)
	if c.Before != nil {
		n += len(c.Before.Target)
	}
	if c.After != nil {
		n += len(c.After.Target)
	}
	return 6*n + changeOverhead
}

// errorSize bounds the encoded size of e.
func errorSize(e *fim.ScanError) int { return 6*(len(e.Path)+len(e.Error)) + errorOverhead }

// splitBatch makes the reports of one batch, numbered by the caller: as
// few as fit the caps (usually one). Only the last one is Done. A change
// the wire would refuse (a scanner bug, or a path longer than the
// protocol allows) is sent as a scan error instead, so that the scan
// does not stall on it.
func splitBatch(b fim.Batch, policyID, revision, epoch string, log *slog.Logger) []wire.FIMReport {
	base := wire.FIMReport{PolicyID: policyID, Revision: revision, Epoch: epoch, Scan: b.Scan, Baseline: b.Baseline, Started: b.Started, Progress: b.Progress}
	probe := base
	probe.Seq, probe.Progress = 1, fim.Progress{Objects: 1}
	var out []wire.FIMReport
	cur, size := base, 0
	flush := func() {
		out = append(out, cur)
		cur, size = base, 0
	}
	var bad []fim.ScanError
	for i := range b.Changes {
		c := &b.Changes[i]
		probe.Changes = b.Changes[i : i+1]
		if err := probe.Validate(); err != nil {
			log.Warn("file integrity change cannot be sent: reported as a scan error", "path", c.Path, "err", err)
			bad = append(bad, fim.ScanError{Path: c.Path, Error: "change not sent: " + err.Error()})
			continue
		}
		n := changeSize(c)
		if len(cur.Changes) == wire.MaxFIMChangesPerReport || size+n > reportBudget {
			flush()
		}
		cur.Changes = append(cur.Changes, *c)
		size += n
	}
	for _, e := range append(bad, b.Errors...) {
		e = sendableError(e)
		n := errorSize(&e)
		if len(cur.Errors) == wire.MaxFIMErrorsPerReport || size+n > reportBudget {
			flush()
		}
		cur.Errors = append(cur.Errors, e)
		size += n
	}
	flush()
	for i := range out {
		r := &out[i]
		r.Done = b.Done && i == len(out)-1
		// The totals must count what the report holds, whatever the
		// scanner counted.
		r.Progress.Errors = max(r.Progress.Errors, uint64(len(r.Errors)))
		if r.Baseline {
			r.Progress.Objects = max(r.Progress.Objects, uint64(len(r.Changes)))
		}
	}
	return out
}

// sendableError makes e pass the wire's checks: an absolute path of valid
// UTF-8 without NUL of at most wire.MaxPathLen bytes, a one-line message
// of at most wire.MaxMessageLen bytes.
func sendableError(e fim.ScanError) fim.ScanError {
	p := strings.ReplaceAll(strings.ToValidUTF8(e.Path, "\uFFFD"), "\x00", `\x00`)
	if !strings.HasPrefix(p, "/") && !(len(p) >= 3 && p[1] == ':') {
		p = "/" + p
	}
	p = truncate(p, wire.MaxPathLen)
	if strings.HasPrefix(p, "/") {
		p = path.Clean(p) // the wire takes clean paths only (a cut may leave a trailing "/")
	}
	e.Path = p
	msg := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(e.Error, "\uFFFD"))
	if msg = strings.TrimSpace(msg); msg == "" {
		msg = "unknown error"
	}
	e.Error = truncate(msg, wire.MaxMessageLen)
	return e
}
