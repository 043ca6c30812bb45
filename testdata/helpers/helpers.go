package helpers // want package:"hasConnFacts"

// Helpers that only close, drain or half-close their parameter are
// understood where they are called.

import (
	"fmt"
	"io"
	"net"
	"time"
)

// hangUp only closes: it is judged at its call sites.
func hangUp(c net.Conn) { c.Close() }

// drain reads to EOF, bounded.
func drain(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// GracefulClose half-closes, drains and closes.
func GracefulClose(c net.Conn) { // want GracefulClose:"^conn p0 closes done:hc returns closed drains assumes=tcp$"
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	drain(c)
	c.Close()
}

// BadHangUp answers and hangs up through the helper.
func BadHangUp(c net.Conn) { // want BadHangUp:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	hangUp(c) // want `conn c is closed by helpers\.hangUp with input never read: RST may destroy our reply`
}

// GoodDrainThenHangUp drains first: the helper's Close is then clean.
func GoodDrainThenHangUp(c net.Conn) { // want GoodDrainThenHangUp:"^conn p0 closes done:w returns closed uses writes drains$"
	fmt.Fprintln(c, "bye")
	drain(c)
	hangUp(c)
}

// GoodGraceful uses the graceful helper.
func GoodGraceful(c net.Conn) { // want GoodGraceful:"^conn p0 closes done:w,done:w:hc returns closed uses writes drains$"
	fmt.Fprintln(c, "bye")
	GracefulClose(c)
}

// GoodDeferredGraceful defers the graceful helper.
func GoodDeferredGraceful(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer GracefulClose(c)
	fmt.Fprintln(c, "bye")
}

// BadDeferredHangUp defers the bare helper.
func BadDeferredHangUp(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer hangUp(c) // want `the accepted conn is closed by helpers\.hangUp with input never read: RST may destroy our reply`
	fmt.Fprintln(c, "bye")
}

// goClose closes in a goroutine of its own, as proxies do not to block.
func goClose(c net.Conn) { go c.Close() }

// BadGoClose answers and closes through goClose.
func BadGoClose(c net.Conn) { // want BadGoClose:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	goClose(c) // want `conn c is closed by helpers\.goClose with input never read: RST may destroy our reply`
}

// BadGoCloseDirect closes in a goroutine itself.
func BadGoCloseDirect(c net.Conn) { // want BadGoCloseDirect:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	go c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}
