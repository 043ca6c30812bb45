package flagsoff // want package:"hasConnFacts"

// Run twice: with the default flags, and with -halfclose=false
// -linger=false -reject=false -drain=rstcases/flagsoff.Slurp (see analyzer_test.go).

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
	c.Close()
}

func Linger(c *net.TCPConn) { // want Linger:"conn"
	c.SetLinger(0)
	fmt.Fprintln(c, "bye")
	c.Close()
}

func Slurped(c net.Conn) { // want Slurped:"conn"
	Slurp(c)
	fmt.Fprintln(c, "bye")
	c.Close()
}

// Rejected reads a byte and closes before writing anything.
func Rejected(c net.Conn) { // want Rejected:"conn"
	c.Read(make([]byte, 1))
	c.Close()
}
