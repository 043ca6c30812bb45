package rsttest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ServerScenario is how RunServer's scripted client peer meets the handler
// under test. The zero ServerScenario is a tcp peer on 127.0.0.1 that
// sends nothing.
type ServerScenario struct {
	// Network is "tcp" (127.0.0.1, the default) or "unix" (a stream socket
	// in a temporary directory).
	Network string
	// Peer is what the scripted client does.
	Peer ClientPeer
	// Raw hands the handler the *net.TCPConn or *net.UnixConn itself, for
	// handlers that assert the concrete type. The close is then not
	// measured (Result.Unread is -1): only the kernel counters of a private
	// network namespace and the peer can tell what it sent.
	Raw bool
	// Timeout bounds every wait of the scenario: the peer's dial, reads and
	// writes, the handler. Default 5s.
	Timeout time.Duration
}

// ClientPeer is RunServer's scripted client. It follows the protocol and
// may pipeline: it writes all of Send at once (its whole request plus
// whatever follows it, e.g. a second request), keeps its write side open
// unless HalfClose, and reads the answer until EOF or an error.
type ClientPeer struct {
	// Send is what the peer writes. It is in the handler's receive queue
	// before the handler gets the conn, so keep it within the socket
	// buffers (some hundred KiB).
	Send []byte
	// HalfClose makes the peer CloseWrite after Send, for protocols that end
	// at the peer's EOF. A peer that half-closes early can hide an RST:
	// once it has also acknowledged our FIN, the handler's socket is
	// already CLOSED when it calls Close, and the kernel skips the reset
	// even with bytes queued.
	HalfClose bool
	// CloseWriteAtEOF makes the peer half-close its side once it has read
	// the answer to EOF. A handler that waits for the peer's EOF before it
	// closes (a drain with no deadline) needs it to finish.
	CloseWriteAtEOF bool
}

// ClientScenario is how RunClient's scripted server peer meets the client
// under test. The zero ClientScenario is a tcp peer on 127.0.0.1 that
// accepts, sends nothing and reads until EOF.
type ClientScenario struct {
	// Network is "tcp" (127.0.0.1, the default) or "unix" (a stream socket
	// in a temporary directory).
	Network string
	// Peer is what the scripted server does.
	Peer ServerPeer
	// Timeout bounds every wait of the scenario: the peer's accept, reads
	// and writes, the client. Default 5s.
	Timeout time.Duration
}

// ServerPeer is RunClient's scripted server. It accepts the client's conn,
// reads Await bytes of the request, writes Send (a greeting, or the
// answer), and reads until EOF or an error.
type ServerPeer struct {
	// Await is how many bytes of the client's request the peer reads
	// before it sends; 0 sends at accept, like a greeting.
	Await int
	// Send is what the peer writes.
	Send []byte
	// HalfClose makes the peer CloseWrite after Send: an answer that ends
	// at the peer's EOF.
	HalfClose bool
	// Echo makes the peer answer every request as it arrives: after Await
	// and Send, it writes back each chunk it reads until EOF. A client that
	// closes before reading an answer then has that answer queued, or
	// arriving after its close.
	Echo bool
	// CloseWriteAtEOF makes the peer half-close its side once it has read
	// the client's request to EOF, as a server does when its client is
	// done. A client that waits for the peer's EOF (a proxy waiting for
	// both directions) needs it to finish.
	CloseWriteAtEOF bool
	// AnswerAtEOF makes the peer read the whole request, to the client's
	// EOF, before it writes Send and half-closes: a protocol whose requests
	// end with the client's half-close. Its answer then reaches a client
	// that closed instead of half-closing only after that Close, which
	// makes the kernel reset the connection, every time.
	AnswerAtEOF bool
	// Stream makes the peer write Send again and again, reading what
	// comes meanwhile, until a write fails: a feed that only the client's
	// Close ends. A Close while it is still arriving resets, every time,
	// however the client's goroutines were scheduled. It needs Send.
	Stream bool
}

