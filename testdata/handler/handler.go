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

// TunnelConn is a tunnel's conn: a net.Conn and more. Every value of it
// is a net.Conn, and a handler given one owns it as a handler of a
// net.Conn does.
type TunnelConn interface {
	net.Conn
	Target() string
}

// tunnelConn is a TunnelConn over a socket.
type tunnelConn struct {
	net.Conn
	target string
}

func (t *tunnelConn) Target() string { return t.target }

// NewTunnelConn gives c the target it asks for.
//
//proof:skip a constructor, run by the overrides of BadTunnelDialFails and GoodTunnelDialFails
func NewTunnelConn(c net.Conn, target string) TunnelConn { // want NewTunnelConn:"^wraps p0$" NewTunnelConn:"^conn p0 returns unread$"
	return &tunnelConn{Conn: c, target: target}
}

// BadTunnelDialFails cannot reach the target the tunnel asks for and
// hangs up with the client's first bytes still queued.
func BadTunnelDialFails(c TunnelConn) { // want BadTunnelDialFails:"^conn p0 closes unread,done returns closed uses reads drains$"
	defer c.Close() // want `conn c is closed with input never read, nothing written: the peer gets RST, not EOF`
	up, err := net.Dial("tcp", c.Target())
	if err != nil {
		return
	}
	defer up.Close()
	io.Copy(up, c)
}

// GoodTunnelDialFails reads what the client sent to its end before it
// hangs up.
func GoodTunnelDialFails(c TunnelConn) { // want GoodTunnelDialFails:"^conn p0 closes done returns closed uses reads drains$"
	defer c.Close()
	up, err := net.Dial("tcp", c.Target())
	if err != nil {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c)
		return
	}
	defer up.Close()
	io.Copy(up, c)
}

// upstream is an address no dial reaches: without a port, the dial fails
// at once and sends nothing (a refused SYN would be an RST of its own).
const upstream = "127.0.0.1"

// BadForwardDialFails forwards what the client sends, one way, to an
// upstream it cannot reach: it hangs up with the client's bytes queued.
// Copying the conn into another conn reads it: the function owns it.
func BadForwardDialFails(c net.Conn) { // want BadForwardDialFails:"^conn p0 closes unread,done returns closed uses reads drains$"
	defer c.Close() // want `conn c is closed with input never read, nothing written: the peer gets RST, not EOF`
	up, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer up.Close()
	io.Copy(up, c)
}

// GoodForwardDialFails reads the client's bytes to their end when the
// upstream cannot be reached.
//
//proof:eof
func GoodForwardDialFails(c net.Conn) { // want GoodForwardDialFails:"^conn p0 closes done returns closed uses reads drains$"
	defer c.Close()
	up, err := net.Dial("tcp", upstream)
	if err != nil {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c)
		return
	}
	defer up.Close()
	io.Copy(up, c)
}

// FramedConn is a conn with a writer of its own, which batches frames:
// what goes through its Writer goes through the conn.
type FramedConn interface {
	net.Conn
	Writer() FrameWriter
}

// FrameWriter queues frames and sends them on Flush; Queue sends at
// once when the queue is full, and fails as a write does.
type FrameWriter interface {
	WriteFrame(p []byte)
	Queue(p []byte) error
	Flush() error
}

type framedConn struct {
	net.Conn
	w *frameWriter
}

func (f *framedConn) Writer() FrameWriter { return f.w }

type frameWriter struct {
	c       net.Conn
	pending []byte
}

func (w *frameWriter) WriteFrame(p []byte) { w.pending = append(w.pending, p...) }

func (w *frameWriter) Queue(p []byte) error { // want Queue:"^conn p0[.]c returns unread,unread:w uses writes errdone errread$"
	w.pending = append(w.pending, p...)
	if len(w.pending) < 4096 {
		return nil
	}
	return w.Flush()
}

func (w *frameWriter) Flush() error { // want Flush:"^conn p0[.]c returns unread:w uses writes errdone errread$"
	_, err := w.c.Write(w.pending)
	w.pending = w.pending[:0]
	return err
}

// NewFramedConn frames c.
//
//proof:skip a constructor, run by the overrides of BadFramedReply and GoodFramedReply
func NewFramedConn(c net.Conn) FramedConn { // want NewFramedConn:"^views r0=p0 conn$"
	return &framedConn{Conn: c, w: &frameWriter{c: c}}
}

// BadFramedReply reads a request, answers through the conn's own writer
// and closes with the peer's next requests unread: the answer is lost.
func BadFramedReply(c FramedConn) { // want BadFramedReply:"^conn p0 closes unread:w,done:w returns done,closed uses reads writes$"
	buf := make([]byte, 64)
	if _, err := c.Read(buf); err != nil {
		return
	}
	w := c.Writer()
	w.WriteFrame([]byte("OK\n"))
	if err := w.Flush(); err != nil {
		c.Close() // a failed write: the conn is broken, nothing is lost
		return
	}
	c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
}

// GoodFramedReply answers the same way, then reads the peer's requests to
// their end before it closes.
func GoodFramedReply(c FramedConn) { // want GoodFramedReply:"^conn p0 closes done:w returns done,closed uses reads writes drains$"
	buf := make([]byte, 64)
	if _, err := c.Read(buf); err != nil {
		return
	}
	w := c.Writer()
	w.WriteFrame([]byte("OK\n"))
	if err := w.Flush(); err != nil {
		c.Close() // a failed write: the conn is broken, nothing is lost
		return
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
	c.Close()
}

// GoodFramedQueue answers through the writer's Queue, a method that can
// fail: a writer's methods that can fail write, and the Close after its
// failure is on a broken conn. On success it reads the peer's requests to
// their end.
func GoodFramedQueue(c FramedConn) { // want GoodFramedQueue:"^conn p0 closes done:w returns done,closed uses reads writes drains$"
	buf := make([]byte, 64)
	if _, err := c.Read(buf); err != nil {
		return
	}
	w := c.Writer()
	if err := w.Queue([]byte("OK\n")); err != nil {
		c.Close() // a failed write: the conn is broken, nothing is lost
		return
	}
	if err := w.Flush(); err != nil {
		c.Close()
		return
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
	c.Close()
}
