package realworld // want package:"hasConnFacts"

// Shapes met in public Go network projects (docs/evaluation.md), in our
// own words: the true findings stay reported, the false alarms are clean.

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// readFrame reads one length-prefixed frame; its errors are read errors.
func readFrame(r io.Reader) ([]byte, error) {
	var n uint16
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

// GoodFrameLoop serves frames until a read fails: the helper's error is
// a failed read, so the deferred Close is clean.
//
//proof:eof
//proof:send frames16
func GoodFrameLoop(c net.Conn) { // want GoodFrameLoop:"^conn p0 closes done,done:w returns closed uses reads writes$"
	defer c.Close()
	for {
		msg, err := readFrame(c)
		if err != nil {
			return
		}
		c.Write(msg)
	}
}

// GoodKeepAliveError closes only when SetKeepAlive fails, which happens
// only on a broken socket.
//
//proof:skip SetKeepAlive fails only on a broken socket, which a peer cannot arrange
func GoodKeepAliveError(ln net.Listener) (net.Conn, error) { // want GoodKeepAliveError:"^origin accepted$"
	c, err := ln.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		if err := tc.SetKeepAlive(true); err != nil {
			tc.Close()
			return nil, err
		}
		if err := tc.SetKeepAlivePeriod(time.Minute); err != nil {
			tc.Close()
			return nil, err
		}
	}
	return c, nil
}

// allowed is an access check: no loopback clients.
func allowed(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && !ta.IP.IsLoopback()
}

// BadReject drops a client that is not allowed, right after Accept: the
// client's first bytes may be queued.
func BadReject(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		if !allowed(c.RemoteAddr()) {
			c.Close() // want `the accepted conn is closed with input never read, nothing written: the peer gets RST, not EOF`
			continue
		}
		go io.Copy(c, c)
	}
}

// BadTooMany answers 429 without reading the request, then closes.
func BadTooMany(c net.Conn) { // want BadTooMany:"^conn p0 closes unread:w returns closed uses writes$"
	io.WriteString(c, "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

// BadConnectRefused answers a CONNECT it cannot serve and closes the
// hijacked conn, whose tunnelled bytes may already be queued.
//
//proof:send connect-tunnel
func BadConnectRefused(w http.ResponseWriter, r *http.Request) {
	c, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	up, err := net.Dial("tcp", r.Host)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		c.Close() // want `conn hijacked at realworld\.go:\d+ is closed with input never read: RST may destroy our reply`
		return
	}
	go io.Copy(up, c)
	io.Copy(c, up)
}

// BadFixedHeader reads a fixed-size header and closes with the payload
// that follows still queued.
func BadFixedHeader(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close() // want `the accepted conn is closed with input read in part, nothing written: the peer gets RST, not EOF`
	hdr := make([]byte, 16)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return
	}
}

// readStrictFrame also rejects a bad length: only a peer that breaks the
// framing gets that error.
func readStrictFrame(r io.Reader) ([]byte, error) {
	var n int64
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, err
	}
	if n < 0 || n > 1<<20 {
		return nil, errors.New("invalid length")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// BadStrictFrameLoop is left when the frame reader fails: at the peer's
// EOF, or on a length it rejects, after which the rest of that peer's
// input is queued: its Close resets, and the answers before may be lost.
//
//proof:send bad-length
func BadStrictFrameLoop(c net.Conn) { // want BadStrictFrameLoop:"^conn p0 closes unread:rj,unread:w:rj,done,done:w returns closed uses reads writes$"
	defer c.Close() // want `conn c is closed after rejecting its input: RST may destroy our reply` `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	for {
		msg, err := readStrictFrame(c)
		if err != nil {
			return
		}
		c.Write(msg)
	}
}

// GoodStrictFrameLoop drains a peer whose frame it rejects before it
// closes; a peer that follows the framing is served to its EOF.
//
//proof:eof
//proof:send bad-length
func GoodStrictFrameLoop(c net.Conn) { // want GoodStrictFrameLoop:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	for {
		msg, err := readStrictFrame(c)
		if err == io.EOF {
			return
		}
		if err != nil {
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			io.Copy(io.Discard, c)
			return
		}
		c.Write(msg)
	}
}

// Relay closes a datagram socket in a goroutine: no RST exists.
//
//proof:skip a datagram socket
func Relay(pc net.PacketConn) {
	go func() { pc.Close() }()
}
