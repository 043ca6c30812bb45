package flags // want package:"hasConnFacts"

// Run twice: with the default flags, and with -halfclose=false
// -linger=false -reject=false -drain=rstcases/flags.Slurp (see analyzer_test.go).

import (
	"fmt"
	"net"
)

// Slurp reads once: its author knows requests fit in one read, which the
// -drain flag lets them say.
//
//proof:skip flag cases: the same code as other rows, under other flags
func Slurp(c net.Conn) { // want Slurp:"^conn p0 returns unread uses reads$"
	buf := make([]byte, 1<<16)
	c.Read(buf)
}

//proof:skip flag cases: the same code as other rows, under other flags
func HalfClose(c *net.TCPConn) { // want HalfClose:"^conn p0 closes unread:w:hc returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	c.Close() // want `conn c is closed after CloseWrite with input unread: RST drops what is unsent`
}

//proof:skip flag cases: the same code as other rows, under other flags
func Linger(c *net.TCPConn) { // want Linger:"^conn p0 closes unread:w:l0 returns closed uses writes$"
	c.SetLinger(0)
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn c is closed after SetLinger\(0\): RST drops what is not yet sent`
}

//proof:skip flag cases: the same code as other rows, under other flags
func Slurped(c net.Conn) { // want Slurped:"^conn p0 closes unread:w returns closed uses reads writes$"
	Slurp(c)
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
}

// Rejected reads a byte and closes before writing anything.
//
//proof:skip flag cases: the same code as other rows, under other flags
func Rejected(c net.Conn) { // want Rejected:"^conn p0 closes unread returns closed uses reads$"
	c.Read(make([]byte, 1))
	c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
}
