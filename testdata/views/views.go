package views // want package:"hasConnFacts"

// Helpers that hand the conn back: a handshake that returns the reader it
// read the greeting with, a peek that returns a reader replaying what it
// read. They hand nothing on: their caller still owns the conn, and
// reading their result reads it (a must-call alias).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// greet reads the peer's first line and returns the reader the caller
// goes on reading with.
func greet(c net.Conn) (*bufio.Reader, error) {
	br := bufio.NewReader(c)
	if _, err := br.ReadString('\n'); err != nil {
		return nil, err
	}
	return br, nil
}

// BadGreetReply reads the greeting and one request through the helper's
// reader, answers and hangs up on the rest.
func BadGreetReply(c net.Conn) { // want BadGreetReply:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	defer c.Close() // want "conn c is closed with input read in part: RST may destroy our reply"
	br, err := greet(c)
	if err != nil {
		return
	}
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(c, "got %s", line)
}

// GoodGreetReply answers, half-closes and reads the rest through the
// helper's reader before it closes.
//
//proof:eof
func GoodGreetReply(c net.Conn) { // want GoodGreetReply:"^conn p0 closes done,done:w:hc returns closed uses reads writes drains assumes=tcp$"
	defer c.Close()
	br, err := greet(c)
	if err != nil {
		return
	}
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(c, "got %s", line)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, br)
}

// errMagic: the peer's first bytes are not ours.
var errMagic = errors.New("bad magic")

// peek reads the peer's magic and returns a reader that replays it and
// then reads on, as a protocol sniffer does.
func peek(r io.Reader) (io.Reader, string, error) {
	head := make([]byte, 4)
	if _, err := io.ReadFull(r, head); err != nil {
		return r, "", err
	}
	return io.MultiReader(bytes.NewReader(head), r), string(head), nil
}

// BadPeekReject refuses a peer whose magic is wrong, with its request
// still queued; it echoes a peer whose magic is right until its EOF.
//
//proof:send bad-magic
func BadPeekReject(c net.Conn) { // want BadPeekReject:"^conn p0 closes unread,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want "conn c is closed with input read in part, nothing written: the peer gets RST, not EOF"
	r, magic, err := peek(c)
	if err != nil {
		return
	}
	if magic != "RST1" {
		return
	}
	io.Copy(c, r) // echo until the peer's EOF
}

// GoodPeekReject drains what the refused peer sent, through the replaying
// reader, before it closes.
//
//proof:send bad-magic
func GoodPeekReject(c net.Conn) { // want GoodPeekReject:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	r, magic, err := peek(c)
	if err != nil {
		return
	}
	if magic != "RST1" {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, r)
		return
	}
	io.Copy(c, r) // echo until the peer's EOF
}

// xorReader undoes the peer's obfuscation as it reads: a reader type of
// the program's own over the conn, as a decrypting reader is.
type xorReader struct {
	r   io.Reader
	key byte
}

func (x *xorReader) Read(p []byte) (int, error) { // want Read:"^conn p0[.]r returns unread uses reads errdone errread$"
	n, err := x.r.Read(p)
	for i := range p[:n] {
		p[i] ^= x.key
	}
	return n, err
}

func newXorReader(r io.Reader, key byte) io.Reader { return &xorReader{r: r, key: key} }

// BadXorReject reads the header through its own reader type and hangs up
// on a bad one, with the rest queued; it echoes a good one to its EOF.
//
//proof:send bad-magic
func BadXorReject(c net.Conn) { // want BadXorReject:"^conn p0 closes unread:rj,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want "conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF"
	r := newXorReader(c, 0)
	head := make([]byte, 4)
	if _, err := io.ReadFull(r, head); err != nil {
		return
	}
	if string(head) != "RST1" {
		return
	}
	io.Copy(c, r)
}

// GoodXorReject drains a refused peer through the same reader before it
// closes.
//
//proof:send bad-magic
func GoodXorReject(c net.Conn) { // want GoodXorReject:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	r := newXorReader(c, 0)
	head := make([]byte, 4)
	if _, err := io.ReadFull(r, head); err != nil {
		return
	}
	if string(head) != "RST1" {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, r)
		return
	}
	io.Copy(c, r)
}

// session keeps the conn and the reader its requests are read with.
type session struct {
	conn net.Conn
	br   *bufio.Reader
}

// reader is an accessor: it hands the session's reader back, not on.
func (s *session) reader() *bufio.Reader { return s.br }

// reply reads a request through the accessor, answers and hangs up.
func (s *session) reply() {
	line, err := s.reader().ReadString('\n')
	if err != nil {
		s.conn.Close()
		return
	}
	fmt.Fprintf(s.conn, "got %s", line)
	s.conn.Close() // want "conn s.conn \\(a field of views.session\\) is closed with input read in part: RST may destroy our reply"
}

// replyDrained answers, half-closes and reads the rest through the
// accessor before it hangs up.
func (s *session) replyDrained() {
	line, err := s.reader().ReadString('\n')
	if err != nil {
		s.conn.Close()
		return
	}
	fmt.Fprintf(s.conn, "got %s", line)
	if tc, ok := s.conn.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, s.reader())
	s.conn.Close()
}

// BadAccessorReply serves one request through a session whose reader an
// accessor hands out.
func BadAccessorReply(c net.Conn) { (&session{conn: c, br: bufio.NewReader(c)}).reply() }

// GoodAccessorReply serves it and drains through the accessor.
//
//proof:eof
func GoodAccessorReply(c net.Conn) { (&session{conn: c, br: bufio.NewReader(c)}).replyDrained() }

// bufConn is a conn wrapper that reads through the bufio.Reader it keeps
// beside the conn, and hands that reader out through a getter.
type bufConn struct {
	r *bufio.Reader
	net.Conn
}

func newBufConn(c net.Conn) *bufConn { return &bufConn{bufio.NewReader(c), c} }

// Reader is the wrapper's getter: it reads nothing, it hands back the
// reader its reads go through.
func (c *bufConn) Reader() *bufio.Reader { return c.r } // want Reader:"^views r0=p0[.]Conn reader$"

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) } // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"

// BadWrapperReader reads a request through the wrapper's reader, answers
// and hangs up on the rest.
func BadWrapperReader(c net.Conn) { // want BadWrapperReader:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	bc := newBufConn(c)
	defer bc.Close() // want "conn c is closed with input read in part: RST may destroy our reply"
	line, err := bc.Reader().ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(bc, "got %s", line)
}

// GoodWrapperReader answers, half-closes and drains through the
// wrapper's reader before it closes.
//
//proof:eof
func GoodWrapperReader(c net.Conn) { // want GoodWrapperReader:"^conn p0 closes done,done:w:hc returns closed uses reads writes drains assumes=tcp$"
	bc := newBufConn(c)
	defer bc.Close()
	line, err := bc.Reader().ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(bc, "got %s", line)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, bc.Reader())
}
