package tty

// Helpers whose parameter is a socket for some callers and stdio for
// others: they cannot judge their own Closes, and the callers that hand
// them a socket do.

import (
	"fmt"
	"io"
	"net"
	"os"
)

// stdio is the terminal as a stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }

// greet says hello and reads the rest when open; otherwise it hangs up.
func greet(rwc io.ReadWriteCloser, open bool) {
	defer rwc.Close() // want "the accepted conn is closed with input never read, nothing written: the peer gets RST, not EOF"
	if !open {
		return
	}
	fmt.Fprintln(rwc, "hello")
	io.Copy(io.Discard, rwc)
}

// greetDrained reads what the peer sent before it hangs up, open or not.
func greetDrained(rwc io.ReadWriteCloser, open bool) {
	defer rwc.Close()
	if open {
		fmt.Fprintln(rwc, "hello")
	}
	io.Copy(io.Discard, rwc)
}

// Console runs the helpers on the terminal: their parameter is not always
// a socket.
//
//proof:skip runs on stdio, which no kernel verdict describes
func Console(open bool) {
	greet(stdio{os.Stdin, os.Stdout}, open)
	greetDrained(stdio{os.Stdin, os.Stdout}, open)
}

// BadGoClosed hands a client it will not serve to the helper, which hangs
// up without reading its request.
//
//proof:skip the runner closes a conn its handler returns without closing, racing the goroutine: BadCallClosed runs the same helper in place
func BadGoClosed(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	go greet(c, false)
}

// GoodGoClosed hands it to the helper that reads the request first.
//
//proof:skip the runner closes a conn its handler returns without closing, racing the goroutine: GoodCallClosed runs the same helper in place
func GoodGoClosed(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	go greetDrained(c, false)
}

// BadCallClosed calls the helper in place.
func BadCallClosed(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	greet(c, false) // want "the conn is closed by tty.greet with input never read, nothing written: the peer gets RST, not EOF"
}

// GoodCallClosed calls the draining helper in place.
//
//proof:eof
func GoodCallClosed(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	greetDrained(c, false)
}
