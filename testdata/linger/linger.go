package linger // want package:"hasConnFacts"

// SetLinger(0) makes every Close an RST.

import (
	"fmt"
	"io"
	"net"

	"rstcases/crosspkg/connutil"
)

// BadLingerZero avoids TIME_WAIT at the peer's expense.
//
//proof:eof
func BadLingerZero(c *net.TCPConn) { // want BadLingerZero:"^conn p0 closes done:w:l0 returns closed uses writes drains$"
	c.SetLinger(0)
	io.Copy(c, c)
	c.Close() // want `conn c is closed after SetLinger\(0\): RST drops what is not yet sent`
}

// GoodLingerPositive: a positive linger changes nothing once drained.
//
//proof:eof
func GoodLingerPositive(c *net.TCPConn) { // want GoodLingerPositive:"^conn p0 closes done:w returns closed uses writes drains$"
	c.SetLinger(5)
	io.Copy(c, c)
	c.Close()
}

// GoodLingerRestored: -1 restores the default before the close.
//
//proof:eof
func GoodLingerRestored(c *net.TCPConn) { // want GoodLingerRestored:"^conn p0 closes done:w returns closed uses writes drains$"
	c.SetLinger(0)
	io.Copy(c, c)
	c.SetLinger(-1)
	c.Close()
}

// BadDialLinger sets linger 0 through an assertion on a dialed conn.
func BadDialLinger(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.(*net.TCPConn).SetLinger(0)
	fmt.Fprintln(c, "PING")
	buf := make([]byte, 64)
	c.Read(buf)
	return c.Close() // want `conn dialed at linger\.go:\d+ is closed after SetLinger\(0\): RST drops what is not yet sent`
}

// IgnoredLinger is deliberate, and says so.
//
//proof:skip suppressed on purpose: the RST is wanted
func IgnoredLinger(c *net.TCPConn) { // want IgnoredLinger:"^conn p0 closes done:w:l0 returns closed uses writes drains$"
	c.SetLinger(0)
	io.Copy(c, c)
	//rstlint:ignore a load balancer health check: RST is wanted here
	c.Close()
}

// BadLingerHelper sets linger 0 through another package's helper.
//
//proof:eof
func BadLingerHelper(c *net.TCPConn) { // want BadLingerHelper:"^conn p0 closes done:w:l0 returns closed uses writes drains$"
	connutil.TryLinger(c, 0)
	io.Copy(c, c)
	c.Close() // want `conn c is closed after SetLinger\(0\): RST drops what is not yet sent`
}

// GoodLingerHelperPositive gives the helper a positive linger.
//
//proof:eof
func GoodLingerHelperPositive(c *net.TCPConn) { // want GoodLingerHelperPositive:"^conn p0 closes done:w returns closed uses writes drains$"
	connutil.TryLinger(c, 5)
	io.Copy(c, c)
	c.Close()
}

// BadLingerLeaves hands its callers a conn with linger 0: every Close of
// it, wherever it is, resets.
//
//proof:eof
func BadLingerLeaves(ln net.Listener) (net.Conn, error) { // want BadLingerLeaves:"^origin accepted$"
	c, err := ln.Accept()
	if err != nil {
		return nil, err
	}
	connutil.TryLinger(c, 0) // want `conn accepted at linger\.go:\d+ leaves BadLingerLeaves with SetLinger\(0\): every Close of it sends RST`
	return c, nil
}

// echoAll echoes until EOF, then closes.
func echoAll(c net.Conn, done chan struct{}) {
	defer close(done)
	io.Copy(c, c)
	c.Close()
}

// BadLingerGo sets linger 0 and hands the conn to a goroutine.
//
//proof:eof
//proof:raw
func BadLingerGo(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	c.(*net.TCPConn).SetLinger(0) // want `conn accepted at linger\.go:\d+ leaves BadLingerGo with SetLinger\(0\): every Close of it sends RST`
	done := make(chan struct{})
	go echoAll(c, done)
	<-done
}

// GoodLingerGo hands the conn to the goroutine with the default linger.
//
//proof:eof
func GoodLingerGo(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go echoAll(c, done)
	<-done
}

// echoWhenReady waits until it may start, then echoes until EOF and
// closes.
func echoWhenReady(c net.Conn, ready, done chan struct{}) {
	defer close(done)
	<-ready
	io.Copy(c, c)
	c.Close()
}

// BadLingerAfterGo hands the conn to a goroutine, then sets linger 0: the
// goroutine's Close resets all the same.
//
//proof:eof
//proof:raw
func BadLingerAfterGo(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	ready, done := make(chan struct{}), make(chan struct{})
	go echoWhenReady(c, ready, done)
	c.(*net.TCPConn).SetLinger(0) // want `the accepted conn leaves BadLingerAfterGo with SetLinger\(0\): every Close of it sends RST`
	close(ready)
	<-done
}

// GoodLingerAfterGo sets a positive linger after handing the conn on: a
// Close after the drain sends FIN.
//
//proof:eof
//proof:raw
func GoodLingerAfterGo(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	ready, done := make(chan struct{}), make(chan struct{})
	go echoWhenReady(c, ready, done)
	c.(*net.TCPConn).SetLinger(5)
	close(ready)
	<-done
}

// dialLinger dials on its caller's network, which may be UDP, and sets
// linger 0 on what it dialed: only a TCP conn has a linger, so whatever the
// caller passes, every Close of the conn resets.
func dialLinger(network, addr string) (c net.Conn, err error) {
	defer func() { // want `conn dialed at linger\.go:\d+ leaves dialLinger with SetLinger\(0\): every Close of it sends RST`
		if err == nil {
			c.(*net.TCPConn).SetLinger(0)
		}
	}()
	c, err = net.Dial(network, addr)
	if err != nil {
		c, err = net.Dial(network, addr)
	}
	return c, err
}

// BadLingerCallerNetwork says goodbye on a conn from dialLinger and closes.
//
//proof:eof
func BadLingerCallerNetwork(addr string) error {
	c, err := dialLinger("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(c, "bye\n")
	return c.Close()
}
