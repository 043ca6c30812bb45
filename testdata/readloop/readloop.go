package readloop // want package:"hasConnFacts"
// Package readloop: read loops that end at EOF and loops that stop early.

import (
	"bytes"
	"net"
)

// GoodLoop reads until Read fails: the only exit is the error edge.
//
//proof:eof
func GoodLoop(c net.Conn) { // want GoodLoop:"^conn p0 closes done,done:w returns closed uses reads writes$"
	buf := make([]byte, 512)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			c.Write(buf[:n])
		}
		if err != nil {
			break
		}
	}
	c.Close()
}

// BadLoop stops at a terminator and closes with the rest unread.
//
//proof:send big
func BadLoop(c net.Conn) { // want BadLoop:"^conn p0 closes unread,done returns closed uses reads$"
	buf := make([]byte, 512)
	for {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		if bytes.Contains(buf[:n], []byte("END")) {
			break
		}
	}
	c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
}

// GoodLoopErrVar keeps the error in a variable that the loop tests.
//
//proof:eof
func GoodLoopErrVar(c net.Conn) { // want GoodLoopErrVar:"^conn p0 closes done returns closed uses reads$"
	buf := make([]byte, 512)
	var err error
	for err == nil {
		_, err = c.Read(buf)
	}
	c.Close()
}

// GoodZeroRead stops when Read returns 0 bytes (EOF) or fails.
//
//proof:eof
func GoodZeroRead(c net.Conn) { // want GoodZeroRead:"^conn p0 closes done returns closed uses reads$"
	buf := make([]byte, 512)
	for {
		n, _ := c.Read(buf)
		if n <= 0 {
			break
		}
	}
	c.Close()
}
