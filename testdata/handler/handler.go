package handler // want package:"hasConnFacts"
// Package handler: connection handlers that own the conn they are given.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// BadLine reads one request line, answers, and closes: a pipelined second
// request is still queued, so the deferred Close sends RST.
func BadLine(c net.Conn) { // want BadLine:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(c, "echo %s", line)
}

// GoodLine answers, then closes gracefully: FIN first, then a bounded
// drain, then Close.
func GoodLine(c net.Conn) { // want GoodLine:"^conn p0 closes done,done:w:hc returns closed uses reads writes drains assumes=tcp$"
	defer c.Close()
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(c, "echo %s", line)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(r, 1<<20))
}

// GoodEcho copies the input back until the peer's EOF.
//
//proof:eof
func GoodEcho(c net.Conn) { // want GoodEcho:"^conn p0 closes done:w returns closed uses writes drains$"
	defer c.Close()
	io.Copy(c, c)
}

// BadUpper uses a Scanner but stops at the first line.
func BadUpper(c net.Conn) { // want BadUpper:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	sc := bufio.NewScanner(c)
	if sc.Scan() {
		fmt.Fprintln(c, strings.ToUpper(sc.Text()))
	}
	c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
}

// GoodUpper scans every line until the peer's EOF.
//
//proof:eof
func GoodUpper(c net.Conn) { // want GoodUpper:"^conn p0 closes done,done:w returns closed uses reads writes$"
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		fmt.Fprintln(c, strings.ToUpper(sc.Text()))
	}
	c.Close()
}

// GoodCloseWriteInterface half-closes through an interface assertion.
func GoodCloseWriteInterface(c net.Conn) { // want GoodCloseWriteInterface:"^conn p0 closes done:w:hc returns closed uses writes drains$"
	defer c.Close()
	fmt.Fprintln(c, "bye")
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
}

// logOnly only looks at the conn: no data, no close. Not an owner, and
// nothing is reported for it.
func logOnly(c net.Conn) string { return c.RemoteAddr().String() }

// GoodWriteToDiscard drains with WriteTo on the TCP conn.
func GoodWriteToDiscard(c *net.TCPConn) { // want GoodWriteToDiscard:"^conn p0 closes done:w:hc returns closed uses writes drains$"
	_ = logOnly(c)
	c.Write([]byte("bye\n"))
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	c.WriteTo(io.Discard)
	c.Close()
}

// BadHandshakeReturns hands its conn to handshake and closes it when
// handshake returns. The version check turns the client away with the
// rest of its header unread: the deferred Close resets it.
func BadHandshakeReturns(c net.Conn) { // want BadHandshakeReturns:"^conn p0 closes unread,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
	handshake(c)
}

// handshake reads a 4-byte greeting and the 8-byte header after it, and
// returns an error for a version it does not know; then it echoes.
func handshake(c net.Conn) error {
	var hello [4]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil {
		return err
	}
	if hello[0] != 5 {
		return errors.New("unknown version")
	}
	var hdr [8]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return err
	}
	_, err := io.Copy(c, c) // echo until the client's EOF
	return err
}

// GoodHandshakeDrains is the same handler whose handshake drains what
// the client sent before it returns its error: the Close sends FIN.
func GoodHandshakeDrains(c net.Conn) { // want GoodHandshakeDrains:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	handshakeDrained(c)
}

// handshakeDrained is handshake, draining on the unknown version.
func handshakeDrained(c net.Conn) error {
	var hello [4]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil {
		return err
	}
	if hello[0] != 5 {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c)
		return errors.New("unknown version")
	}
	var hdr [8]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return err
	}
	_, err := io.Copy(c, c) // echo until the client's EOF
	return err
}
