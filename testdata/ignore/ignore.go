package ignore // want package:"hasConnFacts"

import (
	"fmt"
	"net"
)

// Ignored: the directive on the line above, with a reason.
//
//proof:skip suppression cases
func Ignored(c net.Conn) { // want Ignored:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	//rstlint:ignore the peer never pipelines in this protocol
	c.Close()
}

// SameLine: the directive on the same line.
//
//proof:skip suppression cases
func SameLine(c net.Conn) { // want SameLine:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	c.Close() //rstlint:ignore one request per connection, enforced by the peer
}

// NoReason: a directive needs a reason; the diagnostic is kept too.
//
//proof:skip suppression cases
func NoReason(c net.Conn) { // want NoReason:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	//rstlint:ignore // want `//rstlint:ignore needs a reason: //rstlint:ignore <why this close may reset>`
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

// Spaced: "// rstlint:ignore", spelled as many spell "// nolint", is the
// same directive.
//
//proof:skip suppression cases
func Spaced(c net.Conn) { // want Spaced:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	// rstlint:ignore the peer never pipelines in this protocol
	c.Close()
}

// SpacedNoReason: and needs a reason too.
//
//proof:skip suppression cases
func SpacedNoReason(c net.Conn) { // want SpacedNoReason:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	// rstlint:ignore // want `//rstlint:ignore needs a reason: //rstlint:ignore <why this close may reset>`
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}
