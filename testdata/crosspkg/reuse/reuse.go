package reuse // want package:"hasConnFacts"

// A dial helper of another module, as reuseport-style packages write it:
// the network is the caller's argument, so the helper is an origin for
// the callers that pass a stream network.

import (
	"context"
	"net"
)

// Dial dials raddr from laddr on the network the caller names.
//
//proof:skip a dial helper of another package, run through app.BadReuseDial and app.GoodReuseDial
func Dial(network, laddr, raddr string) (net.Conn, error) { // want Dial:"^origin dialed network=p0$"
	d := net.Dialer{}
	if laddr != "" {
		la, err := net.ResolveTCPAddr(network, laddr)
		if err != nil {
			return nil, err
		}
		d.LocalAddr = la
	}
	return d.DialContext(context.Background(), network, raddr)
}
