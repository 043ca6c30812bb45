package connutil // want package:"hasConnFacts"

// Helpers used from another package: what they do reaches their callers
// as facts.

import (
	"io"
	"net"
	"time"
)

// HangUp only closes.
func HangUp(c net.Conn) error { return c.Close() } // want HangUp:"conn.0: close.unread. return.closed.."

// Drain reads to EOF with a deadline.
func Drain(c net.Conn) { // want Drain:"conn.0: return.done."
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// Keep stores the conn.
var kept []net.Conn

func Keep(c net.Conn) { kept = append(kept, c) }
