package rsttest

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/rstlint/rstlint/internal/trace"
)

// Watcher records every Close, of the conns it watches, that makes Linux send
// RST: the receive queue still held unread bytes (ioctl SIOCINQ > 0), or
// SO_LINGER was on with 0 seconds. Verify then fails the test with each such
// Close and its call stack. It is the runtime twin of rstlint's warnings, in
// the spirit of goleak. The zero Watcher is ready to use; a Watcher may be
// used from many goroutines.
//
//	var w rsttest.Watcher
//	t.Cleanup(func() { w.Verify(t) }) // registered first, so it runs after the server's cleanup
//	ln = w.Listener(ln)
//	srv := startServer(ln)
//	t.Cleanup(srv.Close)
//
// What a Watcher cannot see: a close whose bytes arrive just after it (the
// orphaned socket then answers them with RST); closes of conns it does not
// watch; and the last close of a descriptor dup'ed by File. The wrapper cannot
// be asserted to *net.TCPConn: for code that does, count the test's resets in
// a private network namespace instead (EnterNetns and CountResets).
//
// # Recording a trace for rstlint
//
// When the environment variable RSTTEST_TRACE names a file, Verify and
// Record append each resetting Close to it, one JSON line each: the Close's
// call stack (outside rsttest and the standard library), where the conn
// was accepted or dialed, the unread bytes, the linger, the test's name.
// "rstlint -trace=file ./..." then marks each diagnostic whose Close reset
// during the tests as confirmed, and reports the resets it did not predict.
// Use an absolute path: go test runs each package in its own directory.
// Any number of tests and test binaries may append at once.
//
//	RSTTEST_TRACE=$PWD/rst.trace go test ./...
//	rstlint -trace=$PWD/rst.trace ./...
type Watcher struct {
	mu        sync.Mutex
	resets    []ResetClose
	traced    int // resets[:traced] are in the trace
	closes    int
	unmeasure []string
	unwatched []string
}

// ResetClose is one Close that made the kernel reset the connection.
type ResetClose struct {
	// Network is "tcp" or "unix".
	Network string
	// Local and Remote are the conn's addresses.
	Local, Remote string
	// Unread is the number of bytes in the receive queue at Close (SIOCINQ).
	Unread int
	// LingerZero is true when SO_LINGER was on with 0 seconds.
	LingerZero bool
	// Stack is the call stack of the Close.
	Stack string

	frames []trace.Frame // Stack's frames of the program under test, for the trace
	origin *trace.Frame  // where the conn was accepted or dialed, if known
}

// String describes the close and what the kernel does about it.
func (r ResetClose) String() string {
	why := fmt.Sprintf("%d bytes unread (SIOCINQ)", r.Unread)
	if r.LingerZero {
		why = "SO_LINGER 0"
		if r.Unread > 0 {
			why = fmt.Sprintf("%d bytes unread (SIOCINQ) and SO_LINGER 0", r.Unread)
		}
	}
	effect := "Linux sends RST, not FIN, and drops any unsent reply"
	if r.Network == "unix" {
		effect = "Linux makes the peer's next read fail with ECONNRESET"
	}
	return fmt.Sprintf("%s conn %s->%s closed with %s: %s", r.Network, r.Local, r.Remote, why, effect)
}

// Listener returns ln with every accepted conn watched (see Conn).
// *net.TCPListener and *net.UnixListener are wrapped with all their methods;
// AcceptTCP and AcceptUnix return unwatched conns. Other listeners cannot be
// mirrored exactly and are returned unchanged, noted in Verify's log: wrap the
// inner listener instead, e.g. tls.NewListener(w.Listener(ln), cfg).
func (w *Watcher) Listener(ln net.Listener) net.Listener {
	switch l := ln.(type) {
	case *net.TCPListener:
		return &tcpListener{l, w}
	case *net.UnixListener:
		return &unixListener{l, w}
	case nil:
		return nil
	}
	w.note(&w.unwatched, fmt.Sprintf("listener of type %T", ln))
	return ln
}

// Conn returns c watched: its Close first measures the socket and records a
// resetting close. The wrapper has exactly c's methods except that it is not
// c's concrete type. Only *net.TCPConn and *net.UnixConn are wrapped; other
// conns (e.g. *tls.Conn: wrap its underlying conn before tls.Server or
// tls.Client) are returned unchanged, noted in Verify's log.
func (w *Watcher) Conn(c net.Conn) net.Conn {
	if c == nil {
		return nil
	}
	return w.watch(c, originOf(callers()))
}

// watch wraps c, remembering where it came from.
func (w *Watcher) watch(c net.Conn, origin *trace.Frame) net.Conn {
	wc, ok := wrapConn(c, func(c net.Conn, m closeMeasure) { w.record(c, m, origin) })
	if !ok {
		w.note(&w.unwatched, fmt.Sprintf("conn of type %T", c))
	}
	return wc
}

