package connutil // want package:"hasConnFacts"

// Helpers used from another package: what they do reaches their callers
// as facts.

import (
	"bufio"
	"io"
	"net"
	"time"
)

// HangUp only closes.
//
//proof:skip helpers of another package, run through app.Bad and app.Good
func HangUp(c net.Conn) error { return c.Close() } // want HangUp:"^conn p0 closes unread returns closed errdone$"

// Drain reads to EOF with a deadline.
//
//proof:skip helpers of another package, run through app.Bad and app.Good
func Drain(c net.Conn) { // want Drain:"^conn p0 returns done drains$"
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// Keep stores the conn.
var kept []net.Conn

//proof:skip helpers of another package, run through app.Bad and app.Good
func Keep(c net.Conn) { kept = append(kept, c) }

// TryLinger sets SO_LINGER to secs when the conn has the option: a
// constant 0 at the call is SetLinger(0).
//
//proof:skip helpers of another package, run through app.Bad and app.Good
func TryLinger(c net.Conn, secs int) error { // want TryLinger:"^conn p0 returns unread errdone errread linger=p1$"
	if l, ok := c.(interface{ SetLinger(int) error }); ok {
		return l.SetLinger(secs)
	}
	return nil
}

// Hello reads the peer's greeting line and returns the reader to go on
// with: a view of c, which its caller still owns.
//
//proof:skip helpers of another package, run through app.BadHello and app.GoodHello
func Hello(c net.Conn) (*bufio.Reader, error) { // want Hello:"^conn p0 returns unread,done uses reads errdone errread$" Hello:"^views r0=p0 reader$"
	br := bufio.NewReader(c)
	if _, err := br.ReadString('\n'); err != nil {
		return nil, err
	}
	return br, nil
}
