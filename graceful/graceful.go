// Package graceful closes stream connections without making Linux send RST.
//
// Closing a TCP or unix stream socket while the peer's bytes are still
// queued unread makes the kernel answer with RST instead of FIN and drop
// whatever it had not yet sent. Close avoids that: it sends FIN after our
// data, reads and discards what the peer still sends until it closes its
// side (bounded in time and bytes), and only then closes.
//
// It is the sequence rstlint's suggested fix writes inline.
package graceful

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// Limit is the most input Close discards before giving up and closing
// anyway. A peer that sends more than this is not finishing.
const Limit = 1 << 20

// Close closes c gracefully: CloseWrite (FIN after everything written), a
// drain of the peer's remaining input until EOF, wait, or Limit bytes, then
// Close. The wait bounds a silent peer. For a *tls.Conn it also sends
// close_notify and half-closes the underlying TCP connection.
//
// It returns the error of the final Close; the half-close and the drain
// are best effort (a peer that already reset makes them fail, harmlessly).
func Close(c net.Conn, wait time.Duration) error {
	halfClose(c)
	c.SetReadDeadline(time.Now().Add(wait))
	io.Copy(io.Discard, io.LimitReader(c, Limit))
	return c.Close()
}

// halfClose sends FIN if c (or the TCP connection under a TLS one) can.
func halfClose(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		tc.CloseWrite() // close_notify: the TLS end of our data
		if cw, ok := tc.NetConn().(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		return
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		if err := cw.CloseWrite(); err != nil && !errors.Is(err, net.ErrClosed) {
			return
		}
	}
}
