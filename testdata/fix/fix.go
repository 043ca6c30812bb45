package fix // want package:"hasConnFacts"

// The suggested fix turns each bare Close into the graceful close.

import (
	"fmt"
	"net"
)

func Interface(c net.Conn) { // want Interface:"conn"
	fmt.Fprintln(c, "bye")
	c.Close() // want `closed with input possibly unread`
}

func Deferred(c *net.TCPConn) { // want Deferred:"conn"
	defer c.Close() // want `closed with input possibly unread`
	fmt.Fprintln(c, "bye")
}

func HalfClosed(c *net.TCPConn) { // want HalfClosed:"conn"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `closed after CloseWrite without reading to EOF`
}

func Dialed(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(c, "QUIT")
	c.Close() // want `closed with the peer's reply possibly unread`
	return nil
}
