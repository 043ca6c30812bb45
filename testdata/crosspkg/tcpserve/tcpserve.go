// want package:"hasConnFacts"

// Package tcpserve is a server framework: its accept loop hands each conn
// to the function in its Handler field and closes the conn when the
// handler returns. Its field's fact says so to the packages that set it.
package tcpserve

import "net"

// Server calls Handler with each accepted conn.
type Server struct {
	// Handler serves one conn, which is closed when it returns.
	Handler func(c net.Conn) // want Handler:"handler p0 closed by \\(\\*tcpserve.Server\\).Serve"
	// Greet, when set, is called with each conn before Handler: a hook,
	// whose return is no Close (the conn goes on to Handler).
	Greet func(c net.Conn)
}

// Serve accepts conns until the listener fails, and serves each in turn.
//
//proof:skip plumbing of app.BadHandlerReturns and app.GoodHandlerDrains
func (s *Server) Serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		func() {
			defer c.Close()
			if s.Greet != nil {
				s.Greet(c)
			}
			s.Handler(c)
		}()
	}
}

// ServeWith serves ln with a Server whose Handler is handle: each conn is
// closed when handle returns.
//
//proof:skip plumbing of app.BadServeWithReturns and app.GoodServeWithDrains
func ServeWith(ln net.Listener, handle func(c net.Conn)) error { // want ServeWith:"handler p0 of p1 closed by \\(\\*tcpserve.Server\\).Serve"
	return (&Server{Handler: handle}).Serve(ln)
}

// AcceptEach accepts conns until the listener fails, and runs handle on
// each in turn: the conn is handle's to close. (nps's conn.Accept runs
// each in a goroutine; the fact is the same either way, and the proof's
// runner sees this one's Close before AcceptEach returns.)
//
//proof:skip plumbing of app.BadAcceptEachReject and app.ServeStreamsEach
func AcceptEach(ln net.Listener, handle func(c net.Conn)) error { // want AcceptEach:"accepts from p0 into p0 of p1"
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		handle(c)
	}
}
