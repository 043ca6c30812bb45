package goroutine

// Package goroutine: conns handed to goroutines.

import (
	"bufio"
	"fmt"
	"io"
	"net"
)

// BadServe hands each conn to a goroutine literal that answers one line.
func BadServe(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.Close() // want `conn accepted at goroutine\.go:\d+ is closed with input read in part: RST may destroy our reply`
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Fprint(c, line)
	}()
	<-done
}

// GoodServe's goroutine echoes until EOF.
//
//proof:eof
func GoodServe(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.Close()
		io.Copy(c, c)
	}()
	<-done
}

// GoodServeDrainedBefore drains before the go statement: the goroutine
// starts from that state.
//
//proof:eof
func GoodServeDrainedBefore(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	data, _ := io.ReadAll(c)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Write(data)
		c.Close()
	}()
	<-done
}

// handle owns its conn: it is checked itself.
func handle(c net.Conn, done chan struct{}) {
	defer close(done)
	defer c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
	fmt.Fprintln(c, "hello")
}

// BadGoNamed starts a named handler.
func BadGoNamed(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go handle(c, done)
	<-done
}
