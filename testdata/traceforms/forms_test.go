package traceforms_test

import (
	"net"
	"testing"

	"rstcases/traceforms"

	"github.com/rstlint/rstlint/rsttest"
)

// TestForms runs each form on one conn from a watched listener, after the
// client's 64-byte request reached the server's kernel, and records its
// resets in the trace (RSTTEST_TRACE). Graceful is not watched: it asserts
// *net.TCPConn, so its test counts RSTs in a namespace instead.
func TestForms(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(net.Conn)
	}{
		{"Direct", traceforms.Direct},
		{"Deferred", traceforms.Deferred},
		{"Helper", traceforms.Helper},
		{"DeferredHelper", traceforms.DeferredHelper},
		{"CrossPackage", traceforms.CrossPackage},
		{"Goroutine", traceforms.Goroutine},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, client := requestSent(t)
			var w rsttest.Watcher
			c, err := w.Listener(ln).Accept()
			if err != nil {
				t.Fatal(err)
			}
			tc.handler(c)
			w.Record(t)
			if rs := w.Resets(); len(rs) != 1 || rs[0].Unread != 60 {
				t.Fatalf("resets %v, want one Close with 60 bytes unread", rs)
			}
			client.Close()
		})
	}
	t.Run("Graceful", func(t *testing.T) {
		if !rsttest.EnterNetns(t) {
			return
		}
		rc := rsttest.CountResets()
		ln, client := requestSent(t)
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		client.(*net.TCPConn).CloseWrite()
		traceforms.Graceful(c)
		client.Close()
		rc.Verify(t)
	})
}

// requestSent listens and has a client's 64-byte request wait in the
// server's kernel.
func requestSent(t *testing.T) (net.Listener, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, rsttest.SendPending(t, ln, make([]byte, 64))
}