// script is a scenario whichever the runner: what the peer does, and the
// bounds of the run.
type script struct {
	network string
	timeout time.Duration
	raw     bool
	peer    ServerPeer // for RunServer, the ClientPeer's fields only
}

func (s ServerScenario) script() script {
	return script{network: s.Network, timeout: s.Timeout, raw: s.Raw,
		peer: ServerPeer{Send: s.Peer.Send, HalfClose: s.Peer.HalfClose, CloseWriteAtEOF: s.Peer.CloseWriteAtEOF}}
}

func (s ClientScenario) script() script {
	return script{network: s.Network, timeout: s.Timeout, peer: s.Peer}
}

// defaultTimeout bounds a scenario whose Timeout is zero.
const defaultTimeout = 5 * time.Second

// measureMu serialises scenarios that read the namespace's counters, so that
// parallel subtests in one namespace do not see each other's RSTs.
var measureMu sync.Mutex

// testbed is one scenario's listener and measurement window.
type testbed struct {
	s        script
	ln       net.Listener
	dir      string
	deadline time.Time
	netns    bool
	netnsWhy string
	counting bool
	before   Counters
}

// newTestbed validates s, listens, and starts the counter window.
func newTestbed(s script) (*testbed, error) {
	if s.network == "" {
		s.network = "tcp"
	}
	if s.timeout <= 0 {
		s.timeout = defaultTimeout
	}
	e := &testbed{s: s, deadline: time.Now().Add(s.timeout)}
	e.netns, e.netnsWhy = privateNetns()
	var err error
	switch s.network {
	case "tcp":
		e.ln, err = net.Listen("tcp", "127.0.0.1:0")
	case "unix":
		if e.dir, err = os.MkdirTemp("", "rsttest"); err == nil {
			e.ln, err = net.Listen("unix", filepath.Join(e.dir, "sock"))
		}
	default:
		err = fmt.Errorf("network %q: want tcp or unix", s.network)
	}
	if err != nil {
		e.close()
		return nil, err
	}
	if err := e.ln.(interface{ SetDeadline(time.Time) error }).SetDeadline(e.deadline); err != nil {
		e.close()
		return nil, err
	}
	if e.netns && s.network == "tcp" {
		measureMu.Lock()
		e.counting = true
		if e.before, err = readCounters(); err != nil {
			e.close()
			return nil, err
		}
	}
	return e, nil
}

// delta returns the counters' change since newTestbed, or nil when not counting.
func (e *testbed) delta() (Counters, error) {
	if !e.counting {
		return nil, nil
	}
	now, err := readCounters()
	if err != nil {
		return nil, err
	}
	return now.sub(e.before), nil
}

// setAcceptDeadline shortens the listener's deadline to d from now, so an
// Accept that waits for a client that never came gives up.
func (e *testbed) setAcceptDeadline(d time.Duration) {
	_ = e.ln.(interface{ SetDeadline(time.Time) error }).SetDeadline(time.Now().Add(d))
}

func (e *testbed) close() {
	if e.ln != nil {
		e.ln.Close()
	}
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
	if e.counting {
		e.counting = false
		measureMu.Unlock()
	}
}

