package goroutine

// Package goroutine: conns handed to goroutines.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sync"
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

// echoAll echoes until the peer's EOF, then closes.
func echoAll(c net.Conn) {
	io.Copy(c, c)
	c.Close()
}

// BadRejectInAcceptLoop rejects conns right after Accept and serves the
// others in goroutines: the goroutine an earlier iteration started holds
// an earlier conn, not the one rejected now, so the reject is judged as
// one (here every conn the loop accepts is rejected).
func BadRejectInAcceptLoop(ln net.Listener) {
	for i := 0; i < 1; i++ {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if i%2 == 0 {
			c.Close() // want `the accepted conn is closed with input never read, nothing written: the peer gets RST, not EOF`
			continue
		}
		go echoAll(c)
	}
}

// GoodServeInAcceptLoop serves every conn in a goroutine, and waits for
// them.
//
//proof:eof
func GoodServeInAcceptLoop(ln net.Listener) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; i < 1; i++ {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			echoAll(c)
		}()
	}
}
