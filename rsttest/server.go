package rsttest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// NewServer starts an httptest.Server for handler whose accepted conns, and
// the conns its Client dials, are watched by the returned Watcher. When t
// ends the server is closed, then the Watcher's resetting Closes are
// recorded in the trace (Watcher.Record) without failing t: the zero-code
// way for an HTTP test suite to record for rstlint. To fail t on a
// resetting Close as well, register w.Verify(t) with t.Cleanup.
//
// For a server of your own, wrap its listener instead:
// srv.Serve(w.Listener(ln)). Conns that net/http itself closes (after a
// handler returns, or on Shutdown) are closed by the standard library: a
// reset there is recorded without frames of your program, so rstlint
// cannot place it.
func NewServer(t testing.TB, handler http.Handler) (*httptest.Server, *Watcher) {
	t.Helper()
	w := new(Watcher)
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener = w.Listener(srv.Listener)
	srv.Start()
	if tr, ok := srv.Client().Transport.(*http.Transport); ok {
		tr.DialContext = w.DialContext(tr.DialContext)
	}
	t.Cleanup(func() {
		srv.Close()
		w.Record(t)
	})
	return srv, w
}