// originOf is the innermost frame of the program under test in the stack
// of an Accept or Dial.
func originOf(frames []runtime.Frame) *trace.Frame {
	if fs := userFrames(frames); len(fs) > 0 {
		return &fs[0]
	}
	return nil
}

// Dial returns dial with every conn it makes watched, for a client whose
// dial function can be replaced (nil dials with a zero net.Dialer).
func (w *Watcher) Dial(dial func(network, address string) (net.Conn, error)) func(network, address string) (net.Conn, error) {
	if dial == nil {
		dial = new(net.Dialer).Dial
	}
	return func(network, address string) (net.Conn, error) {
		c, err := dial(network, address)
		if err != nil {
			return c, err
		}
		return w.watch(c, originOf(callers())), nil
	}
}

// DialContext is Dial for a context-taking dial function, such as
// http.Transport.DialContext:
//
//	tr := http.DefaultTransport.(*http.Transport).Clone()
//	tr.DialContext = w.DialContext(tr.DialContext)
func (w *Watcher) DialContext(dial func(ctx context.Context, network, address string) (net.Conn, error)) func(ctx context.Context, network, address string) (net.Conn, error) {
	if dial == nil {
		dial = new(net.Dialer).DialContext
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := dial(ctx, network, address)
		if err != nil {
			return c, err
		}
		return w.watch(c, originOf(callers())), nil
	}
}

// record is the wrappers' close hook.
func (w *Watcher) record(c net.Conn, m closeMeasure, origin *trace.Frame) {
	var r ResetClose
	if m.err == nil && m.resets() {
		frames := callers()
		r = ResetClose{
			Network:    c.LocalAddr().Network(),
			Local:      c.LocalAddr().String(),
			Remote:     c.RemoteAddr().String(),
			Unread:     m.unread,
			LingerZero: m.lingerZero,
			Stack:      formatStack(frames),
			frames:     userFrames(frames),
			origin:     origin,
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closes++
	switch {
	case m.err != nil:
		if len(w.unmeasure) < 10 {
			w.unmeasure = append(w.unmeasure, m.err.Error())
		}
	case m.resets():
		w.resets = append(w.resets, r)
	}
}

func (w *Watcher) note(list *[]string, s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(*list) < 10 {
		*list = append(*list, s)
	}
}

// Resets returns the resetting closes recorded so far.
func (w *Watcher) Resets() []ResetClose {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]ResetClose(nil), w.resets...)
}

// Record appends the resetting Closes recorded since the last Record or
// Verify to the trace named by RSTTEST_TRACE, as closes of test t, without
// failing t: for a test suite that records its resets for rstlint rather
// than failing on them. Without RSTTEST_TRACE it does nothing; a trace it
// cannot write fails t.
func (w *Watcher) Record(t testing.TB) {
	t.Helper()
	path := os.Getenv(trace.EnvVar)
	if path == "" {
		return
	}
	w.mu.Lock()
	fresh := w.resets[w.traced:]
	w.traced = len(w.resets)
	w.mu.Unlock()
	entries := make([]trace.Entry, 0, len(fresh))
	for _, r := range fresh {
		entries = append(entries, trace.Entry{Test: t.Name(), Frames: r.frames, Origin: r.origin,
			Network: r.Network, Unread: r.Unread, LingerZero: r.LingerZero, Verdict: "RST"})
	}
	if err := trace.Append(path, entries...); err != nil {
		t.Errorf("rsttest: recording %d resetting close(s) in %s=%s: %v", len(entries), trace.EnvVar, path, err)
	}
}

// Verify fails t once for each recorded Close that made the kernel reset the
// connection, with its stack, and records them (see Record). It logs what
// it could not watch or measure. Call it after the code under test has
// closed its conns (after the server's shutdown); a close that happens
// after Verify is not reported.
func (w *Watcher) Verify(t testing.TB) {
	t.Helper()
	w.Record(t)
	w.mu.Lock()
	resets := append([]ResetClose(nil), w.resets...)
	closes, unmeasured, unwatched := w.closes, w.unmeasure, w.unwatched
	w.mu.Unlock()
	for _, u := range unwatched {
		t.Logf("rsttest: %s not watched: a wrapper could not keep all its methods", u)
	}
	for _, u := range unmeasured {
		t.Logf("rsttest: a close could not be measured: %s", u)
	}
	for _, r := range resets {
		t.Errorf("rsttest: %v\nclosed at:\n%s", r, r.Stack)
	}
	if len(resets) > 0 {
		t.Logf("rsttest: %d of %d watched closes reset the connection; close gracefully: CloseWrite, read to EOF with a deadline, then Close", len(resets), closes)
	}
}
