package protocol // want package:"hasConnFacts"

// Closes that only a peer breaking the protocol reaches are not judged:
// a preface read in full that does not match, input sent before the
// answer it must wait for. A check that a conforming peer can fail (a
// password, a command) stays judged, and so does a Close after the check
// passed.

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

// GoodPreface closes at once when the preface does not match: only a peer
// that does not speak the protocol gets there. A conforming peer is served
// until its EOF.
//
//proof:eof
//proof:send preface
func GoodPreface(c net.Conn) { // want GoodPreface:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	buf := make([]byte, len(Preface))
	if _, err := io.ReadFull(c, buf); err != nil {
		return
	}
	if string(buf) != Preface {
		return // a broken peer: not judged
	}
	io.Copy(c, c)
}

// GoodPrefaceBytes is GoodPreface with bytes.Equal and a package variable.
//
//proof:eof
//proof:send preface
func GoodPrefaceBytes(c net.Conn) { // want GoodPrefaceBytes:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	buf := make([]byte, len(prefaceBytes))
	if _, err := io.ReadFull(c, buf); err != nil {
		return
	}
	if !bytes.Equal(buf, prefaceBytes) {
		return
	}
	io.Copy(c, c)
}

// BadAfterPreface passes the preface check, answers one request line and
// closes: the conforming peer's next request is still queued.
//
//proof:send preface-pipelined
func BadAfterPreface(c net.Conn) { // want BadAfterPreface:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
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

// GoodEarlyData refuses a WebSocket-style upgrade whose client sent data
// before the 101, which the protocol forbids; a conforming client waits,
// and is served until its EOF.
//
//proof:eof
//proof:send upgrade
func GoodEarlyData(w http.ResponseWriter, r *http.Request) {
	c, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer c.Close()
	if brw.Reader.Buffered() > 0 {
		return // a broken peer: not judged
	}
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: rstp\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
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
		c.Close() // want `conn hijacked at protocol\.go:\d+ is closed with input never read: RST may destroy our reply`
		return
	}
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, brw)
	c.Close()
}
