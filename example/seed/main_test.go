package main

import (
	"net"
	"testing"

	"github.com/rstlint/rstlint/rsttest"
)

// TestServeCloses confirms rstlint's warning on serve, and its fix, on the
// real kernel: the client sends its 1024-byte request before the server
// accepts; serve's Close then resets the connection, serveGraceful's does not.
func TestServeCloses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(net.Listener)
		want  rsttest.Verdict
	}{
		{"serve", serve, rsttest.RST},                 // rstlint: closed with input never read
		{"serveGraceful", serveGraceful, rsttest.FIN}, // CloseWrite, drain, Close
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !rsttest.EnterNetns(t) {
				return // ran in a private network namespace; its outcome is reported here
			}
			scenario := rsttest.ServerScenario{
				Raw:  true, // serveGraceful asserts *net.TCPConn
				Peer: rsttest.ClientPeer{Send: make([]byte, 1024)},
			}
			res := rsttest.RunServer(t, scenario, func(c net.Conn) { tc.serve(&oneConn{c: c}) })
			res.Expect(t, tc.want) // logs "kernel=RST evidence=..."; skips when the kernel can't be observed
		})
	}
}

// oneConn is a listener that yields the conn under test once.
type oneConn struct{ c net.Conn }

func (l *oneConn) Accept() (net.Conn, error) {
	c := l.c
	if c == nil {
		return nil, net.ErrClosed
	}
	l.c = nil
	return c, nil
}
func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return &net.TCPAddr{} }

// TestServeRecorded runs the seed's server on a watched listener, as a
// user's own test would, and records its resetting Close in the trace that
// RSTTEST_TRACE names: "rstlint -trace" then marks its diagnostic
// confirmed (see the README).
func TestServeRecorded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rsttest.SendPending(t, ln, make([]byte, 1024)) // the request waits in the kernel
	var w rsttest.Watcher
	serve(w.Listener(ln))
	w.Record(t)
	if rs := w.Resets(); len(rs) != 1 || rs[0].Unread != 1024 {
		t.Fatalf("resets %v, want serve's Close with the 1024-byte request unread", rs)
	}
}
