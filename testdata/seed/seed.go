// Package seed is the original bug: a server accepts, does its work and
// closes without reading what the client sent.
package seed

import (
	"io"
	"net"
	"time"
)

// Bad accepts one connection, answers without reading the request, and
// closes: the request is still queued, so Close sends RST.
func Bad(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	c.Write([]byte("hello\n"))
	c.Close() // want `conn accepted at seed\.go:\d+ is closed with input never read: RST may destroy our reply`
}

// Good half-closes, drains what the client sent (bounded), then closes.
//
//proof:raw
func Good(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	c.Write([]byte("hello\n"))
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	c.Close()
}

// BadTCP is the same bug with AcceptTCP and a deferred Close.
//
//proof:skip needs a *net.TCPListener (seed.Bad runs the same close)
func BadTCP(ln *net.TCPListener) {
	c, err := ln.AcceptTCP()
	if err != nil {
		return
	}
	defer c.Close() // want `conn accepted at seed\.go:\d+ is closed with input never read: RST may destroy our reply`
	c.Write([]byte("hello\n"))
}

// GoodReadAll reads the whole request before closing.
//
//proof:eof
func GoodReadAll(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	data, _ := io.ReadAll(c)
	c.Write(data)
}
