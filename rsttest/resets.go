package rsttest

import (
	"errors"
	"os"
	"testing"

	"github.com/rstlint/rstlint/internal/trace"
)

// ResetCounter counts the RSTs the kernel sends while a test runs, from the
// counters of the test's private network namespace. It needs no wrapping, so
// it suits code that asserts c.(*net.TCPConn), but it gives counts, not
// stacks. Use it after EnterNetns:
//
//	if !rsttest.EnterNetns(t) {
//		return
//	}
//	rc := rsttest.CountResets()
//	... run the server and its clients, shut them down ...
//	rc.Verify(t)
//
// Every RST in the namespace counts, including ones a test provokes on
// purpose, and so do RSTs of scenarios run meanwhile in the same process.
type ResetCounter struct {
	start Counters
	err   error
	where string // the namespace, or why there is none
}

// CountResets starts counting. Outside a private network namespace the
// counter counts nothing and says why.
func CountResets() *ResetCounter {
	ok, where := privateNetns()
	if !ok {
		return &ResetCounter{err: errors.New(where), where: where}
	}
	c, err := readCounters()
	return &ResetCounter{start: c, err: err, where: where}
}

// Resets returns the counter deltas since CountResets, or why there are none.
func (rc *ResetCounter) Resets() (Counters, error) {
	if rc.err != nil {
		return nil, rc.err
	}
	now, err := readCounters()
	if err != nil {
		return nil, err
	}
	return now.sub(rc.start), nil
}

// record appends the test's count of resets to the trace named by
// RSTTEST_TRACE, if any: an entry without frames, since counters do not
// say which Close reset.
func (rc *ResetCounter) record(t testing.TB, n int64) {
	t.Helper()
	path := os.Getenv(trace.EnvVar)
	if path == "" {
		return
	}
	if err := trace.Append(path, trace.Entry{Test: t.Name(), Network: "tcp", Verdict: "RST", Resets: n}); err != nil {
		t.Errorf("rsttest: recording %d reset(s) in %s=%s: %v", n, trace.EnvVar, path, err)
	}
}

// Verify fails t when the kernel sent any RST since CountResets, and
// records their number in the trace (see Watcher). Where RSTs
// cannot be counted it only logs why: the test has proved nothing either way.
func (rc *ResetCounter) Verify(t testing.TB) {
	t.Helper()
	d, err := rc.Resets()
	switch {
	case err != nil:
		t.Logf("rsttest: RSTs not counted: %v", err)
	case d.Resets() > 0:
		t.Errorf("rsttest: the kernel sent %d RST(s) during the test (%v); run it with a rsttest.Watcher to find the closes", d.Resets(), d)
		rc.record(t, d.Resets())
	default:
		t.Logf("rsttest: no RST sent during the test (%v)", d)
	}
}

// Result applies the evidence rules of RunServer and RunClient to a
// scenario the caller ran itself (a raw-socket server, a TLS peer): the
// RSTs counted since CountResets, and what the caller's peer saw (its
// read's error, nil at EOF; its write's error). The Close under test was
// not measured, so only the counters and the peer can decide: outside a
// private network namespace a clean peer gives Unknown, with the reason.
func (rc *ResetCounter) Result(closedBy string, peer PeerResult) Result {
	ev := evidence{network: "tcp", netnsWhy: rc.where, peer: peer, queued: -1, closedBy: closedBy,
		notMeasured: "Close not measured (the test ran the scenario itself)"}
	ev.counters, ev.countersErr = rc.Resets()
	ev.netns = ev.countersErr == nil
	if !ev.netns {
		ev.counters = nil
	}
	return ev.result()
}
