package protocol // want package:"hasConnFacts"

// Only the socket's own failure ends the conversation. A close after the
// program rejected what the peer sent (a preface or magic that does not
// match, input sent before the answer it had to wait for, a password it
// refuses) is judged like any other: the rest of that peer's input is
// still queued. With nothing written it is reject-unread (the peer gets
// RST, not EOF; servers that must not reveal themselves to probes care);
// with an answer written, unread-close (the answer can be lost).

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Preface is what every client of this protocol sends first.
const Preface = "RSTP/1\r\n"

var prefaceBytes = []byte(Preface)

// BadPrefaceMismatch closes at once when the preface does not match: the
// rest of what that peer sent is still queued, and it gets RST.
//
//proof:send bad-preface
func BadPrefaceMismatch(c net.Conn) { // want BadPrefaceMismatch:"^conn p0 closes unread:rj,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	buf := make([]byte, len(Preface))
	if _, err := io.ReadFull(c, buf); err != nil {
		return
	}
	if string(buf) != Preface {
		return // a peer that does not speak the protocol, or a probe
	}
	io.Copy(c, c)
}

// BadPrefaceBytes is BadPrefaceMismatch with bytes.Equal and a package
// variable.
//
//proof:send bad-preface
func BadPrefaceBytes(c net.Conn) { // want BadPrefaceBytes:"^conn p0 closes unread:rj,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	buf := make([]byte, len(prefaceBytes))
	if _, err := io.ReadFull(c, buf); err != nil {
		return
	}
	if !bytes.Equal(buf, prefaceBytes) {
		return
	}
	io.Copy(c, c)
}

// GoodPrefaceMismatch reads what a peer with the wrong preface sent, to
// its EOF and bounded by a deadline, before it closes.
//
//proof:eof
//proof:send bad-preface
func GoodPrefaceMismatch(c net.Conn) { // want GoodPrefaceMismatch:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	buf := make([]byte, len(Preface))
	if _, err := io.ReadFull(c, buf); err != nil {
		return
	}
	if string(buf) != Preface {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c)
		return
	}
	io.Copy(c, c)
}

// BadAfterPreface passes the preface check, answers one request line and
// closes: the conforming peer's next request is still queued.
//
//proof:send preface-pipelined
func BadAfterPreface(c net.Conn) { // want BadAfterPreface:"^conn p0 closes unread:w,unread:rj,done returns closed uses reads writes$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply` `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	r := bufio.NewReader(c)
	buf := make([]byte, len(Preface))
	if _, err := io.ReadFull(r, buf); err != nil {
		return
	}
	if string(buf) != Preface {
		return
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(c, "ok %s", line)
}

// BadPassword closes when the password line is wrong: a conforming peer
// can send a wrong password, and its next lines are queued.
//
//proof:send pass-wrong
func BadPassword(c net.Conn) { // want BadPassword:"^conn p0 closes unread:w,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	if line != "PASS secret\r\n" {
		io.WriteString(c, "-ERR\r\n")
		return
	}
	io.Copy(c, r)
}

// BadEarlyData refuses a WebSocket-style upgrade whose client sent data
// before the 101, which the protocol forbids: that client's data is
// queued, and it gets RST.
//
//proof:send upgrade-early
func BadEarlyData(w http.ResponseWriter, r *http.Request) {
	c, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer c.Close() // want `the hijacked conn is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	if brw.Reader.Buffered() > 0 {
		return // a client that sent too early
	}
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: rstp\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(c, brw)
}

// GoodEarlyData serves a conforming upgrade until its EOF, and drains
// what an early sender sent before it closes.
//
//proof:eof
//proof:send upgrade
func GoodEarlyData(w http.ResponseWriter, r *http.Request) {
	c, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if brw.Reader.Buffered() > 0 {
		io.Copy(io.Discard, brw)
		return
	}
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: rstp\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	io.Copy(c, brw)
}

// BadBufferedAfterAnswer checks for buffered input only after it has
// answered: input then is what a conforming peer may pipeline, and
// closing on it resets the answer.
//
//proof:send http-body
func BadBufferedAfterAnswer(w http.ResponseWriter, r *http.Request) {
	c, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye")
	brw.Flush()
	if brw.Reader.Buffered() > 0 {
		c.Close() // want `conn hijacked at protocol\.go:\d+ is closed after rejecting its input: RST may destroy our reply`
		return
	}
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, brw)
	c.Close()
}