// RunServer runs handler on a conn accepted from the scripted peer and
// reports whether the handler's close sent RST or FIN.
//
// The peer connects and writes s.Peer.Send; RunServer accepts, waits until those
// bytes are in the conn's receive queue (SIOCINQ), and only then calls handler,
// so pipelined input is really there when the handler runs. Unless s.Raw, the
// handler gets a wrapper whose Close measures the socket first (see Watcher
// for what a wrapper can and cannot do). The handler should close the conn
// before it returns; if it does not, RunServer closes it and says so.
//
// Setup failures and a panicking handler fail the test with t.Fatalf, so call
// RunServer from the test's goroutine.
func RunServer(t testing.TB, s ServerScenario, handler func(net.Conn)) Result {
	t.Helper()
	e, err := newTestbed(s.script())
	if err != nil {
		t.Fatalf("rsttest: %v", err)
	}
	defer e.close()
	r := newPeerRun(e)
	defer r.finish()
	go r.peerDial()

	accepted, err := e.ln.Accept()
	if err != nil {
		t.Fatalf("rsttest: accepting the peer: %v", err)
	}
	c := accepted.(syscall.Conn)
	defer accepted.Close() // after the handler and the runner: an extra Close is harmless
	// The peer's write returning is the first event; SIOCINQ then confirms the
	// bytes reached this end of loopback.
	r.waitSent(min(time.Until(e.deadline), 2*time.Second))
	queued := waitQueued(c, len(e.s.peer.Send), time.Now().Add(min(time.Until(e.deadline), 2*time.Second)))

	var rec closeRecorder
	handed := accepted
	if !e.s.raw {
		handed, _ = wrapConn(accepted, rec.record)
	}
	msg, ok := runBounded(func() { handler(handed) }, time.Until(e.deadline), func() { accepted.Close() })
	if !ok {
		r.problem("the handler did not return within %v (its conn was then closed)", e.s.timeout)
	}
	if msg != "" {
		r.finish()
		t.Fatalf("rsttest: the handler panicked: %s", msg)
	}
	closedBy := "handler"
	switch {
	case !ok:
		closedBy = "runner (after the Timeout)"
	case !isClosed(c):
		closedBy = "runner (the handler returned without closing the conn)"
		rec.record(accepted, measure(c, e.s.network))
		accepted.Close()
	}
	o := r.observe()
	o.queued = queued
	o.closedBy = closedBy
	o.m, o.measured = rec.get()
	if e.s.raw && !o.measured {
		o.notMeasured = "Close not measured (ServerScenario.Raw hands the handler the real conn)"
	}
	return o.result()
}

// RunClient runs client against the scripted server peer, listening at addr
// (host:port for tcp, a path for unix), and reports whether the client's close
// of its conn sent RST or FIN.
//
// The peer accepts, reads s.Peer.Await bytes, writes s.Peer.Send, and reads until
// EOF. The client dials its own conn, so its close cannot be measured
// (Result.Unread is -1): only the kernel counters of a private network
// namespace and the peer can tell what it sent. The client should close its
// conn before it returns. Call RunClient from the test's goroutine.
func RunClient(t testing.TB, s ClientScenario, client func(addr string) error) Result {
	t.Helper()
	e, err := newTestbed(s.script())
	if err != nil {
		t.Fatalf("rsttest: %v", err)
	}
	defer e.close()
	r := newPeerRun(e)
	defer r.finish()
	go r.peerAccept()

	var clientErr error
	msg, ok := runBounded(func() { clientErr = client(e.ln.Addr().String()) }, time.Until(e.deadline), nil)
	if !ok {
		r.problem("the client did not return within %v", e.s.timeout)
	}
	if msg != "" {
		r.finish()
		t.Fatalf("rsttest: the client panicked: %s", msg)
	}
	// A client that dialed has completed the handshake, so its conn is in the
	// accept queue: a short deadline only ends the wait for one that did not.
	e.setAcceptDeadline(250 * time.Millisecond)
	o := r.observe()
	o.queued = -1
	o.closedBy = "client"
	o.notMeasured = "Close not measured (the client dials its own conn)"
	if ok {
		o.clientErr = clientErr
	}
	return o.result()
}

// closeRecorder keeps the measurement of the first Close of the conn under test.
type closeRecorder struct {
	mu  sync.Mutex
	m   closeMeasure
	set bool
}

func (r *closeRecorder) record(_ net.Conn, m closeMeasure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.set {
		r.m, r.set = m, true
	}
}

// get returns the measurement and whether there is a usable one.
func (r *closeRecorder) get() (closeMeasure, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m, r.set && r.m.err == nil
}
