package rsttest

import "net"

// The wrappers embed the concrete conn or listener, so that every method of
// *net.TCPConn or *net.UnixConn (CloseWrite, CloseRead, SetLinger, ReadFrom,
// WriteTo, SyscallConn, SetKeepAlive, File, ...) is promoted unchanged and an
// interface assertion finds exactly the methods the wrapped conn has. Only
// Close (and a listener's Accept) is redefined. No wrapper can satisfy
// c.(*net.TCPConn): code that asserts the concrete type needs no wrapping at
// all (see CountResets).

// closeHook is told what the socket looked like just before each Close.
type closeHook func(c net.Conn, m closeMeasure)

type tcpConn struct {
	*net.TCPConn
	hook closeHook
}

// Close measures the socket, then closes it and returns Close's own error.
func (c *tcpConn) Close() error {
	c.hook(c, measure(c.TCPConn, "tcp"))
	return c.TCPConn.Close()
}

type unixConn struct {
	*net.UnixConn
	hook closeHook
}

// Close measures the socket, then closes it and returns Close's own error.
func (c *unixConn) Close() error {
	c.hook(c, measure(c.UnixConn, "unix"))
	return c.UnixConn.Close()
}

// wrapConn wraps c when its concrete type is one a wrapper can mirror exactly,
// and reports whether it did.
func wrapConn(c net.Conn, hook closeHook) (net.Conn, bool) {
	switch c := c.(type) {
	case *net.TCPConn:
		return &tcpConn{c, hook}, true
	case *net.UnixConn:
		return &unixConn{c, hook}, true
	}
	return c, false
}

// tcpListener's AcceptTCP stays promoted and returns an unwatched conn: it
// cannot return a wrapper as a *net.TCPConn.
type tcpListener struct {
	*net.TCPListener
	w *Watcher
}

// Accept returns the accepted conn watched, and the listener's errors as they are.
func (l *tcpListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	if err != nil {
		return c, err
	}
	return l.w.watch(c, originOf(callers())), nil
}

type unixListener struct {
	*net.UnixListener
	w *Watcher
}

// Accept returns the accepted conn watched, and the listener's errors as they are.
func (l *unixListener) Accept() (net.Conn, error) {
	c, err := l.UnixListener.Accept()
	if err != nil {
		return c, err
	}
	return l.w.watch(c, originOf(callers())), nil
}
