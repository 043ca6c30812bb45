package halfclose // want package:"hasConnFacts"

// CloseWrite alone only half-fixes the reset.

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"time"
)

// BadCloseWriteOnly sends FIN, then closes without reading: queued input
// still turns the Close into RST.
func BadCloseWriteOnly(c *net.TCPConn) { // want BadCloseWriteOnly:"^conn p0 closes unread:w:hc returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `conn c is closed after CloseWrite with input unread: RST drops what is unsent`
}

// BadCloseWriteAndWait is net/http's closeWriteAndWait: a sleep is no drain.
func BadCloseWriteAndWait(c net.Conn) { // want BadCloseWriteAndWait:"^conn p0 closes unread:w:hc returns closed uses writes assumes=tcp$"
	fmt.Fprintln(c, "bye")
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	time.Sleep(500 * time.Millisecond)
	c.Close() // want `conn c is closed after CloseWrite with input unread: RST drops what is unsent`
}

// GoodCloseWriteDrain half-closes, then reads to EOF.
func GoodCloseWriteDrain(c *net.TCPConn) { // want GoodCloseWriteDrain:"^conn p0 closes done:w:hc returns closed uses writes drains$"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
	c.Close()
}

// BadCloseRead: CloseRead does not discard the queue without RST.
func BadCloseRead(c *net.TCPConn) { // want BadCloseRead:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	c.CloseRead()
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

// BadTLSCloseWrite: tls.Conn.CloseWrite sends close_notify, not FIN.
func BadTLSCloseWrite(raw net.Conn, cfg *tls.Config) { // want BadTLSCloseWrite:"^conn p0 closes unread:w returns closed uses writes$"
	tc := tls.Server(raw, cfg)
	fmt.Fprintln(tc, "bye")
	tc.CloseWrite()
	tc.Close() // want `conn raw is closed with input never read: RST may destroy our reply`
}

// BadUnixCloseWrite: the same on a unix stream socket.
//
//proof:skip needs a *net.UnixListener (halfclose.BadUnixHalfClose runs the same close)
func BadUnixCloseWrite(ln *net.UnixListener) {
	c, err := ln.AcceptUnix()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `the accepted conn is closed after CloseWrite with input unread: RST drops what is unsent`
}

// BadTLSListener: conns from a tls listener are *tls.Conn; CloseWrite
// through the interface sends close_notify only.
//
//proof:skip needs a TLS listener (halfclose.BadTLSCloseWrite runs the same close)
func BadTLSListener(cfg *tls.Config) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		return
	}
	defer ln.Close()
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.Close() // want `conn accepted at halfclose\.go:\d+ is closed with input never read: RST may destroy our reply`
}

// GoodTLSNetConn half-closes the TCP connection under the TLS one, then
// drains.
func GoodTLSNetConn(raw net.Conn, cfg *tls.Config) { // want GoodTLSNetConn:"^conn p0 closes done:w:hc returns closed uses writes drains$"
	tc := tls.Server(raw, cfg)
	fmt.Fprintln(tc, "bye")
	tc.CloseWrite()
	tc.NetConn().(*net.TCPConn).CloseWrite()
	tc.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, tc)
	tc.Close()
}

// BadUnixHalfClose: a unix stream conn, CloseWrite then Close.
func BadUnixHalfClose(c *net.UnixConn) { // want BadUnixHalfClose:"^conn p0 closes unread:w:hc returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `conn c is closed after CloseWrite with input unread: RST drops what is unsent`
}

// GoodUnixHalfClose drains after CloseWrite.
func GoodUnixHalfClose(c *net.UnixConn) { // want GoodUnixHalfClose:"^conn p0 closes done:w:hc returns closed uses writes drains$"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
	c.Close()
}

// GoodCloseWriteError returns when the half-close fails: the socket is
// already broken (a failed shutdown, like a failed read or write, ends the
// conversation), and the deferred Close loses nothing more.
func GoodCloseWriteError(c *net.TCPConn) error { // want GoodCloseWriteError:"^conn p0 closes done:w,done:w:hc returns closed uses writes drains errdone$"
	defer c.Close()
	if _, err := fmt.Fprintln(c, "bye"); err != nil {
		return err
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := io.Copy(io.Discard, c)
	return err
}

// BadDialHalfClose reads the answer to one request, sends another,
// half-closes and closes without reading the second answer: the FIN goes
// first, then the RST.
func BadDialHalfClose(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(c, "PING")
	if _, err := c.Read(make([]byte, 5)); err != nil {
		c.Close()
		return err
	}
	fmt.Fprintln(c, "PING")
	c.(*net.TCPConn).CloseWrite()
	return c.Close() // want `the dialed conn is closed after CloseWrite with input unread: RST drops what is unsent`
}
