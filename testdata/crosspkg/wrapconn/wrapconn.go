package wrapconn // want package:"hasConnFacts"

// A conn wrapper of another package: its Wrap is known by its fact.

import "net"

// Conn counts the bytes read; Write and Close are its embedded conn's.
type Conn struct {
	net.Conn
	N int
}

// Read reads the conn and counts.
//
//proof:skip a method of the wrapper, run by the reads of wrappers.BadCrossPackage and wrappers.GoodCrossPackage
func (c *Conn) Read(b []byte) (int, error) { // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"
	n, err := c.Conn.Read(b)
	c.N += n
	return n, err
}

// Wrap returns c, counted.
//
//proof:skip a wrapper of another package, run through wrappers.BadCrossPackage and wrappers.GoodCrossPackage
func Wrap(c net.Conn) net.Conn { return &Conn{Conn: c} } // want Wrap:"^wraps p0$" Wrap:"^conn p0 returns unread$"
