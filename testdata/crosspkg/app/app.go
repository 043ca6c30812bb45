package app

import (
	"fmt"
	"net"

	"rstcases/crosspkg/connutil"
)

// Bad hangs up through another package's helper.
func Bad(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	connutil.HangUp(c) // want `the accepted conn is closed by connutil\.HangUp with input never read: RST may destroy our reply`
}

// Good drains with the other package's helper first.
func Good(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	connutil.Drain(c)
	connutil.HangUp(c)
}

// Kept: the helper keeps the conn; our Close is not the last word.
//
//proof:skip the conn is kept elsewhere: silence by design
func Kept(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	connutil.Keep(c)
	c.Close()
}
