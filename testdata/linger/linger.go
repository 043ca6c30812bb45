package linger // want package:"hasConnFacts"

// SetLinger(0) makes every Close an RST.

import (
	"fmt"
	"io"
	"net"
)

// BadLingerZero avoids TIME_WAIT at the peer's expense.
func BadLingerZero(c *net.TCPConn) { // want BadLingerZero:"conn"
	c.SetLinger(0)
	io.Copy(c, c)
	c.Close() // want `conn c \(parameter of BadLingerZero\) is closed after SetLinger\(0\): Linux sends RST and drops what we have not sent`
}

// GoodLingerPositive: a positive linger changes nothing once drained.
func GoodLingerPositive(c *net.TCPConn) { // want GoodLingerPositive:"conn"
	c.SetLinger(5)
	io.Copy(c, c)
	c.Close()
}

// GoodLingerRestored: -1 restores the default before the close.
func GoodLingerRestored(c *net.TCPConn) { // want GoodLingerRestored:"conn"
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
	return c.Close() // want `conn dialed at linger\.go:\d+ is closed after SetLinger\(0\): Linux sends RST and drops what we have not sent`
}

// IgnoredLinger is deliberate, and says so.
func IgnoredLinger(c *net.TCPConn) { // want IgnoredLinger:"conn"
	c.SetLinger(0)
	io.Copy(c, c)
	//rstlint:ignore a load balancer health check: RST is wanted here
	c.Close()
}
