package usegraceful // want package:"hasConnFacts"

// The graceful package's Close is understood through its fact.

import (
	"fmt"
	"net"
	"time"

	"github.com/rstlint/rstlint/graceful"
)

func Good(c net.Conn) { // want Good:"^conn p0 closes done:w:hc returns closed uses writes drains$"
	fmt.Fprintln(c, "bye")
	graceful.Close(c, time.Second)
}

func GoodDeferred(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer graceful.Close(c, time.Second)
	fmt.Fprintln(c, "hi")
}

func Bad(c net.Conn) { // want Bad:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}
