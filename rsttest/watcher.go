package rsttest

import (
	"fmt"
	"net"
	"sync"
	"testing"
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
type Watcher struct {
	mu        sync.Mutex
	resets    []ResetClose
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
	wc, ok := wrapConn(c, w.record)
	if !ok {
		w.note(&w.unwatched, fmt.Sprintf("conn of type %T", c))
	}
	return wc
}

// record is the wrappers' close hook.
func (w *Watcher) record(c net.Conn, m closeMeasure) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closes++
	switch {
	case m.err != nil:
		if len(w.unmeasure) < 10 {
			w.unmeasure = append(w.unmeasure, m.err.Error())
		}
	case m.resets():
		w.resets = append(w.resets, ResetClose{
			Network:    c.LocalAddr().Network(),
			Local:      c.LocalAddr().String(),
			Remote:     c.RemoteAddr().String(),
			Unread:     m.unread,
			LingerZero: m.lingerZero,
			Stack:      callerStack(),
		})
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

// Verify fails t once for each recorded Close that made the kernel reset the
// connection, with its stack. It logs what it could not watch or measure.
// Call it after the code under test has closed its conns (after the server's
// shutdown); a close that happens after Verify is not reported.
func (w *Watcher) Verify(t testing.TB) {
	t.Helper()
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
