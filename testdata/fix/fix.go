package fix // want package:"hasConnFacts"

// The suggested fix turns each bare Close into the graceful close.

import (
	"bufio"
	"fmt"
	"net"
)

func Interface(c net.Conn) { // want Interface:"^conn p0 closes .+ returns closed uses writes"
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

func Deferred(c *net.TCPConn) { // want Deferred:"^conn p0 closes .+ returns closed uses writes"
	defer c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
	fmt.Fprintln(c, "bye")
}

func HalfClosed(c *net.TCPConn) { // want HalfClosed:"^conn p0 closes .+ returns closed uses writes"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `conn c is closed after CloseWrite with input unread: RST drops what is unsent`
}

func Dialed(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(c, "HELO")
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		c.Close()
		return err
	}
	fmt.Fprintln(c, "QUIT")
	c.Close() // want `conn dialed at fix\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return nil
}
