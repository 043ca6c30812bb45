package escape // want package:"hasConnFacts"

// Connections that leave the function: nothing is said about them here.

import (
	"io"
	"net"
	"sync"
)

var (
	mu    sync.Mutex
	conns = map[net.Conn]bool{}
	last  net.Conn
)

type session struct{ conn net.Conn }

// Returned: the caller owns it.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Returned(ln net.Listener) (net.Conn, error) { // want Returned:"^origin accepted$"
	c, err := ln.Accept()
	if err != nil {
		return nil, err
	}
	io.WriteString(c, "hi\n")
	return c, nil
}

// Stored in a map; closed on the way out anyway, but someone else may
// also hold it.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Registered(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	mu.Lock()
	conns[c] = true
	mu.Unlock()
	io.WriteString(c, "hi\n")
	c.Close()
}

// Stored in a global.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Global(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	last = c
	c.Close()
}

// Stored in a struct field.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Field(ln net.Listener) *session {
	c, err := ln.Accept()
	if err != nil {
		return nil
	}
	s := &session{conn: c}
	c.Close()
	return s
}

// Sent on a channel.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Sent(ln net.Listener, ch chan net.Conn) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	ch <- c
	c.Close()
}

// Given to a function value we cannot see.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Handed(ln net.Listener, handle func(net.Conn)) { // want Handed:"handler p0 of p1 closed by escape.Handed" Handed:"accepts from p0 into p0 of p1"
	c, err := ln.Accept()
	if err != nil {
		return
	}
	handle(c)
	c.Close()
}

// Given to an unknown interface method.
type handler interface{ Serve(net.Conn) }

//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Interface(ln net.Listener, h handler) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	h.Serve(c)
}

// Captured by a closure that outlives the call.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Later(ln net.Listener) func() {
	c, err := ln.Accept()
	if err != nil {
		return nil
	}
	return func() { c.Close() }
}

// notAConn may be given a file or a pipe: writing and closing it is no
// connection handling, so the function is not judged as an owner.
func notAConn(w io.WriteCloser) {
	io.WriteString(w, "data")
	w.Close()
}

// Shared hands one conn to two goroutines: one may close while the other
// still reads to EOF, so neither is judged alone.
//
//proof:skip the conn leaves the function: rstlint is silent by design, whatever the kernel does
func Shared(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		io.Copy(io.Discard, c)
		done <- struct{}{}
	}()
	go func() {
		io.WriteString(c, "hi\n")
		c.Close()
		done <- struct{}{}
	}()
	<-done
	<-done
}
