package defers // want package:"hasConnFacts"
// Package defers: Closes in deferred calls and deferred closures.

import (
	"fmt"
	"io"
	"net"
	"time"
)

// BadDeferredClosure closes in a deferred func literal.
func BadDeferredClosure(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer func() {
		c.Close() // want `conn accepted at defers\.go:\d+ is closed with input never read: RST may destroy our reply`
	}()
	fmt.Fprintln(c, "hi")
}

// GoodDeferredGraceful does the whole graceful close in the deferred literal.
//
//proof:raw
func GoodDeferredGraceful(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer func() {
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, io.LimitReader(c, 1<<20))
		c.Close()
	}()
	fmt.Fprintln(c, "hi")
}

// BadEarlyReturn: the deferred Close runs on the early return too.
func BadEarlyReturn(c net.Conn, fail bool) { // want BadEarlyReturn:"^conn p0 closes unread:w,done returns closed uses writes drains$"
	defer c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
	if fail {
		fmt.Fprintln(c, "no")
		return
	}
	io.Copy(io.Discard, c)
}

// GoodExplicitThenDeferred closes explicitly after draining; the deferred
// Close is then a no-op.
//
//proof:eof
func GoodExplicitThenDeferred(c net.Conn) { // want GoodExplicitThenDeferred:"^conn p0 closes done:w,closed returns closed uses writes drains$"
	defer c.Close()
	fmt.Fprintln(c, "hi")
	io.Copy(io.Discard, c)
	c.Close()
}

// GoodDeferAfterDrain: the only Close runs after the drain.
//
//proof:eof
func GoodDeferAfterDrain(c net.Conn) { // want GoodDeferAfterDrain:"^conn p0 closes done returns closed uses reads drains$"
	defer c.Close()
	buf := make([]byte, 1)
	c.Read(buf)
	io.Copy(io.Discard, c)
}

// GoodFailedAccept: the deferred Close is only reached for a real conn.
//
//proof:eof
func GoodFailedAccept(ln net.Listener) error {
	c, err := ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = io.Copy(c, c)
	return err
}
