package flags // want package:"hasConnFacts"

// Run twice: with the default flags, and with -halfclose=false
// -linger=false -drain=rstcases/flags.Slurp (see analyzer_test.go).

import (
	"fmt"
	"net"
)

// Slurp reads once: its author knows requests fit in one read, which the
// -drain flag lets them say.
func Slurp(c net.Conn) { // want Slurp:"conn"
	buf := make([]byte, 1<<16)
	c.Read(buf)
}

func HalfClose(c *net.TCPConn) { // want HalfClose:"conn"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `closed after CloseWrite without reading to EOF`
}

func Linger(c *net.TCPConn) { // want Linger:"conn"
	c.SetLinger(0)
	fmt.Fprintln(c, "bye")
	c.Close() // want `closed after SO_LINGER was set to 0`
}

func Slurped(c net.Conn) { // want Slurped:"conn"
	Slurp(c)
	fmt.Fprintln(c, "bye")
	c.Close() // want `closed with input possibly unread`
}
